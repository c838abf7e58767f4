#include "redmine_text.h"

#include "shopwatch/core/text.h"

namespace shopwatch::agent::backlog::redmine {
namespace {

constexpr std::size_t kSubjectMax = 255;

// Textile: `<pre>` for code (its own closing tag removed from the body); in paragraphs the markup
// that would turn evidence into links, tables or images is neutralised by HTML entities.
void textileChar(std::string& out, char c) {
  switch (c) {
    case '|': out += "&#124;"; break;
    case '!': out += "&#33;"; break;
    case '"': out += "&quot;"; break;
    case '*': out += "&#42;"; break;
    case '_': out += "&#95;"; break;
    case '[': out += "&#91;"; break;
    default: out += c;
  }
}

// Markdown / CommonMark: fenced code, markup characters backslash-escaped.
void markdownChar(std::string& out, char c) {
  if (c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' || c == '>' ||
      c == '#' || c == '|' || c == '!') {
    out += '\\';
  }
  out += c;
}

}  // namespace

std::string issueSubject(const IncidentFacts& f, bool resolved) {
  std::string head = detail::incidentHeadline(f, resolved);
  const std::string tail = " [" + f.fingerprint + "]";
  core::truncateUtf8(head, tail.size() < kSubjectMax ? kSubjectMax - tail.size() : 0);
  return head + tail;
}

TextDoc issueDescription(const IncidentFacts& f, const OutboxAction& a) {
  TextDoc doc = detail::incidentEvidence(f);
  doc.push_back({false, detail::fingerprintLine(
                            f, "Keep it in the fingerprint field: shopwatch finds this issue by it.")});
  doc.push_back({false, detail::commentTrailer(f, a)});
  return doc;
}

std::string render(const TextDoc& doc, std::string_view text_format) {
  if (text_format == "textile") return detail::renderBlocks(doc, "<pre>", "</pre>", textileChar);
  return detail::renderBlocks(doc, "```", "```", markdownChar);
}

}  // namespace shopwatch::agent::backlog::redmine
