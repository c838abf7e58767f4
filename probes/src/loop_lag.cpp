#include "loop_lag.h"

namespace shopwatch::probes::detail {
namespace {

// Only the engine thread writes, so a plain load-compare-store keeps the maximum.
void keepMax(std::atomic<core::Micros::rep>& longest, core::Micros lag) {
  if (lag.count() > longest.load(std::memory_order_relaxed)) {
    longest.store(lag.count(), std::memory_order_relaxed);
  }
}

}  // namespace

bool LoopLag::busyTooLong() {
  const auto busy =
      std::chrono::duration_cast<core::Micros>(std::chrono::steady_clock::now() - iteration_start_);
  keepMax(longest_busy_us_, busy);
  return busy > threshold_;
}

bool LoopLag::wokeLate(core::Micros waited, core::Micros asked) {
  keepMax(longest_wake_us_, waited - asked);
  return waited - asked > threshold_;
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
