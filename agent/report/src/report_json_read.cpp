// reportFromJson(): parses reportJson()'s document back into a MonthReport (a frozen month is stored
// as that JSON and rendered again from it). Every key reportJson writes is read; a missing or
// mistyped one is Invalid naming where it is — except "improvements", which older reports (frozen
// months of earlier versions) do not have: missing, it is an empty list. Exceptions stay inside this file.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "report_numbers.h"
#include "shopwatch/agent/report/report_formats.h"

namespace shopwatch::agent::report {
namespace {

using Json = nlohmann::json;

/// A malformed document: where and what (caught in reportFromJson).
struct BadReport : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Json& field(const Json& obj, const std::string& where, const char* key) {
  if (!obj.is_object()) throw BadReport(where + ": not an object");
  auto it = obj.find(key);
  if (it == obj.end()) throw BadReport(where + ": missing \"" + key + "\"");
  return *it;
}

std::string at(const std::string& where, const char* key) { return where + "." + key; }

std::string text(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_string()) throw BadReport(at(where, key) + ": expected a string");
  return v.get<std::string>();
}

/// A string or null (null: "").
std::string optText(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (v.is_null()) return {};
  if (!v.is_string()) throw BadReport(at(where, key) + ": expected a string or null");
  return v.get<std::string>();
}

bool flag(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_boolean()) throw BadReport(at(where, key) + ": expected true or false");
  return v.get<bool>();
}

std::optional<bool> optFlag(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (v.is_null()) return std::nullopt;
  return flag(obj, where, key);
}

double number(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_number()) throw BadReport(at(where, key) + ": expected a number");
  return v.get<double>();
}

std::optional<double> optNumber(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (v.is_null()) return std::nullopt;
  return number(obj, where, key);
}

std::int64_t count(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_number_integer()) throw BadReport(at(where, key) + ": expected an integer");
  return v.get<std::int64_t>();
}

std::uint64_t bytes(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    throw BadReport(at(where, key) + ": expected a non-negative integer");
  return v.get<std::uint64_t>();
}

core::Micros secs(const Json& obj, const std::string& where, const char* key) {
  return detail::microsFromSeconds(number(obj, where, key));
}

std::optional<core::Micros> optSecs(const Json& obj, const std::string& where, const char* key) {
  auto v = optNumber(obj, where, key);
  if (!v) return std::nullopt;
  return detail::microsFromSeconds(*v);
}

std::optional<double> optRatio(const Json& obj, const std::string& where, const char* key) {
  auto v = optNumber(obj, where, key);
  if (!v) return std::nullopt;
  return detail::ratioFromPercent(*v);
}

core::SystemTime time(const Json& obj, const std::string& where, const char* key) {
  const std::string t = text(obj, where, key);
  auto parsed = core::parseRfc3339(t);
  if (!parsed) throw BadReport(at(where, key) + ": not an RFC 3339 time: " + t);
  return *parsed;
}

std::optional<core::SystemTime> optTime(const Json& obj, const std::string& where, const char* key) {
  if (field(obj, where, key).is_null()) return std::nullopt;
  return time(obj, where, key);
}

const Json& array(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_array()) throw BadReport(at(where, key) + ": expected an array");
  return v;
}

