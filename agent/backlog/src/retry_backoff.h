#pragma once
// The outbox's retry delay (research/ticketing-slo.md §5): full jitter over an exponential backoff,
// never shorter than a floor (so a retry is never immediate) and never before the sink's
// Retry-After.

#include <algorithm>
#include <cstdint>
#include <optional>

#include "shopwatch/core/duration.h"

namespace shopwatch::agent::backlog::detail {

/// `attempts` ≥ 1 made so far; `r` uniform in [0, 1). Delay = max(floor, r · min(cap, base ·
/// 2^(n−1)), retry_after).
inline core::Micros retryDelay(std::int64_t attempts, core::Micros base, core::Micros cap,
                               core::Micros floor, double r,
                               const std::optional<core::Micros>& retry_after) {
  core::Micros exp = base;
  for (std::int64_t i = 1; i < attempts && exp < cap; ++i) exp *= 2;
  exp = std::min(exp, cap);
  auto delay = std::max(
      floor, core::Micros{static_cast<core::Micros::rep>(static_cast<double>(exp.count()) * r)});
  if (retry_after) delay = std::max(delay, *retry_after);
  return delay;
}

}  // namespace shopwatch::agent::backlog::detail
