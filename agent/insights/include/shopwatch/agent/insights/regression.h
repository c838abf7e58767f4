#pragma once
/// Regressions ([F]): a series whose last 24 h are significantly slower than the 7 days before.
///
/// Rule, for the run duration and for server time (TTFB) alike:
/// - baseline: the samples of [now − 8 d, now − 24 h); recent: those of [now − 24 h, now).
/// - When it started: each recent sample scores 1 above the baseline median, else 0; the change
///   point is the split maximising the CUSUM bridge (k/n)·S_n − S_k over the recent samples in time
///   order (the part before it furthest below the window's average). When the part before it is
///   already nearer the later level than the baseline's ½, the change predates the window and the
///   window's first sample is taken. `since` is the first sample from the change point on.
/// - The changed segment (from the change point on, at least `min_recent` samples) must differ
///   from the baseline by a one-sided Mann–Whitney U test (normal approximation, tie-corrected)
///   with z ≥ `min_z`, AND by a practical effect: segment p95 ≥ `min_ratio` × baseline p95,
///   p95 increase ≥ `min_increase_ms`, segment median above baseline median + one scaled MAD.
/// - At least `min_baseline` baseline samples.
/// When both regressed, server time is reported (`metric: ttfb`) if it explains at least half of
/// the duration's p95 increase, else the duration. saving_seconds = the p95 increase.
/// O(n log n) per series.

#include <cstddef>
#include <optional>

#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/insights/timing_samples.h"

namespace shopwatch::agent::insights {

struct RegressionOptions {
  std::size_t min_recent = 30;
  std::size_t min_baseline = 100;
  double min_z = 4.0;
  double min_ratio = 1.2;
  double min_increase_ms = 50.0;
};

std::optional<Finding> detectRegression(const SeriesSamples& series, core::SystemTime now,
                                        const RegressionOptions& options = {});

}  // namespace shopwatch::agent::insights
