#pragma once
/// "Where the time goes" ([F]): a series' p95 split into its phases — DNS, connect, TLS, server time
/// (connection ready → first byte) and transfer.
///
/// Rule: the share of each phase in the p95 is the mean of that phase over the runs of the p95's
/// neighbourhood (durations between p90 and p99 inclusive: the slow runs the p95 describes, not
/// the typical ones), divided by their mean duration. Percentiles are nearest-rank.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/insights/timing_samples.h"

namespace shopwatch::agent::insights {

inline constexpr std::size_t kPhaseCount = 5;  ///< resolve, connect, tls, processing, transfer

struct PhaseBreakdown {
  std::size_t samples = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  std::array<double, kPhaseCount> phase_ms{};       ///< mean over the p95 neighbourhood
  std::array<double, kPhaseCount> phase_percent{};  ///< of the neighbourhood's mean duration
  std::size_t dominant = 0;                         ///< index of the largest phase
};

/// The breakdown of the samples started in [from, to); nullopt when there is none.
std::optional<PhaseBreakdown> phaseBreakdown(const std::vector<TimingSample>& samples,
                                             core::SystemTime from, core::SystemTime to);

/// A phase's value of a sample, in milliseconds (index as in kPhaseCount).
double phaseMs(const TimingSample& s, std::size_t phase);
/// "DNS", "connect", "TLS", "server time", "transfer".
std::string_view phaseWord(std::size_t phase);
/// "resolve", "connect", "tls", "processing", "transfer" (the metrics' phase label).
std::string_view phaseKey(std::size_t phase);
/// "server time is 82% of acme/checkout/cart p95 (1.42 s)".
std::string breakdownSentence(const PhaseBreakdown& b, const std::string& target);
/// "1.42 s" / "812 ms".
std::string formatMs(double value_ms);
/// {"samples", "p50_ms", "p95_ms", "phases": {"resolve": {"ms", "percent"}, ...}, "dominant"}.
nlohmann::json breakdownJson(const PhaseBreakdown& b);

}  // namespace shopwatch::agent::insights
