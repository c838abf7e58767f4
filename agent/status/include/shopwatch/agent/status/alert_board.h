#pragma once
/// AlertBoard: the latest alert and SLO figures the rule worker published (agent/runtime), read by
/// /metrics and /api/v1/alerts. The worker publishes a whole immutable snapshot after each batch of
/// runs and each tick; readers take a shared_ptr and never block the worker. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/rule_engine.h"
#include "shopwatch/rules/slo.h"

namespace shopwatch::agent::status {

struct AlertSnapshot {
  core::SystemTime at{};
  std::vector<rules::AlertRecord> alerts;  ///< RuleEngine::alerts()
  std::vector<rules::SloStatus> slos;      ///< RuleEngine::slos()
  rules::EngineStats stats;
  /// Windows active now (config and API), for /api/v1/alerts' `maintenance` list.
  std::vector<rules::MaintenanceOccurrence> maintenance;
};

class AlertBoard {
 public:
  void publish(std::shared_ptr<const AlertSnapshot> snapshot) {
    std::lock_guard lock(mu_);
    engine_ = std::move(snapshot);
    merge();
  }
  /// Alerts the agent raises about itself outside the rule engine (a paused backlog sink, see
  /// backlog::kSinkPausedRule): listed after the engine's in every snapshot from now on.
  void setInternal(std::vector<rules::AlertRecord> records) {
    std::lock_guard lock(mu_);
    internal_ = std::move(records);
    merge();
  }
  /// Never null (an empty snapshot before the first publish).
  std::shared_ptr<const AlertSnapshot> current() const {
    std::lock_guard lock(mu_);
    return current_;
  }

 private:
  void merge() {
    if (internal_.empty()) {
      current_ = engine_;
      return;
    }
    auto merged = std::make_shared<AlertSnapshot>(*engine_);
    merged->alerts.insert(merged->alerts.end(), internal_.begin(), internal_.end());
    current_ = std::move(merged);
  }

  mutable std::mutex mu_;
  std::shared_ptr<const AlertSnapshot> engine_ = std::make_shared<const AlertSnapshot>();
  std::vector<rules::AlertRecord> internal_;
  std::shared_ptr<const AlertSnapshot> current_ = engine_;
};

/// The alert and SLO families of /metrics (text format 0.0.4, HELP and TYPE once per family):
///   shopwatch_alert_state{rule,shop,env,check,step,severity}  0 ok, 1 pending, 2 firing, 3 suppressed
///   shopwatch_alert_flapping{rule,shop,env,check,step,severity}  1 while flapping
///   shopwatch_slo_objective_ratio{slo,shop,env,check,step}
///   shopwatch_slo_error_budget_remaining_ratio{slo,shop,env,check,step}  (absent without events)
///   shopwatch_slo_burn_rate{slo,shop,env,check,step,window}  (absent for windows without events)
///   shopwatch_rules_window_samples, shopwatch_rules_memory_bytes  (gauges)
void writeAlertMetrics(const AlertSnapshot& snapshot, std::string& out);

/// GET /api/v1/alerts: `{"alerts":[{rule, shop, env, check, step, state, since, value, threshold,
/// severity, expr, flapping, suppressed_by, fired_at, resolved_at, value_text, threshold_text}],
/// "slos":[{slo, shop, env, check, step, objective, budget_remaining, events, bad, burn_rates:{"5m":..},
/// breach}], "maintenance":[...]}` — times RFC 3339 UTC, `value` null without data.
std::string alertsJson(const AlertSnapshot& snapshot);

}  // namespace shopwatch::agent::status
