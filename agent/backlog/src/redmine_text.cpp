#include "redmine_text.h"

#include "shopwatch/core/text.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog::redmine {
namespace {

constexpr std::size_t kSubjectMax = 255;
constexpr std::size_t kSnippetMax = 2048;

std::string targetText(const IncidentFacts& f) {
  std::string out = f.shop + "/" + f.check;
  if (!f.step.empty()) out += "/" + f.step;
  return out;
}

std::string valueVsThreshold(const IncidentFacts& f) {
  std::string out = f.expr;
  if (!f.value_text.empty()) {
    out += ", value " + f.value_text;
    if (!f.threshold_text.empty()) out += " vs threshold " + f.threshold_text;
  }
  return out;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

void addLines(TextDoc& doc, std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(start, nl - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    doc.push_back({false, std::move(line)});
    start = nl + 1;
  }
}

void eraseAll(std::string& text, std::string_view what) {
  for (std::size_t p; (p = text.find(what)) != std::string::npos;) text.erase(p, what.size());
}

// Textile: `<pre>` for code (its own closing tag removed from the body); in paragraphs the markup
// that would turn evidence into links, tables or images is neutralised by HTML entities.
std::string textile(const TextDoc& doc) {
  std::string out;
  for (const auto& b : doc) {
    if (blank(b.text)) continue;
    if (!out.empty()) out += "\n\n";
    if (b.code) {
      std::string body = b.text;
      eraseAll(body, "</pre>");
      out += "<pre>\n" + body + "\n</pre>";
      continue;
    }
    for (char c : b.text) {
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
  }
  return out;
}

std::string markdown(const TextDoc& doc) {
  std::string out;
  for (const auto& b : doc) {
    if (blank(b.text)) continue;
    if (!out.empty()) out += "\n\n";
    if (b.code) {
      std::string body = b.text;
      eraseAll(body, "```");
      out += "```\n" + body + "\n```";
      continue;
    }
    for (char c : b.text) {
      if (c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' ||
          c == '>' || c == '#' || c == '|' || c == '!') {
        out += '\\';
      }
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string issueSubject(const IncidentFacts& f, bool resolved) {
  std::string head = resolved ? "[RESOLVED] " : "[FIRING] ";
  head += targetText(f) + " (" + f.env + "): " + f.rule + " — " + f.expr;
  const std::string tail = " [" + f.fingerprint + "]";
  core::truncateUtf8(head, tail.size() < kSubjectMax ? kSubjectMax - tail.size() : 0);
  return head + tail;
}

TextDoc issueDescription(const IncidentFacts& f, const OutboxAction& a) {
  TextDoc doc;
  doc.push_back({false, "shopwatch filed this incident for " + f.client + ": rule " + f.rule + " on " +
                            targetText(f) + " (" + f.env + ") is firing."});
  doc.push_back({false, "Severity: " + f.severity});
  doc.push_back({false, "Condition: " + valueVsThreshold(f)});
  doc.push_back({false, "Firing since: " + core::formatRfc3339(f.since)});
  if (!f.failed_step.empty()) doc.push_back({false, "Failing step: " + f.failed_step});
  if (!f.failure.empty()) {
    std::string line = "Failure reason: " + f.failure;
    if (f.status_code != 0) line += " (HTTP status " + std::to_string(f.status_code) + ")";
    doc.push_back({false, line});
  } else if (f.status_code != 0) {
    doc.push_back({false, "HTTP status: " + std::to_string(f.status_code)});
  }
  if (!f.message.empty()) {
    doc.push_back({false, "Message:"});
    addLines(doc, f.message);
  }
  if (!f.phases.empty()) doc.push_back({false, "Phases: " + f.phases});
  if (!blank(f.body_snippet)) {
    doc.push_back({false, "Response body (start):"});
    doc.push_back({true, std::string(core::utf8Prefix(f.body_snippet, kSnippetMax))});
  }
  if (!f.status_url.empty()) doc.push_back({false, "Status: " + f.status_url});
  doc.push_back({false, "Fingerprint: " + f.fingerprint + " (episode " + std::to_string(f.episode) +
                            "). Keep it in the fingerprint field: shopwatch finds this issue by it."});
  doc.push_back({false, detail::commentTrailer(f, a)});
  return doc;
}

std::string render(const TextDoc& doc, std::string_view text_format) {
  if (text_format == "textile") return textile(doc);
  return markdown(doc);
}

std::int64_t trailerEpisode(std::string_view text, std::string_view fingerprint) {
  const std::string marker = "shopwatch:" + std::string(fingerprint) + ":";
  std::int64_t best = 0;
  for (std::size_t p = text.find(marker); p != std::string_view::npos; p = text.find(marker, p + 1)) {
    std::size_t i = p + marker.size();
    std::int64_t v = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 18) {
      v = v * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits > 0 && i < text.size() && text[i] == ':' && v > best) best = v;
  }
  return best;
}

}  // namespace shopwatch::agent::backlog::redmine
