#include "ticket_text.h"

#include <chrono>

#include "shopwatch/core/text.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog::detail {
namespace {

constexpr std::size_t kSnippetMax = 2048;

std::string when(core::SystemTime t) { return core::formatRfc3339(t); }

void addTrailer(TextDoc& doc, const IncidentFacts& f, const OutboxAction& a) {
  doc.push_back({false, commentTrailer(f, a)});
}

// `slow-ttfb` of the rule `insights/slow-ttfb`.
std::string findingId(const IncidentFacts& f) {
  return isImprovementRule(f.rule) ? f.rule.substr(kInsightsRulePrefix.size()) : f.rule;
}

}  // namespace

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

std::string renderBlocks(const TextDoc& doc, std::string_view open, std::string_view close,
                         EscapeChar escape) {
  std::string out;
  for (const auto& b : doc) {
    if (blank(b.text)) continue;
    if (!out.empty()) out += "\n\n";
    if (b.code) {
      std::string body = b.text;
      for (std::size_t p; (p = body.find(close)) != std::string::npos;) body.erase(p, close.size());
      out.append(open).append("\n").append(body).append("\n").append(close);
      continue;
    }
    for (char c : b.text) escape(out, c);
  }
  return out;
}

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

std::string incidentHeadline(const IncidentFacts& f, bool resolved) {
  if (f.improvement()) {
    std::string out = resolved ? "[RESOLVED] " : "[IMPROVEMENT] ";
    out += targetText(f) + " (" + f.env + "): " + (f.finding_summary.empty() ? f.rule : f.finding_summary);
    return out;
  }
  std::string out = resolved ? "[RESOLVED] " : "[FIRING] ";
  out += targetText(f) + " (" + f.env + "): " + f.rule + " — " + f.expr;
  return out;
}

TextDoc improvementDescription(const IncidentFacts& f) {
  TextDoc doc;
  doc.push_back({false, "shopwatch found a performance improvement for " + f.client + " on " +
                            targetText(f) + " (" + f.env + "):"});
  addLines(doc, f.finding_summary);
  doc.push_back({false, "Finding: " + findingId(f) + " (priority " + f.severity + ")"});
  if (!f.saving_text.empty()) doc.push_back({false, "Estimated saving: " + f.saving_text});
  doc.push_back({false, "Found: " + when(f.since)});
  if (!blank(f.evidence_text)) {
    doc.push_back({false, "Evidence:"});
    doc.push_back({true, std::string(core::utf8Prefix(f.evidence_text, kSnippetMax))});
  }
  if (!f.status_url.empty()) doc.push_back({false, "Status: " + f.status_url});
  doc.push_back({false, "shopwatch closes this item automatically once the finding has been gone for " +
                            (f.close_after_text.empty() ? std::string("a while") : f.close_after_text) +
                            ", and files it again if it comes back."});
  return doc;
}

TextDoc incidentEvidence(const IncidentFacts& f) {
  if (f.improvement()) return improvementDescription(f);
  TextDoc doc;
  doc.push_back({false, "shopwatch filed this incident for " + f.client + ": rule " + f.rule + " on " +
                            targetText(f) + " (" + f.env + ") is firing."});
  doc.push_back({false, "Severity: " + f.severity});
  doc.push_back({false, "Condition: " + valueVsThreshold(f)});
  doc.push_back({false, "Firing since: " + when(f.since)});
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
  return doc;
}

std::string fingerprintLine(const IncidentFacts& f, std::string_view keep) {
  return "Fingerprint: " + f.fingerprint + " (episode " + std::to_string(f.episode) + "). " +
         std::string(keep);
}

