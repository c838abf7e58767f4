// reportJson(): the MonthReport as the JSON document users script against (the keys, never
// renamed; extended with days, phases, steps, maintenance, …). Times RFC 3339 UTC, durations in
// seconds, percents rounded to 6 decimals, missing values null. report_json_read.cpp parses it back.
#include <nlohmann/json.hpp>

#include "report_numbers.h"
#include "shopwatch/agent/report/report_formats.h"

namespace shopwatch::agent::report {
namespace {

using Json = nlohmann::ordered_json;

Json optPercent(const std::optional<double>& ratio) {
  return ratio ? Json(detail::percent6(*ratio)) : Json(nullptr);
}

Json optSeconds(const std::optional<core::Micros>& us) {
  return us ? Json(detail::seconds(*us)) : Json(nullptr);
}

Json optText(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json incidentJson(const ReportIncident& i) {
  Json j;
  j["start"] = detail::timeText(i.start);
  j["end"] = i.end ? Json(detail::timeText(*i.end)) : Json(nullptr);
  j["duration_seconds"] = detail::seconds(i.duration);
  j["ticket"] = optText(i.ticket);
  j["ticket_url"] = optText(i.ticket_url);
  j["rule"] = i.rule;
  j["severity"] = i.severity;
  return j;
}

Json dayJson(const DayFigures& d) {
  Json j;
  j["date"] = d.date;
  j["availability_percent"] = optPercent(d.availability);
  j["downtime_seconds"] = detail::seconds(d.downtime);
  j["maintenance_seconds"] = detail::seconds(d.maintenance);
  j["unmonitored_seconds"] = detail::seconds(d.unmonitored);
  j["runs"] = d.runs;
  j["failed_runs"] = d.failed_runs;
  j["p50_seconds"] = optSeconds(d.p50);
  j["p95_seconds"] = optSeconds(d.p95);
  j["p99_seconds"] = optSeconds(d.p99);
  return j;
}

Json phasesJson(const PhaseBreakdown& p) {
  if (p.samples == 0) return Json(nullptr);
  Json j;
  j["samples"] = p.samples;
  j["resolve_seconds"] = detail::seconds(p.resolve);
  j["connect_seconds"] = detail::seconds(p.connect);
  j["tls_seconds"] = detail::seconds(p.tls);
  j["processing_seconds"] = detail::seconds(p.processing);
  j["transfer_seconds"] = detail::seconds(p.transfer);
  return j;
}

Json stepJson(const StepFigures& s) {
  Json j;
  j["step"] = s.step;
  j["runs"] = s.runs;
  j["failed_runs"] = s.failed_runs;
  j["p50_seconds"] = optSeconds(s.p50);
  j["p95_seconds"] = optSeconds(s.p95);
  return j;
}

Json checkJson(const CheckReport& c) {
  Json j;
  j["check"] = c.check;
  j["availability_percent"] = optPercent(c.availability);
  j["downtime_seconds"] = detail::seconds(c.downtime);
  j["maintenance_seconds"] = detail::seconds(c.maintenance);
  j["unmonitored_seconds"] = detail::seconds(c.unmonitored);
  j["runs"] = c.runs;
  j["failed_runs"] = c.failed_runs;
  j["p50_seconds"] = optSeconds(c.p50);
  j["p95_seconds"] = optSeconds(c.p95);
  j["p99_seconds"] = optSeconds(c.p99);
  j["apdex"] = c.apdex ? Json(*c.apdex) : Json(nullptr);
  Json incidents = Json::array();
  for (const auto& i : c.incidents) incidents.push_back(incidentJson(i));
  j["incidents"] = std::move(incidents);
  j["journey"] = c.journey;
  j["in_sla"] = c.in_sla;
  j["covered_seconds"] = detail::seconds(c.covered);
  j["error_budget_used_percent"] = optPercent(c.error_budget_used);
  j["mttr_seconds"] = optSeconds(c.mttr);
  Json days = Json::array();
  for (const auto& d : c.days) days.push_back(dayJson(d));
  j["days"] = std::move(days);
  j["phases"] = phasesJson(c.phases);
  Json steps = Json::array();
  for (const auto& s : c.steps) steps.push_back(stepJson(s));
  j["steps"] = std::move(steps);
  return j;
}

Json slaJson(const SlaSummary& s) {
  Json j;
  j["target_percent"] = detail::percent6(s.target);
  j["target"] = s.target_text;
  j["met"] = s.met ? Json(*s.met) : Json(nullptr);
  j["availability_percent"] = optPercent(s.availability);
  j["downtime_seconds"] = detail::seconds(s.downtime);
  j["maintenance_seconds"] = detail::seconds(s.maintenance);
  j["unmonitored_seconds"] = detail::seconds(s.unmonitored);
  j["error_budget_used_percent"] = optPercent(s.error_budget_used);
  j["maintenance"] = s.maintenance_policy;
  j["unmonitored"] = s.unmonitored_policy;
  j["checks"] = s.checks;
  j["apdex_t_seconds"] = detail::seconds(s.apdex_t);
  return j;
}

Json shopJson(const ShopReport& s) {
  Json j;
  j["shop"] = s.shop;
  j["env"] = s.env;
  j["sla"] = s.sla ? slaJson(*s.sla) : Json(nullptr);
  Json checks = Json::array();
  for (const auto& c : s.checks) checks.push_back(checkJson(c));
  j["checks"] = std::move(checks);
  j["worst_days"] = s.worst_days;
  return j;
}

Json maintenanceJson(const ReportMaintenance& m) {
  Json j;
  j["name"] = m.name;
  j["shops"] = m.shops;
  j["start"] = detail::timeText(m.start);
  j["end"] = detail::timeText(m.end);
  j["reason"] = m.reason;
  j["announced_by"] = m.announced_by;
  return j;
}

Json improvementJson(const ReportImprovement& i) {
  Json j;
  j["shop"] = i.shop;
  j["env"] = i.env;
  j["check"] = i.check;
  j["step"] = i.step;
  j["finding"] = i.finding;
  j["priority"] = i.priority;
  j["summary"] = i.summary;
  j["saving_seconds"] = i.saving_seconds;
  j["saving_bytes"] = i.saving_bytes;
  return j;
}

}  // namespace

std::string reportJson(const MonthReport& report) {
  Json j;
  j["month"] = report.month;
  j["timezone"] = report.timezone;
  j["generated_at"] = detail::timeText(report.generated_at);
  j["frozen"] = report.frozen;
  Json shops = Json::array();
  for (const auto& s : report.shops) shops.push_back(shopJson(s));
  j["shops"] = std::move(shops);
  j["client"] = report.client;
  j["from"] = detail::timeText(report.from);
  j["to"] = detail::timeText(report.to);
  j["frozen_at"] = report.frozen_at ? Json(detail::timeText(*report.frozen_at)) : Json(nullptr);
  Json maintenance = Json::array();
  for (const auto& m : report.maintenance) maintenance.push_back(maintenanceJson(m));
  j["maintenance"] = std::move(maintenance);
  Json improvements = Json::array();
  for (const auto& i : report.improvements) improvements.push_back(improvementJson(i));
  j["improvements"] = std::move(improvements);
  return j.dump(2) + "\n";
}

}  // namespace shopwatch::agent::report
