#include <nlohmann/json.hpp>
#include <optional>

#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/rules/expr.h"

namespace shopwatch::agent::status {

namespace {

using nlohmann::json;

json timeOrNull(const std::optional<core::SystemTime>& t) {
  return t ? json(core::formatRfc3339(*t)) : json(nullptr);
}

json textOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

void putTarget(json& j, const rules::Target& target) {
  j["shop"] = target.key.shop;
  j["env"] = target.key.env;
  j["check"] = target.key.check;
  j["step"] = textOrNull(target.step);
}

json alertObject(const rules::AlertRecord& a) {
  json j = json::object();
  j["rule"] = a.rule;
  putTarget(j, a.target);
  j["state"] = std::string(a.apiState());
  j["since"] = a.since == core::SystemTime{} ? json(nullptr) : json(core::formatRfc3339(a.since));
  j["value"] = a.value ? json(*a.value) : json(nullptr);
  j["threshold"] = a.threshold;
  j["severity"] = std::string(rules::severityName(a.severity));
  j["expr"] = a.expr;
  j["flapping"] = a.flapping;
  j["suppressed_by"] = textOrNull(a.suppressed_by);
  j["fired_at"] = timeOrNull(a.fired_at);
  j["resolved_at"] = timeOrNull(a.resolved_at);
  // The record carries the expression as written; its KPI gives the unit for the human-readable
  // figures. SLO burn alerts carry a tier label ("1h/5m") instead, which has no KPI: null texts.
  json value_text = nullptr;
  json threshold_text = nullptr;
  if (const auto expr = rules::parseExpr(a.expr)) {
    threshold_text = rules::formatKpiValue(expr->kpi, a.threshold);
    if (a.value) value_text = rules::formatKpiValue(expr->kpi, *a.value);
  }
  j["value_text"] = std::move(value_text);
  j["threshold_text"] = std::move(threshold_text);
  return j;
}

json sloObject(const rules::SloStatus& s) {
  json j = json::object();
  j["slo"] = s.slo;
  putTarget(j, s.target);
  j["objective"] = s.objective;
  j["budget_remaining"] = s.budget_remaining ? json(*s.budget_remaining) : json(nullptr);
  j["events"] = s.events;
  j["bad"] = s.bad;
  json rates = json::object();
  for (const auto& r : s.burn_rates)
    rates[std::string(r.window)] = r.value ? json(*r.value) : json(nullptr);
  j["burn_rates"] = std::move(rates);
  if (s.breach && s.breach->tier != nullptr) {
    const auto& t = *s.breach->tier;
    j["breach"] = {{"tier", std::string(t.label)},
                   {"severity", std::string(rules::severityName(t.severity))},
                   {"factor", t.factor},
                   {"long_burn", s.breach->long_burn},
                   {"short_burn", s.breach->short_burn},
                   {"short_window", core::formatDuration(s.breach->short_window)}};
  } else {
    j["breach"] = nullptr;
  }
  return j;
}

json maintenanceObject(const rules::MaintenanceOccurrence& m) {
  return {{"name", m.name},
          {"id", m.id != 0 ? json(m.id) : json(nullptr)},
          {"start", core::formatRfc3339(m.start)},
          {"end", core::formatRfc3339(m.end)},
          {"reason", m.reason}};
}

}  // namespace

std::string alertsJson(const AlertSnapshot& snapshot) {
  json alerts = json::array();
  for (const auto& a : snapshot.alerts) alerts.push_back(alertObject(a));
  json slos = json::array();
  for (const auto& s : snapshot.slos) slos.push_back(sloObject(s));
  json maintenance = json::array();
  for (const auto& m : snapshot.maintenance) maintenance.push_back(maintenanceObject(m));
  const json j = {{"alerts", std::move(alerts)},
                  {"slos", std::move(slos)},
                  {"maintenance", std::move(maintenance)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace shopwatch::agent::status
