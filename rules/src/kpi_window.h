#pragma once
// KpiWindow: the runs of one series (a check or a journey step) that its rules' KPIs need, over the
// longest window any rule on the series uses. Private to shopwatch::rules. Not thread-safe (value()
// fills a cache of sorted latencies): one engine thread owns it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/run_outcome.h"

namespace shopwatch::rules::detail {

class KpiWindow {
 public:
  explicit KpiWindow(core::Micros retain = std::chrono::minutes{15});

  /// The longest window of the rules on this series (runs older than now − retain are dropped, except
  /// the newest of them, whose coverage may reach into a window).
  void setRetain(core::Micros retain);
  /// A run row. Scheduled rows are appended in `at` order (an older or equal `at` than the newest is a
  /// superseded row and ignored); a confirm row decides the scheduled run with its run_id (that run turns
  /// down when the confirm failed) and is not a run of its own. Streak counters move with decided runs.
  void add(const RunOutcome& outcome);

  /// The KPI's value at `now` over [now − window, now) (window ignored by cert_days, streaks and
  /// no_data). Empty: no data — no run in the window (no latency sample for latency KPIs, no covered
  /// time outside maintenance for availability, no certificate for cert_days). `no_data` is empty only
  /// before the first run; the caller supplies the time it started watching (see noDataSince).
  /// `with_maintenance`: count maintenance runs too — while an alert is suppressed, so it shows what it
  /// would be (suppressed, not ok); once the window ends they are left out again, so an outage that
  /// was maintenance does not page afterwards.
  std::optional<double> value(const Expr& expr, core::Micros window, core::SystemTime now,
                              bool with_maintenance = false) const;

  /// Scheduled start of the newest run (empty before the first).
  std::optional<core::SystemTime> lastRunAt() const;
  /// Drops runs no window needs any more.
  void prune(core::SystemTime now);
  std::size_t samples() const;
  std::size_t memoryBytes() const;

 private:
  struct Sample {
    std::int64_t at_us = 0;
    std::int64_t run_id = 0;
    std::int64_t interval_us = 0;
    std::int64_t duration_us = 0;
    std::int64_t ttfb_us = 0;
    bool decided = false;
    bool down = false;
    bool success = false;
    bool maintenance = false;
    bool latency_sample = false;
  };
  /// Sorted latency values (durations or TTFBs) of the latency samples of one index range of runs_.
  /// Ranges are in absolute sample numbers (dropped_ + index), so appending and pruning never make
  /// an entry stale: the samples a range names never change.
  struct SortedRange {
    bool valid = false;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::vector<std::int64_t> values;
  };
  /// Per field: two windows on one series (15m and 1h rules, say) both stay cached.
  static constexpr std::size_t kCacheSlots = 2;
  struct SortedCache {
    SortedRange slots[kCacheSlots];
    std::size_t next = 0;  ///< the slot the next miss replaces
  };

  /// Indices [lo, hi) of the runs with `at` in [from, to).
  std::pair<std::size_t, std::size_t> range(std::int64_t from, std::int64_t to) const;
  std::optional<double> availability(std::int64_t from, std::int64_t to, bool with_maint) const;
  std::optional<double> errorRate(std::int64_t from, std::int64_t to, bool with_maint) const;
  std::optional<double> apdex(std::int64_t from, std::int64_t to, core::Micros t, bool with_maint) const;
  /// Nearest rank ⌈p·n⌉ (p in per mille) of the latency samples' durations (or TTFBs), in seconds.
  std::optional<double> percentile(std::int64_t from, std::int64_t to, bool ttfb,
                                   std::uint64_t per_mille) const;
  void countDecided(bool down);

  std::deque<Sample> runs_;
  std::uint64_t dropped_ = 0;  ///< runs pruned from the front so far (absolute numbering)
  core::Micros retain_;
  std::optional<core::SystemTime> cert_not_after_;  ///< of the newest run that reported one
  std::int64_t failure_streak_ = 0;
  std::int64_t success_streak_ = 0;
  mutable SortedCache duration_cache_;  ///< value() is const; not thread-safe (one engine thread)
  mutable SortedCache ttfb_cache_;
};

}  // namespace shopwatch::rules::detail
