#pragma once
/// What `rules:`, `slos:` and the dependency/canary settings of a config say, as the rule engine takes
/// them (agent/config builds these; the engine never reads YAML).

#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::rules {

/// One `rules[]` entry.
struct RuleSpec {
  std::string name;
  TargetPattern target;
  Expr expr;
  core::Micros window{std::chrono::minutes{15}};  ///< ignored by streak, cert_days and no_data KPIs
  /// Pending this long before firing; empty: 2 × the target check's interval.
  std::optional<core::Micros> for_duration;
  /// Healthy this long before resolving; empty: max(2 × interval, 5m).
  std::optional<core::Micros> clear_for;
  Severity severity = Severity::Warning;
};

/// One `slos[]` entry.
struct SloSpec {
  std::string name;
  TargetPattern target;
  double objective = 0.999;  ///< 0..1 (`99.5%` → 0.995)
  core::Micros period{std::chrono::hours{24 * 30}};
  /// `latency: { threshold: 2s }`: a passing run slower than this is a bad event.
  std::optional<core::Micros> latency_threshold;
};

/// What the engine needs to know of one check (and so of its steps).
struct CheckInfo {
  core::CheckKey key;
  core::Micros interval{std::chrono::seconds{60}};
  std::vector<std::string> steps;  ///< a journey's step names (cleanup included), in order
  /// `depends_on:` the parent check; its availability alerts firing suppress this check's alerts.
  std::optional<core::CheckKey> depends_on;
};

/// Everything the engine evaluates; replaced as a whole on reload (configure()).
struct RuleSet {
  std::vector<RuleSpec> rules;
  std::vector<SloSpec> slos;
  std::vector<CheckInfo> checks;
  /// `agent.canary` checks (internal checks of shop `shopwatch`, named `canary-1` ...): when every one of
  /// them fails, all alerts are held as suppressed and the agent-level alert `agent-connectivity` fires.
  std::vector<core::CheckKey> canaries;
  /// `maintenance:` from the config (API windows join them in the MaintenanceCalendar handed to RuleEngine::setCalendar).
  std::vector<MaintenanceSpec> maintenance;
};

}  // namespace shopwatch::rules
