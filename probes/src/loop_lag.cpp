#include "loop_lag.h"

namespace shopwatch::probes::detail {

bool LoopLag::busyTooLong() const {
  return std::chrono::steady_clock::now() - iteration_start_ > threshold_;
}

void LoopLag::noteLate() {
  const auto now = std::chrono::steady_clock::now();
  last_late_local_ = now;
  last_late_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

bool LoopLag::lateWithin(std::chrono::steady_clock::duration window) const {
  const auto last = last_late_.load(std::memory_order_relaxed);
  if (last == 0) return false;
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::chrono::steady_clock::duration{now - last} < window;
}

}  // namespace shopwatch::probes::detail
