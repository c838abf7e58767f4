#pragma once
// Durations between monotonic time points, as the engine measures them.

#include <algorithm>
#include <chrono>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::probes::detail {

/// `to - from`, never negative.
inline core::Micros between(core::SteadyTime from, core::SteadyTime to) {
  return std::max(core::Micros{0}, std::chrono::duration_cast<core::Micros>(to - from));
}

}  // namespace shopwatch::probes::detail
