#pragma once
/// A hand-built AlertSnapshot for the alert endpoint tests: alerts in every API state (ok, pending,
/// firing, suppressed, resolved), a journey step, another shop and env, an SLO burn alert, an SLO
/// with burn rates and a breach and one without events, and two active maintenance windows.

#include <chrono>
#include <memory>
#include <string>

#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/rules/slo.h"

namespace shopwatch::testing {

/// 2027-01-15T08:00:00Z.
inline const core::SystemTime kAlertNow{std::chrono::seconds{1'800'000'000}};

inline rules::Target alertTarget(const std::string& shop, const std::string& check,
                                 const std::string& step = "",
                                 const std::string& env = "production") {
  return rules::Target{core::CheckKey{shop, env, check}, step};
}

inline std::shared_ptr<const agent::status::AlertSnapshot> makeAlertSnapshot() {
  using rules::AlertState;
  using rules::Severity;
  using std::chrono::minutes;
  auto s = std::make_shared<agent::status::AlertSnapshot>();
  s->at = kAlertNow;

  rules::AlertRecord pending;  // 1: pending for 5 minutes
  pending.rule = "home-slow";
  pending.target = alertTarget("acme", "home");
  pending.severity = Severity::Warning;
  pending.state = AlertState::Pending;
  pending.since = kAlertNow - minutes{5};
  pending.breach_since = pending.since;
  pending.value = 0.912;
  pending.threshold = 0.8;
  pending.expr = "p95 > 800ms";
  s->alerts.push_back(pending);

  rules::AlertRecord firing;  // 2: firing for 10 minutes
  firing.rule = "checkout-down";
  firing.target = alertTarget("acme", "checkout");
  firing.severity = Severity::Critical;
  firing.state = AlertState::Firing;
  firing.since = kAlertNow - minutes{10};
  firing.fired_at = firing.since;
  firing.value = 0.75;
  firing.threshold = 1.0;
  firing.expr = "availability < 100%";
  s->alerts.push_back(firing);

  rules::AlertRecord ok;  // 3: a journey step, no data yet, never fired
  ok.rule = "cart-slow";
  ok.target = alertTarget("acme", "checkout", "cart");
  ok.severity = Severity::Info;
  ok.state = AlertState::Ok;
  ok.threshold = 2.0;
  ok.expr = "p95 > 2s";
  s->alerts.push_back(ok);

  rules::AlertRecord resolved;  // 4: fired an hour ago for 5 minutes
  resolved.rule = "search-errors";
  resolved.target = alertTarget("acme", "search");
  resolved.severity = Severity::Warning;
  resolved.state = AlertState::Ok;
  resolved.since = kAlertNow - minutes{55};
  resolved.fired_at = kAlertNow - minutes{60};
  resolved.resolved_at = resolved.since;
  resolved.value = 0.0;
  resolved.threshold = 0.05;
  resolved.expr = "error_rate > 5%";
  s->alerts.push_back(resolved);

  rules::AlertRecord suppressed;  // 5: another shop and env, in maintenance, flapping
  suppressed.rule = "home-slow";
  suppressed.target = alertTarget("beta", "home", "", "staging");
  suppressed.severity = Severity::Warning;
  suppressed.state = AlertState::Suppressed;
  suppressed.since = kAlertNow - minutes{2};
  suppressed.value = 1.5;
  suppressed.threshold = 0.8;
  suppressed.expr = "p95 > 800ms";
  suppressed.flapping = true;
  suppressed.suppressed_by = "maintenance weekly-updates";
  s->alerts.push_back(suppressed);

  rules::AlertRecord burn;  // 6: an SLO's burn-rate alert (its expr is the tier, not a KPI)
  burn.rule = "checkout-availability";
  burn.target = alertTarget("acme", "checkout");
  burn.severity = Severity::Critical;
  burn.state = AlertState::Firing;
  burn.since = kAlertNow - minutes{3};
  burn.fired_at = burn.since;
  burn.value = 20.0;
  burn.threshold = 14.4;
  burn.expr = "1h/5m";
  s->alerts.push_back(burn);

  rules::SloStatus slo;
  slo.slo = "checkout-availability";
  slo.target = alertTarget("acme", "checkout");
  slo.objective = 0.995;
  slo.budget_remaining = 0.25;
  slo.events = 8640;
  slo.bad = 32;
  const double rates[] = {20.0, 8.0, 16.0, 4.0, 1.5, 0.5, 0.75};
  std::size_t i = 0;
  for (const auto& [name, window] : rules::burnRateWindows()) {
    (void)window;
    slo.burn_rates.push_back(rules::BurnRate{name, rates[i++]});
  }
  slo.breach = rules::BurnBreach{&rules::burnTiers()[0], 16.0, 20.0, std::chrono::minutes{15}};
  s->slos.push_back(slo);

  rules::SloStatus quiet;  // no events yet: objective only
  quiet.slo = "cart-latency";
  quiet.target = alertTarget("acme", "checkout", "cart");
  quiet.objective = 0.99;
  for (const auto& [name, window] : rules::burnRateWindows()) {
    (void)window;
    quiet.burn_rates.push_back(rules::BurnRate{name, std::nullopt});
  }
  s->slos.push_back(quiet);

  s->stats = rules::EngineStats{6, 1234, 56789};
  s->maintenance.push_back(rules::MaintenanceOccurrence{
      "weekly-updates", 0, kAlertNow - minutes{30}, kAlertNow + minutes{90}, "OS updates"});
  s->maintenance.push_back(rules::MaintenanceOccurrence{"api-7", 7, kAlertNow - minutes{10},
                                                        kAlertNow + minutes{50}, "deploy 4.2"});
  return s;
}

}  // namespace shopwatch::testing
