#pragma once
/// Alert state per rule and target (research/ticketing-slo.md §8): ok → pending (condition true) →
/// firing (true for `for`) → ok after `clear_for` healthy; suppressed while a maintenance window, a firing
/// parent or lost agent connectivity holds it. AlertRecord is the whole state: what the API shows, what
/// is persisted and what restore() takes back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/clock.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::rules {

/// Numbering is the value of `shopwatch_alert_state`.
enum class AlertState { Ok = 0, Pending = 1, Firing = 2, Suppressed = 3 };

std::string_view alertStateName(AlertState s);  ///< ok | pending | firing | suppressed
std::optional<AlertState> parseAlertState(std::string_view text);

/// The agent-level alert raised when every `agent.canary` fails.
inline constexpr std::string_view kConnectivityRule = "agent-connectivity";

struct AlertRecord {
  std::string rule;   ///< rules[].name, slos[].name for a burn-rate alert, or kConnectivityRule
  Target target;
  Severity severity = Severity::Warning;
  AlertState state = AlertState::Ok;
  core::SystemTime since{};  ///< when `state` began
  /// The condition has held since (drives `for`; kept across restarts so a pending alert keeps its timer).
  std::optional<core::SystemTime> breach_since;
  /// While firing: the condition has been healthy since (drives `clear_for`).
  std::optional<core::SystemTime> healthy_since;
  std::optional<core::SystemTime> fired_at;     ///< start of the current (or last) firing
  std::optional<core::SystemTime> resolved_at;  ///< end of the last firing (state ok since then)
  std::optional<double> value;  ///< the KPI's latest value (KPI unit); empty: no data
  std::optional<double> peak;   ///< worst value during the current/last firing
  double threshold = 0;
  std::string expr;             ///< the expression as written (SLOs: the burn tier that fired)
  bool flapping = false;
  std::uint32_t flap_history = 0;  ///< newest condition flips, bit 0 newest (21 used)
  std::uint32_t flap_samples = 0;  ///< how many of those bits are filled (≤ 21)
  std::string suppressed_by;       ///< why suppressed: "maintenance weekly-updates", "parent acme/home" …

  /// ok | pending | firing | suppressed, and `resolved` for an ok alert that has fired before
  /// (GET /api/v1/alerts).
  std::string_view apiState() const;
};

/// One state change the engine made; persisted (with the alert's whole record) before anything acts on
/// it, and the input of incidents ([D]). A firing alert whose severity changed (an SLO escalating from the
/// ticket to the page tier) is a transition from Firing to Firing.
struct AlertTransition {
  AlertRecord alert;  ///< the state after
  AlertState from = AlertState::Ok;
  Severity from_severity = Severity::Warning;
  core::SystemTime at{};
  bool removed = false;  ///< the rule or target left the config (the record is the last state)
};

}  // namespace shopwatch::rules
