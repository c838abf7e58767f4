#pragma once
// The rule engine's layout: which series (checks and steps) it watches, which alerts sit on each,
// in which order they are evaluated, and which series suppress which (depends_on). Built from a
// RuleSet on every configure(); the engine then carries windows, SLO history and alert records over
// from the old layout. Private to shopwatch::rules.

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kpi_window.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/slo.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::rules::detail {

inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

enum class AlertKind { Rule, Slo, Connectivity };

/// One alert: its record plus what evaluating it needs, precomputed.
struct AlertSlot {
  AlertRecord record;
  AlertKind kind = AlertKind::Rule;
  std::size_t series = kNone;   ///< the series it watches (not for Connectivity)
  std::size_t tracker = kNone;  ///< Slo: index into Layout::trackers
  Expr expr;                    ///< Rule
  core::Micros window{0};
  core::Micros for_duration{0};
  core::Micros clear_for{0};
  bool higher_is_worse = true;
  /// A firing alert of this kind on a parent check suppresses its dependents: availability,
  /// error_rate, failure_streak and no_data rules, and SLO alerts.
  bool marks_parent_outage = false;
  /// When the engine started watching it (configure or restore time): the no_data clock before the
  /// series' first run.
  core::SystemTime watch_since{};
};

/// One SLO × target.
struct TrackerSlot {
  SloSpec spec;
  Target target;
  core::Micros interval{0};
  std::unique_ptr<SloTracker> tracker;
};

/// One watched series: a check as a whole, or one step of a journey.
struct Series {
  Target target;
  std::string path;          ///< seriesPath(target): the lookup key of runs
  std::size_t shop = kNone;  ///< index into Layout::shops
  core::Micros interval{0};
  core::Micros retain{0};  ///< the longest window of its rules (at least one interval)
  KpiWindow window;
  std::vector<std::size_t> alerts;    ///< rule and SLO alerts on this series
  std::vector<std::size_t> trackers;  ///< SLO trackers fed by this series' runs
  std::size_t parent = kNone;         ///< the parent check's series (depends_on), if watched
  std::string parent_reason;          ///< "parent acme/home"
  int depth = 0;                      ///< dependency depth of the series' check (roots 0)
};

/// A shop's maintenance reason, cached per evaluation instant.
struct ShopSlot {
  std::string name;
  std::int64_t evaluated_at_us = std::numeric_limits<std::int64_t>::min();
  std::string reason;  ///< "maintenance <name>", empty when no window is active
};

struct CanarySlot {
  core::CheckKey key;
  std::optional<bool> down;  ///< the newest decided run's outcome; empty before the first
};

struct Layout {
  std::vector<Series> series;
  std::vector<AlertSlot> alerts;
  std::vector<TrackerSlot> trackers;  ///< tracker pointers still empty (the engine fills them)
  std::vector<ShopSlot> shops;
  std::vector<CanarySlot> canaries;
  std::size_t connectivity = kNone;  ///< the agent-connectivity alert, when canaries exist
  std::vector<std::size_t> order;    ///< series indices, parents before children
};

/// The lookup key of a run's series: `shop/env/check` or `shop/env/check/step`.
std::string seriesPath(const core::CheckKey& key, const std::string& step);

/// The four burn tiers' alert texts, burnTiers() order ("burn rate > 14.4x over 1h and 5m").
const std::vector<std::string>& burnTierTexts();

/// Expands `set` into a fresh layout (every record ok since `now`). Canary checks and shop
/// `shopwatch` are never targets; a repeated (rule name, target) keeps its first alert.
Layout buildLayout(const RuleSet& set, core::SystemTime now);

}  // namespace shopwatch::rules::detail
