#pragma once
/// SLO error budgets and multi-window multi-burn-rate alerts (research/ticketing-slo.md §7; SRE Workbook
/// table). Events are decided runs outside maintenance; a bad event is a run that is down, or (with
/// `latency.threshold`) a passing run slower than the threshold.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/run_outcome.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::rules {

/// One row of the MWMB table: fires when the error ratio over both windows exceeds factor × budget.
struct BurnTier {
  core::Micros long_window;
  core::Micros short_window;
  double factor;
  Severity severity;
  std::string_view label;  ///< "1h/5m"
};

/// 1h/5m 14.4× and 6h/30m 6× → critical; 3d/6h 1× and 1d/2h 3× → warning.
const std::array<BurnTier, 4>& burnTiers();
/// The windows burn rates are exported for (`shopwatch_slo_burn_rate{window}`): 5m 30m 1h 2h 6h 1d 3d.
const std::vector<std::pair<std::string_view, core::Micros>>& burnRateWindows();

struct BurnRate {
  std::string_view window;       ///< "5m" … "3d"
  std::optional<double> value;   ///< error ratio / budget; empty when the window holds no events
};

/// A tier that holds: both windows above factor × budget, at least 2 bad events in the long window,
/// the short window stretched to cover at least 3 runs of the check.
struct BurnBreach {
  const BurnTier* tier = nullptr;
  double long_burn = 0;
  double short_burn = 0;
  core::Micros short_window{0};  ///< after stretching
};

struct SloStatus {
  std::string slo;
  Target target;
  double objective = 0;
  std::optional<double> budget_remaining;  ///< 1 − error_ratio(period)/(1 − objective); empty: no events
  std::int64_t events = 0;                  ///< over the period
  std::int64_t bad = 0;
  std::vector<BurnRate> burn_rates;         ///< burnRateWindows() order
  std::optional<BurnBreach> breach;         ///< the most severe tier that holds now
};

/// One SLO on one target. Not thread-safe.
///
/// Events: add() counts an outcome only when it is decided and outside maintenance. A scheduled row is
/// bad when the run is down, or (with `latency.threshold`) when it is a passing latency sample slower
/// than the threshold; a confirm row decides its run: bad when down, else good (never a latency event).
/// An event is counted at `outcome.at` (the run's scheduled start).
///
/// Buckets and windows (exactly what a window of length w at `now` sums):
/// - minute buckets (epoch minutes) for the last 6 h + 1 minute; hour buckets (epoch hours) for the
///   period + 1 hour.
/// - w ≤ 6 h: the minute buckets from the minute containing `now − w` through the minute containing
///   `now` (w/1min + 1 buckets when w is whole minutes; the oldest is partial).
/// - w > 6 h: the hour buckets from the hour containing `now − w` (aligned down to the hour's start)
///   through the hour containing `now`.
/// - every window is capped at the period; the period itself (budget, events, bad) is summed by the
///   same rules (for a 30 d period: the hour containing now − 30 d through now's hour, 721 buckets).
/// - events at or after `now`'s bucket end are not in any window at `now`.
/// Events older than a ring (relative to the newest event added) are dropped from it: minute buckets
/// keep 6 h, hour buckets the period. addHour() fills hour buckets only, so rollup hours count in windows
/// longer than 6 h (and in the period) but never in the minute windows.
///
/// Figures: error ratio(w) = bad/events over w; burn(w) = ratio(w) / (1 − objective) (an objective of
/// 100 % has no budget: burn is +inf with a bad event, 0 without); budget remaining = 1 − ratio(period) /
/// (1 − objective), negative once the budget is spent, empty without events.
class SloTracker {
 public:
  SloTracker(SloSpec spec, Target target, core::Micros check_interval);

  /// One run (only decided, non-maintenance outcomes count; others are ignored).
  void add(const RunOutcome& outcome);
  /// Start-up: an hour the store only holds as a rollup (older than its raw rows), already counted:
  /// `events` decided runs outside maintenance, `bad` of them bad. Negative counts are ignored.
  void addHour(core::SystemTime hour_start, std::int64_t events, std::int64_t bad);

  SloStatus status(core::SystemTime now) const;
  /// The most severe tier of burnTiers() that holds at `now` (critical before warning; within one
  /// severity the first in table order): burn(long) > factor, burn(short') > factor with short' =
  /// max(short, 3 × check interval), and at least 2 bad events in the long window.
  std::optional<BurnBreach> breach(core::SystemTime now) const;
  const SloSpec& spec() const { return spec_; }
  const Target& target() const { return target_; }
  /// Heap and object bytes held (buckets, names).
  std::size_t memoryBytes() const;

 private:
  struct Counts {
    std::uint32_t events = 0;
    std::uint32_t bad = 0;
  };
  /// A ring of buckets over consecutive indices (epoch minutes or hours) ending at `newest`.
  struct Ring {
    std::vector<Counts> slots;
    std::int64_t newest = 0;  ///< index of the newest bucket (valid: newest − size + 1 … newest)
    bool started = false;

    /// The bucket for `index`, advancing the ring when it is newer; nullptr when it is too old.
    Counts* at(std::int64_t index);
    /// Σ of buckets first … last (inclusive) that the ring still holds.
    void sum(std::int64_t first, std::int64_t last, std::int64_t& events, std::int64_t& bad) const;
  };
  struct Sum {
    std::int64_t events = 0;
    std::int64_t bad = 0;
  };
  Sum sum(core::SystemTime now, core::Micros window) const;
  std::optional<double> burn(const Sum& s) const;
  void count(core::SystemTime at, bool bad);

  SloSpec spec_;
  Target target_;
  core::Micros interval_;
  Ring minutes_;
  Ring hours_;
};

}  // namespace shopwatch::rules
