#include "jira_api.h"

#include <utility>

namespace shopwatch::agent::backlog::detail {
namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

static std::string authorization(const JiraSettings& s) {
  return s.flavor == JiraSettings::Flavor::Cloud ? "Basic " + base64(s.email + ":" + s.token)
                                                 : "Bearer " + s.token;
}

JiraApi::JiraApi(const JiraSettings& settings, HttpClient& http)
    : JsonRest(settings.url, {"Authorization", authorization(settings)}, settings.timeout, http),
      settings_(settings) {}

std::string JiraApi::path(std::string_view rest) const {
  std::string out = cloud() ? "/rest/api/3/" : "/rest/api/2/";
  out += rest;
  return out;
}

std::string JiraApi::browseUrl(std::string_view key) const {
  return baseUrl() + "/browse/" + std::string(key);
}

std::string jiraErrorText(const HttpReply& r) {
  const nlohmann::json j = parseBody(r);
  if (!j.is_object()) return {};
  std::string out;
  auto add = [&out](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += "; ";
    out += s;
  };
  if (auto it = j.find("errorMessages"); it != j.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (m.is_string()) add(m.get<std::string>());
    }
  }
  if (auto it = j.find("errors"); it != j.end() && it->is_object()) {
    for (const auto& [field, msg] : it->items()) {
      add(field + ": " + (msg.is_string() ? msg.get<std::string>() : msg.dump()));
    }
  }
  return out;
}

SendResult failureResult(const HttpReply& r, std::string_view what) {
  SendResult out;
  out.http_code = r.status;
  std::string prefix(what);
  if (r.status == 0) {
    out.status = SendStatus::Retry;
    out.error = prefix + ": no answer from Jira (" + (r.error.empty() ? "no response" : r.error) + ")";
    return out;
  }
  const std::string detail = jiraErrorText(r);
  std::string text = prefix + ": Jira answered HTTP " + std::to_string(r.status);
  if (!detail.empty()) text += " (" + detail + ")";
  out.status = trackerStatusFor(r.status);
  if (out.status == SendStatus::Retry) out.retry_after = parseRetryAfter(r);
  if (r.status == 401) text += ": the credentials were refused (check backlog.jira.email and token)";
  if (r.status == 403) text += ": the account lacks a permission for this";
  out.error = std::move(text);
  return out;
}

std::string jqlQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace shopwatch::agent::backlog::detail
