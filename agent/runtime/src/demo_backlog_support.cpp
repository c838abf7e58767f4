#include "demo_backlog_support.h"

#include <array>
#include <cstdint>

#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::runtime::detail {

using nlohmann::json;

json jiraErrorBody(const std::vector<std::string>& messages,
                   const std::map<std::string, std::string>& errors) {
  json body{{"errorMessages", json::array()}, {"errors", json::object()}};
  for (const auto& m : messages) body["errorMessages"].push_back(m);
  for (const auto& [field, message] : errors) body["errors"][field] = message;
  return body;
}

std::string jiraTime(core::SystemTime t) {
  // formatRfc3339(fraction) gives "YYYY-MM-DDTHH:MM:SS.uuuuuuZ"; Jira writes milliseconds and
  // +0000.
  const std::string rfc = core::formatRfc3339(t, true);
  const auto dot = rfc.find('.');
  if (dot == std::string::npos) return rfc.substr(0, 19) + ".000+0000";
  return rfc.substr(0, dot + 4) + "+0000";
}

namespace {

bool isTextBlock(const std::string& type) {
  return type == "paragraph" || type == "heading" || type == "codeBlock" || type == "blockquote";
}

/// Appends the text of `node` to `out`; false for an empty text node or a malformed node.
bool flatten(const json& node, std::string& out, int depth) {
  if (!node.is_object() || depth > 32) return false;
  const auto type_it = node.find("type");
  if (type_it == node.end() || !type_it->is_string()) return false;
  const auto type = type_it->get<std::string>();
  if (type == "text") {
    const auto text = node.find("text");
    if (text == node.end() || !text->is_string() || text->get<std::string>().empty()) return false;
    out += text->get<std::string>();
    return true;
  }
  if (type == "hardBreak") {
    out += '\n';
    return true;
  }
  const auto content = node.find("content");
  if (content != node.end()) {
    if (!content->is_array()) return false;
    for (const auto& child : *content) {
      if (!flatten(child, out, depth + 1)) return false;
    }
  }
  if (isTextBlock(type) || type == "listItem") {
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return true;
}

}  // namespace

core::Result<std::string> adfToText(const json& doc) {
  const auto invalid = core::makeError(core::ErrorCode::Invalid, "INVALID_INPUT");
  if (!doc.is_object() || doc.value("type", json()) != "doc" || doc.value("version", json()) != 1) {
    return invalid;
  }
  const auto content = doc.find("content");
  if (content == doc.end() || !content->is_array()) return invalid;
  std::string out;
  for (const auto& block : *content) {
    if (!flatten(block, out, 0)) return invalid;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string base64Encode(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]))
                                << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string notOnScreen(const std::string& field) {
  return "Field '" + field + "' cannot be set. It is not on the appropriate screen, or unknown.";
}

/// `{"key":…}` / `{"name":…}` / `{"id":…}` reference → the text of the first present member.
std::string refText(const json& ref, std::initializer_list<const char*> members) {
  if (!ref.is_object()) return "";
  for (const char* m : members) {
    const auto it = ref.find(m);
    if (it == ref.end()) continue;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
  }
  return "";
}

/// Plain text → a minimal ADF document (one paragraph per non-empty line).
json textToAdf(const std::string& text) {
  json doc{{"type", "doc"}, {"version", 1}, {"content", json::array()}};
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const auto line = text.substr(start, end - start);
    if (!line.empty()) {
      doc["content"].push_back(
          {{"type", "paragraph"}, {"content", json::array({{{"type", "text"}, {"text", line}}})}});
    }
    start = end + 1;
  }
  return doc;
}

}  // namespace shopwatch::agent::runtime::detail