std::vector<std::string> texts(const Json& obj, const std::string& where, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : array(obj, where, key)) {
    if (!v.is_string()) throw BadReport(at(where, key) + ": expected strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string item(const std::string& where, const char* key, std::size_t i) {
  return at(where, key) + "[" + std::to_string(i) + "]";
}

ReportIncident readIncident(const Json& j, const std::string& w) {
  ReportIncident i;
  i.start = time(j, w, "start");
  i.end = optTime(j, w, "end");
  i.duration = secs(j, w, "duration_seconds");
  i.ticket = optText(j, w, "ticket");
  i.ticket_url = optText(j, w, "ticket_url");
  i.rule = text(j, w, "rule");
  i.severity = text(j, w, "severity");
  return i;
}

DayFigures readDay(const Json& j, const std::string& w) {
  DayFigures d;
  d.date = text(j, w, "date");
  d.availability = optRatio(j, w, "availability_percent");
  d.downtime = secs(j, w, "downtime_seconds");
  d.maintenance = secs(j, w, "maintenance_seconds");
  d.unmonitored = secs(j, w, "unmonitored_seconds");
  d.runs = count(j, w, "runs");
  d.failed_runs = count(j, w, "failed_runs");
  d.p50 = optSecs(j, w, "p50_seconds");
  d.p95 = optSecs(j, w, "p95_seconds");
  d.p99 = optSecs(j, w, "p99_seconds");
  return d;
}

PhaseBreakdown readPhases(const Json& check, const std::string& where) {
  PhaseBreakdown p;
  const Json& j = field(check, where, "phases");
  if (j.is_null()) return p;
  const std::string w = at(where, "phases");
  p.samples = count(j, w, "samples");
  p.resolve = secs(j, w, "resolve_seconds");
  p.connect = secs(j, w, "connect_seconds");
  p.tls = secs(j, w, "tls_seconds");
  p.processing = secs(j, w, "processing_seconds");
  p.transfer = secs(j, w, "transfer_seconds");
  return p;
}

StepFigures readStep(const Json& j, const std::string& w) {
  StepFigures s;
  s.step = text(j, w, "step");
  s.runs = count(j, w, "runs");
  s.failed_runs = count(j, w, "failed_runs");
  s.p50 = optSecs(j, w, "p50_seconds");
  s.p95 = optSecs(j, w, "p95_seconds");
  return s;
}

CheckReport readCheck(const Json& j, const std::string& w) {
  CheckReport c;
  c.check = text(j, w, "check");
  c.availability = optRatio(j, w, "availability_percent");
  c.downtime = secs(j, w, "downtime_seconds");
  c.maintenance = secs(j, w, "maintenance_seconds");
  c.unmonitored = secs(j, w, "unmonitored_seconds");
  c.runs = count(j, w, "runs");
  c.failed_runs = count(j, w, "failed_runs");
  c.p50 = optSecs(j, w, "p50_seconds");
  c.p95 = optSecs(j, w, "p95_seconds");
  c.p99 = optSecs(j, w, "p99_seconds");
  c.apdex = optNumber(j, w, "apdex");
  const Json& incidents = array(j, w, "incidents");
  for (std::size_t i = 0; i < incidents.size(); ++i)
    c.incidents.push_back(readIncident(incidents[i], item(w, "incidents", i)));
  c.journey = flag(j, w, "journey");
  c.in_sla = flag(j, w, "in_sla");
  c.covered = secs(j, w, "covered_seconds");
  c.error_budget_used = optRatio(j, w, "error_budget_used_percent");
  c.mttr = optSecs(j, w, "mttr_seconds");
  const Json& days = array(j, w, "days");
  for (std::size_t i = 0; i < days.size(); ++i) c.days.push_back(readDay(days[i], item(w, "days", i)));
  c.phases = readPhases(j, w);
  const Json& steps = array(j, w, "steps");
  for (std::size_t i = 0; i < steps.size(); ++i)
    c.steps.push_back(readStep(steps[i], item(w, "steps", i)));
  return c;
}

SlaSummary readSla(const Json& j, const std::string& w) {
  SlaSummary s;
  s.target = detail::ratioFromPercent(number(j, w, "target_percent"));
  s.target_text = text(j, w, "target");
  s.met = optFlag(j, w, "met");
  s.availability = optRatio(j, w, "availability_percent");
  s.downtime = secs(j, w, "downtime_seconds");
  s.maintenance = secs(j, w, "maintenance_seconds");
  s.unmonitored = secs(j, w, "unmonitored_seconds");
  s.error_budget_used = optRatio(j, w, "error_budget_used_percent");
  s.maintenance_policy = text(j, w, "maintenance");
  s.unmonitored_policy = text(j, w, "unmonitored");
  s.checks = texts(j, w, "checks");
  s.apdex_t = secs(j, w, "apdex_t_seconds");
  return s;
}

ShopReport readShop(const Json& j, const std::string& w) {
  ShopReport s;
  s.shop = text(j, w, "shop");
  s.env = text(j, w, "env");
  if (!field(j, w, "sla").is_null()) s.sla = readSla(j["sla"], at(w, "sla"));
  const Json& checks = array(j, w, "checks");
  for (std::size_t i = 0; i < checks.size(); ++i)
    s.checks.push_back(readCheck(checks[i], item(w, "checks", i)));
  s.worst_days = texts(j, w, "worst_days");
  return s;
}

ReportMaintenance readMaintenance(const Json& j, const std::string& w) {
  ReportMaintenance m;
  m.name = text(j, w, "name");
  m.shops = texts(j, w, "shops");
  m.start = time(j, w, "start");
  m.end = time(j, w, "end");
  m.reason = text(j, w, "reason");
  m.announced_by = text(j, w, "announced_by");
  return m;
}

ReportImprovement readImprovement(const Json& j, const std::string& w) {
  ReportImprovement i;
  i.shop = text(j, w, "shop");
  i.env = text(j, w, "env");
  i.check = text(j, w, "check");
  i.step = text(j, w, "step");
  i.finding = text(j, w, "finding");
  i.priority = text(j, w, "priority");
  i.summary = text(j, w, "summary");
  i.saving_seconds = number(j, w, "saving_seconds");
  i.saving_bytes = bytes(j, w, "saving_bytes");
  return i;
}

MonthReport readReport(const Json& j) {
  const std::string w = "report";
  MonthReport r;
  r.month = text(j, w, "month");
  r.timezone = text(j, w, "timezone");
  r.generated_at = time(j, w, "generated_at");
  r.frozen = flag(j, w, "frozen");
  const Json& shops = array(j, w, "shops");
  for (std::size_t i = 0; i < shops.size(); ++i) r.shops.push_back(readShop(shops[i], item(w, "shops", i)));
  r.client = text(j, w, "client");
  r.from = time(j, w, "from");
  r.to = time(j, w, "to");
  r.frozen_at = optTime(j, w, "frozen_at");
  const Json& maintenance = array(j, w, "maintenance");
  for (std::size_t i = 0; i < maintenance.size(); ++i)
    r.maintenance.push_back(readMaintenance(maintenance[i], item(w, "maintenance", i)));
  if (j.contains("improvements")) {  // absent before [F]: none
    const Json& improvements = array(j, w, "improvements");
    for (std::size_t i = 0; i < improvements.size(); ++i)
      r.improvements.push_back(readImprovement(improvements[i], item(w, "improvements", i)));
  }
  return r;
}

}  // namespace

core::Result<MonthReport> reportFromJson(std::string_view json) {
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return core::makeError(core::ErrorCode::Invalid, "report JSON: not valid JSON");
  try {
    return readReport(doc);
  } catch (const BadReport& e) {
    return core::makeError(core::ErrorCode::Invalid, std::string("report JSON: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    return core::makeError(core::ErrorCode::Invalid, std::string("report JSON: ") + e.what());
  }
}

}  // namespace shopwatch::agent::report