std::string commentTrailer(const IncidentFacts& f, const OutboxAction& a) {
  return "shopwatch:" + f.fingerprint + ":" + std::to_string(f.episode) + ":" +
         std::string(actionKindName(a.kind)) + ":" + std::to_string(a.id);
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

TextDoc reoccurredComment(const IncidentFacts& f, const OutboxAction& a, bool reopened) {
  TextDoc doc;
  if (f.improvement()) {
    doc.push_back({false, std::string(reopened ? "Reopened: " : "") + "the finding " + findingId(f) +
                              " is back since " + when(f.since) + " (priority " + f.severity + "):"});
    addLines(doc, f.finding_summary);
    if (!f.saving_text.empty()) doc.push_back({false, "Estimated saving: " + f.saving_text});
    addTrailer(doc, f, a);
    return doc;
  }
  doc.push_back({false, std::string(reopened ? "Reopened: " : "") + "re-occurred at " + when(f.since) +
                            ": " + valueVsThreshold(f) + " (severity " + f.severity + ")."});
  if (!f.failure.empty()) {
    std::string line = "Failure reason: " + f.failure;
    if (!f.failed_step.empty()) line += " in step " + f.failed_step;
    if (f.status_code != 0) line += " (HTTP status " + std::to_string(f.status_code) + ")";
    doc.push_back({false, line});
  }
  if (!f.status_url.empty()) doc.push_back({false, "Status: " + f.status_url});
  addTrailer(doc, f, a);
  return doc;
}

TextDoc escalateComment(const IncidentFacts& f, const OutboxAction& a) {
  TextDoc doc;
  std::string head;
  if (!f.previous_severity.empty() && f.previous_severity != f.severity) {
    head = "severity " + f.previous_severity + " → " + f.severity + ": ";
  } else {
    head = "changed (severity " + f.severity + "): ";
  }
  doc.push_back({false, head + valueVsThreshold(f) + ", at " + when(f.at) + "."});
  addTrailer(doc, f, a);
  return doc;
}

TextDoc digestComment(const IncidentFacts& f, const OutboxAction& a) {
  TextDoc doc;
  std::string line = "still firing since " + when(f.since);
  if (!f.value_text.empty()) line += ", now " + f.value_text;
  line += " (" + f.expr + ", at " + when(f.at) + ").";
  doc.push_back({false, line});
  addTrailer(doc, f, a);
  return doc;
}

TextDoc resolveComment(const IncidentFacts& f, const OutboxAction& a, bool retired) {
  TextDoc doc;
  const core::SystemTime end = f.resolved_at.value_or(f.at);
  if (f.improvement() && !retired) {
    std::string line = "Resolved: the finding " + findingId(f) + " is gone";
    if (f.last_seen) line += " (last seen " + when(*f.last_seen) + ")";
    if (!f.close_after_text.empty()) line += " and has not come back for " + f.close_after_text;
    line += "; shopwatch closes this item. First found " + when(f.since) + ".";
    doc.push_back({false, line});
    addTrailer(doc, f, a);
    return doc;
  }
  if (retired) doc.push_back({false, "no longer monitored (rule or check removed from the config)."});
  doc.push_back({false, std::string(retired ? "Closed" : "Resolved") + ": started " + when(f.since) +
                            ", ended " + when(end) + ", lasted " +
                            humanDuration(end > f.since ? end - f.since : core::Micros{0}) + "."});
  if (!f.peak_text.empty()) doc.push_back({false, "Peak value: " + f.peak_text + " (" + f.expr + ")."});
  if (!f.slo_budget_text.empty()) doc.push_back({false, "SLO budget consumed: " + f.slo_budget_text});
  addTrailer(doc, f, a);
  return doc;
}

std::string humanDuration(core::Micros d) {
  using namespace std::chrono;
  std::int64_t s = duration_cast<seconds>(d).count();
  if (s <= 0) return "0s";
  const std::int64_t parts[] = {s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60};
  const char* units[] = {"d", "h", "m", "s"};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if (parts[i] == 0) continue;
    if (!out.empty()) out += ' ';
    out += std::to_string(parts[i]) + units[i];
  }
  return out;
}

}  // namespace shopwatch::agent::backlog::detail
