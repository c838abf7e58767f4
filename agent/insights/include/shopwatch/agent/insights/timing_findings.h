#pragma once
/// Slow phases ([F]): a series whose p95 of one phase over the last 24 h is above that phase's
/// threshold gets a finding (`slow-dns`, `slow-connect`, `slow-tls`, `slow-ttfb` for server time,
/// `slow-transfer`) saving p95 − target. Each finding's evidence holds the phase's p95, the
/// threshold and target, and the 24 h and 7 d phase breakdowns (phase_breakdown.h). Series with
/// fewer than `min_samples` runs in the last 24 h get none.

#include <array>
#include <cstddef>
#include <vector>

#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/insights/phase_breakdown.h"
#include "shopwatch/agent/insights/timing_samples.h"

namespace shopwatch::agent::insights {

struct TimingThresholds {
  std::size_t min_samples = 20;
  /// Per phase (resolve, connect, tls, processing, transfer), milliseconds.
  std::array<double, kPhaseCount> threshold_ms{100, 150, 200, 600, 500};
  std::array<double, kPhaseCount> target_ms{20, 50, 80, 200, 100};
};

/// The finding id of a slow phase.
const char* slowPhaseId(std::size_t phase);

std::vector<Finding> timingFindings(const SeriesSamples& series, core::SystemTime now,
                                    const TimingThresholds& thresholds = {});

/// `shop/check[/step]` as findings' summaries name a series.
std::string seriesName(const SeriesSamples& series);

}  // namespace shopwatch::agent::insights
