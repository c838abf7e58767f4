#pragma once
/// Accounting figures over a window (DESIGN.md, "Accounting").

#include <array>
#include <cstdint>
#include <optional>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage {

/// How unmonitored time enters availability (`sla.unmonitored`). Exclude is the default.
enum class UnmonitoredPolicy { Exclude, Up, Down };

struct Aggregate {
  SeriesKey series;
  std::int64_t runs = 0;          ///< scheduled runs started in the window (confirm rows excluded)
  std::int64_t failed = 0;        ///< of those, failed (confirmed or not)
  std::int64_t down_runs = 0;     ///< of those, failures that count (confirmed or confirm disabled)
  std::int64_t confirm_runs = 0;  ///< confirm re-checks started in the window
  /// Failed scheduled runs per reason, indexed by core::FailureReason (index 0 unused).
  std::array<std::int64_t, core::kFailureReasonCount> failures_by_reason{};
  core::Micros covered{0};      ///< time covered by runs, clipped to the window
  core::Micros maintenance{0};  ///< covered time of runs in maintenance
  core::Micros downtime{0};     ///< covered time of counted-down runs outside maintenance
  core::Micros unmonitored{0};  ///< gaps between runs, clipped to the window
  std::int64_t latency_samples = 0;  ///< passing scheduled runs
  std::optional<core::Micros> p50, p90, p95, p99;  ///< nearest-rank percentiles of duration

  /// (covered − maintenance − downtime) / (covered − maintenance), with unmonitored time added to
  /// covered (Up) or to covered and downtime (Down) per `policy`. Empty when the denominator is 0.
  std::optional<double> availability(UnmonitoredPolicy policy = UnmonitoredPolicy::Exclude) const;
};

}  // namespace shopwatch::storage
