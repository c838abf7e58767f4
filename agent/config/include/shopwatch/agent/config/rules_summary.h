#pragma once
/// What `check-config -v` shows of the rules, SLOs and maintenance windows of a loaded config: each
/// rule's expanded targets with their effective timers, each SLO's error budget, each maintenance
/// window's next occurrence. Formatted for people; pure functions, thread-safe.

#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::agent {

/// One target of a rule, with the timers it gets there.
struct RuleTargetSummary {
  std::string target;          ///< "acme/home (production)", "acme/checkout/cart (staging)"
  std::string for_duration;    ///< "5m"
  bool for_set = false;        ///< written in the rule; otherwise 2 × interval
  std::string clear_for;       ///< "10m"
  bool clear_for_set = false;  ///< written; otherwise max(2 × interval, 5m)
};

struct RuleSummary {
  std::string name;
  std::string expr;      ///< normalised: "p95 > 800ms"
  std::string window;    ///< "15m"
  std::string severity;  ///< "warning"
  std::vector<RuleTargetSummary> targets;
};

struct SloSummary {
  std::string name;
  std::string objective;  ///< "99.5%"
  std::string period;     ///< "30d"
  std::string budget;     ///< the allowed bad time over the period: "216 min", "43.2 min"
  std::string latency;    ///< "2s", or empty without `latency:`
  std::vector<std::string> targets;  ///< as RuleTargetSummary::target
};

struct MaintenanceSummary {
  std::string name;
  std::string shops;     ///< "acme, acme-b" or "all shops"
  std::string schedule;  ///< "every sunday 02:00 Europe/Vienna" or "once at 2026-03-01T01:00:00Z"
  std::string duration;  ///< "2h"
  std::string reason;
  /// The next occurrence (or the one in progress) as "START to END" in UTC RFC 3339, or "none"
  /// when a one-off window is over (or a recurrence has no day within 400 days).
  std::string next;
};

/// In config order; targets in check order.
std::vector<RuleSummary> ruleSummaries(const AgentConfig& config);
std::vector<SloSummary> sloSummaries(const AgentConfig& config);
/// Next occurrences as seen at `now`.
std::vector<MaintenanceSummary> maintenanceSummaries(const AgentConfig& config,
                                                     core::SystemTime now);

/// An `every:` value as written canonically: "daily 02:00", "sunday 02:00", "day 1 03:00",
/// "first monday 02:00", "last friday 23:30".
std::string formatRecurrence(const rules::Recurrence& recurrence);

}  // namespace shopwatch::agent
