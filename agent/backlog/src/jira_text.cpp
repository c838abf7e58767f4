#include "jira_text.h"

#include "shopwatch/core/text.h"

namespace shopwatch::agent::backlog::detail {
namespace {

constexpr std::size_t kSummaryMax = 255;

}  // namespace

nlohmann::json toAdf(const TextDoc& doc) {
  nlohmann::json content = nlohmann::json::array();
  for (const auto& b : doc) {
    if (blank(b.text)) continue;
    nlohmann::json text_node = {{"type", "text"}, {"text", b.text}};
    if (b.code) {
      content.push_back({{"type", "codeBlock"}, {"content", nlohmann::json::array({text_node})}});
    } else {
      content.push_back({{"type", "paragraph"}, {"content", nlohmann::json::array({text_node})}});
    }
  }
  return {{"version", 1}, {"type", "doc"}, {"content", content}};
}

std::string toWiki(const TextDoc& doc) {
  return renderBlocks(doc, "{noformat}", "{noformat}", [](std::string& out, char c) {
    // Wiki markup that would turn plain evidence into links, macros or tables.
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == '|') out += '\\';
    out += c;
  });
}

nlohmann::json renderBody(const TextDoc& doc, bool cloud) {
  if (cloud) return toAdf(doc);
  return toWiki(doc);
}

std::string issueSummary(const IncidentFacts& f, bool resolved) {
  std::string out = incidentHeadline(f, resolved);
  core::truncateUtf8(out, kSummaryMax);
  return out;
}

TextDoc issueDescription(const IncidentFacts& f) {
  TextDoc doc = incidentEvidence(f);
  doc.push_back({false, fingerprintLine(f, "Keep the label " + f.fingerprint +
                                               ": shopwatch finds this issue by it.")});
  return doc;
}

}  // namespace shopwatch::agent::backlog::detail
