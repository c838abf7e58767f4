// reportCsv(): one row per check with a header row (RFC 4180: CRLF line ends, fields with a comma,
// quote or line break quoted, quotes doubled). Missing values are empty cells.
#include <initializer_list>

#include "report_numbers.h"
#include "shopwatch/agent/report/report_formats.h"

namespace shopwatch::agent::report {
namespace {

std::string cell(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void row(std::string& out, std::initializer_list<std::string> cells) {
  bool first = true;
  for (const auto& c : cells) {
    if (!first) out += ',';
    first = false;
    out += cell(c);
  }
  out += "\r\n";
}

std::string optPercent(const std::optional<double>& ratio) {
  return ratio ? detail::percentText(*ratio) : std::string();
}

std::string optSeconds(const std::optional<core::Micros>& us) {
  return us ? detail::secondsText(*us) : std::string();
}

std::string boolText(bool b) { return b ? "true" : "false"; }

std::string apdexText(const std::optional<double>& apdex) {
  if (!apdex) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", *apdex);
  return buf;
}

}  // namespace

std::string reportCsv(const MonthReport& report) {
  std::string out;
  row(out, {"month", "shop", "env", "check", "in_sla", "availability_percent", "target_percent", "met",
            "downtime_seconds", "maintenance_seconds", "unmonitored_seconds", "runs", "failed_runs",
            "p50_seconds", "p95_seconds", "p99_seconds", "apdex", "incidents", "mttr_seconds"});
  for (const auto& shop : report.shops) {
    const std::string target = shop.sla ? detail::percentText(shop.sla->target) : std::string();
    for (const auto& c : shop.checks) {
      // The check's own figure against its shop's target (exact, not the rounded percent); the
      // shop's SLA verdict is the time-weighted one over its in_sla checks (JSON "sla").
      const std::string met = shop.sla && c.availability ? boolText(*c.availability >= shop.sla->target)
                                                         : std::string();
      row(out, {report.month, shop.shop, shop.env, c.check, boolText(c.in_sla), optPercent(c.availability),
                target, met,
                detail::secondsText(c.downtime), detail::secondsText(c.maintenance),
                detail::secondsText(c.unmonitored), std::to_string(c.runs), std::to_string(c.failed_runs),
                optSeconds(c.p50), optSeconds(c.p95), optSeconds(c.p99), apdexText(c.apdex),
                std::to_string(c.incidents.size()), optSeconds(c.mttr)});
    }
  }
  return out;
}

}  // namespace shopwatch::agent::report
