#pragma once
// The alert state machine (research/ticketing-slo.md §8): one step of one alert at one instant.
// Pure functions over an AlertRecord; the engine supplies the KPI value, the suppression reason and
// the timers. Private to shopwatch::rules.

#include <optional>
#include <string_view>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::rules::detail {

/// What one step changed: `changed` when the state (or, while firing, the severity) moved; `from`
/// and `from_severity` are the values before, for the transition the engine queues.
struct StepOutcome {
  bool changed = false;
  AlertState from = AlertState::Ok;
  Severity from_severity = Severity::Warning;
};

/// One rule alert's inputs at `now`.
struct RuleInput {
  core::SystemTime now{};
  std::optional<double> value;  ///< empty: no data (nothing changes)
  bool breached = false;        ///< expr.breached(*value); ignored without a value
  bool higher_is_worse = true;  ///< the expression's direction (`>`: higher is worse), for the peak
  core::Micros for_duration{0};
  core::Micros clear_for{0};
  std::string_view suppressed_by;  ///< empty: nothing suppresses the alert
};

/// Steps a rule alert:
/// - no data: the state holds (a pending alert keeps its timer, a firing one does not resolve);
/// - ok + breached → pending (→ firing at once when `for` is 0), or suppressed while a reason
/// holds;
/// - pending + breached for `for` → firing; pending + healthy → ok (not while flapping);
///   pending while a reason holds → suppressed;
/// - firing + healthy for `clear_for` → ok (not while flapping); firing + breached tracks the peak;
///   a firing alert is never suppressed;
/// - suppressed, once no reason holds: breached → pending (`for` counts from now), else → ok.
StepOutcome stepRuleAlert(AlertRecord& alert, const RuleInput& in);

/// One SLO burn-rate alert's inputs at `now` (no `for`: a tier that holds fires at once).
struct SloInput {
  core::SystemTime now{};
  bool breached = false;        ///< a burn tier holds
  std::optional<double> value;  ///< the long-window burn of the tier that holds (or the 1h burn)
  Severity severity = Severity::Critical;  ///< the tier's (when breached)
  double threshold = 0;                    ///< the tier's factor (when breached)
  std::string_view expr;                   ///< the tier's text (when breached)
  std::string_view suppressed_by;
};

/// Steps an SLO alert: ok → firing at once when a tier holds (suppressed while a reason holds); a
/// different tier's severity while firing is a Firing → Firing change; no tier → ok at once (not
/// while flapping); suppressed, once no reason holds → firing or ok.
StepOutcome stepSloAlert(AlertRecord& alert, const SloInput& in);

/// Steps the agent-connectivity alert: firing at once while `lost`, ok at once otherwise.
StepOutcome stepConnectivityAlert(AlertRecord& alert, core::SystemTime now, bool lost);

}  // namespace shopwatch::rules::detail
