#include "shopwatch/agent/insights/insights_formats.h"

#include <cstdio>

#include "shopwatch/core/text.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::insights {
namespace {

std::string priorityName(const Finding& f) { return std::string(rules::severityName(f.priority)); }

std::string savingText(const Finding& f) {
  std::string out = formatSavingSeconds(f.saving_seconds);
  if (f.saving_bytes > 0) out += ", " + formatSavingBytes(f.saving_bytes);
  return out;
}

std::string targetText(const Finding& f) {
  std::string t = f.key.str();
  if (!f.step.empty()) t += "/" + f.step;
  if (f.key.env != "production") t += " (" + f.key.env + ")";
  return t;
}

}  // namespace

std::string formatSavingSeconds(double seconds) { return core::shortSeconds(seconds); }

std::string formatSavingBytes(std::uint64_t bytes) { return core::shortBytes(bytes); }

nlohmann::ordered_json findingJson(const Finding& f) {
  nlohmann::ordered_json j;
  j["shop"] = f.key.shop;
  j["env"] = f.key.env;
  j["check"] = f.key.check;
  j["step"] = f.step;
  j["finding"] = f.finding;
  j["priority"] = priorityName(f);
  j["saving_seconds"] = f.saving_seconds;
  j["saving_bytes"] = f.saving_bytes;
  j["evidence"] = f.evidence;
  j["summary"] = f.summary;
  j["score"] = f.score;
  j["since"] = f.since ? nlohmann::ordered_json(core::formatRfc3339(*f.since)) : nlohmann::ordered_json();
  return j;
}

std::string insightsJson(const InsightsReport& report) {
  nlohmann::ordered_json j;
  j["generated_at"] = core::formatRfc3339(report.generated_at);
  j["shop"] = report.shop;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) list.push_back(findingJson(f));
  j["findings"] = std::move(list);
  j["series_analysed"] = report.series_analysed;
  j["warnings"] = report.warnings;
  return j.dump(2) + "\n";
}

core::Result<Finding> findingFromJson(const nlohmann::json& j) {
  try {
    Finding f;
    f.key.shop = j.at("shop").get<std::string>();
    f.key.env = j.at("env").get<std::string>();
    f.key.check = j.at("check").get<std::string>();
    f.step = j.at("step").get<std::string>();
    f.finding = j.at("finding").get<std::string>();
    const auto priority = rules::parseSeverity(j.at("priority").get<std::string>());
    if (!priority) return core::makeError(core::ErrorCode::Invalid, "finding: priority is not a severity");
    f.priority = *priority;
    f.saving_seconds = j.at("saving_seconds").get<double>();
    f.saving_bytes = j.at("saving_bytes").get<std::uint64_t>();
    f.evidence = j.at("evidence");
    f.summary = j.value("summary", std::string{});
    f.score = j.value("score", 0.0);
    if (j.contains("since") && j.at("since").is_string()) f.since = core::parseRfc3339(j.at("since").get<std::string>());
    return f;
  } catch (const nlohmann::json::exception& e) {
    return core::makeError(core::ErrorCode::Invalid, std::string("finding: ") + e.what());
  }
}

std::string improveNextText(const std::vector<Finding>& findings, std::size_t limit) {
  if (findings.empty()) return "  Nothing stands out: no performance finding.\n";
  std::string out;
  std::size_t n = 0;
  for (const auto& f : findings) {
    if (n == limit) break;
    char head[64];
    std::snprintf(head, sizeof head, "  %zu. %-8s ", ++n, priorityName(f).c_str());
    out += head + f.finding + "  " + targetText(f) + ": " + f.summary + " (saves ~" + savingText(f) + ")\n";
  }
  if (findings.size() > limit)
    out += "  " + std::to_string(findings.size() - limit) + " more: shopwatch insights\n";
  return out;
}

std::string insightsText(const InsightsReport& report) {
  std::string out = "Performance insights";
  if (!report.shop.empty()) out += " for " + report.shop;
  out += " (" + core::formatRfc3339(report.generated_at) + ")\n";
  for (const auto& w : report.warnings) out += "warning: " + w + "\n";
  if (report.findings.empty()) {
    out += "\nNothing stands out: no finding in " + std::to_string(report.series_analysed) +
           " series of stored timings.\n";
    return out;
  }
  out += "\n";
  std::size_t n = 0;
  for (const auto& f : report.findings) {
    char head[64];
    std::snprintf(head, sizeof head, "%2zu. %-8s ", ++n, priorityName(f).c_str());
    out += head + f.finding + "  " + targetText(f) + "  (saves ~" + savingText(f) + ")\n";
    out += "              " + f.summary + "\n";
    if (f.since) out += "              since " + core::formatRfc3339(*f.since) + "\n";
  }
  return out;
}

std::string improveNextHtml(const std::vector<Finding>& findings, std::size_t limit) {
  std::string out = "<section class=\"improve\"><h2>What to improve next</h2>";
  if (findings.empty()) return out + "<p>Nothing stands out: no performance finding.</p></section>";
  out += "<ol>";
  std::size_t n = 0;
  for (const auto& f : findings) {
    if (n++ == limit) break;
    out += "<li><span class=\"prio prio-" + priorityName(f) + "\">" + priorityName(f) + "</span> <b>" +
           core::htmlEscape(targetText(f)) + "</b> <code>" + core::htmlEscape(f.finding) + "</code>: " +
           core::htmlEscape(f.summary) + " <i>(saves ~" + core::htmlEscape(savingText(f)) + ")</i></li>";
  }
  out += "</ol>";
  if (findings.size() > limit)
    out += "<p>" + std::to_string(findings.size() - limit) + " more: <code>shopwatch insights</code>.</p>";
  return out + "</section>";
}

std::string insightsHtml(const InsightsReport& report) {
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>shopwatch insights</title><style>"
      "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}"
      "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;"
      "text-align:left;vertical-align:top}.prio{padding:0 .3rem;border-radius:.2rem;color:#fff}"
      ".prio-critical{background:#b00}.prio-warning{background:#c70}.prio-info{background:#667}"
      "pre{white-space:pre-wrap;font-size:.8rem;background:#f6f6f6;padding:.4rem;margin:0}"
      "</style></head><body><h1>Performance insights";
  if (!report.shop.empty()) out += " — " + core::htmlEscape(report.shop);
  out += "</h1><p>Generated " + core::htmlEscape(core::formatRfc3339(report.generated_at)) + " from " +
         std::to_string(report.series_analysed) + " series of stored timings.</p>";
  for (const auto& w : report.warnings) out += "<p><b>Warning:</b> " + core::htmlEscape(w) + "</p>";
  out += improveNextHtml(report.findings);
  out += "<h2>All findings</h2><table><tr><th>#</th><th>priority</th><th>target</th><th>finding</th>"
         "<th>saving</th><th>evidence</th></tr>";
  std::size_t n = 0;
  for (const auto& f : report.findings) {
    out += "<tr><td>" + std::to_string(++n) + "</td><td><span class=\"prio prio-" + priorityName(f) +
           "\">" + priorityName(f) + "</span></td><td>" + core::htmlEscape(targetText(f)) + "</td><td><code>" +
           core::htmlEscape(f.finding) + "</code><br>" + core::htmlEscape(f.summary) + "</td><td>" +
           core::htmlEscape(savingText(f)) + "</td><td><pre>" + core::htmlEscape(f.evidence.dump(1)) +
           "</pre></td></tr>";
  }
  return out + "</table></body></html>\n";
}

}  // namespace shopwatch::agent::insights
