#pragma once
// How late the event loop serves its events: the saturation criterion of HttpProbeEngine
// (see its header, "Saturation").

#include <atomic>
#include <chrono>
#include <optional>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::probes::detail {

class LoopLag {
 public:
  explicit LoopLag(core::Micros threshold) : threshold_(threshold) {}

  /// Engine thread: an iteration starts (the loop woke up).
  void beginIteration() { iteration_start_ = std::chrono::steady_clock::now(); }
  /// Engine thread: whether this iteration has been busy for longer than the threshold; an
  /// event that became ready meanwhile has waited that long. Records the lag for longest().
  bool busyTooLong();
  /// Engine thread: whether a wait asked to last `asked` took more than the threshold longer.
  /// Records the overshoot for longest().
  bool wokeLate(core::Micros waited, core::Micros asked);
  /// Engine thread: the loop was late now.
  void noteLate();
  /// Engine thread: whether the loop was late at or after `since`.
  bool lateSince(core::SteadyTime since) const {
    return last_late_local_ && *last_late_local_ >= since;
  }
  /// Any thread: whether the loop was late within the last `window`.
  bool lateWithin(std::chrono::steady_clock::duration window) const;
  /// Any thread: the longest busy iteration measured so far (whether or not it passed the
  /// threshold): how long the engine thread itself kept events waiting.
  core::Micros longestBusy() const {
    return core::Micros{longest_busy_us_.load(std::memory_order_relaxed)};
  }
  /// Any thread: the most a wait returned later than asked so far: the thread was ready but did
  /// not get a CPU (the machine, not the loop's own work).
  core::Micros longestLateWake() const {
    return core::Micros{longest_wake_us_.load(std::memory_order_relaxed)};
  }

 private:
  core::Micros threshold_;
  core::SteadyTime iteration_start_{};
  std::optional<core::SteadyTime> last_late_local_;
  std::atomic<std::chrono::steady_clock::rep> last_late_{0};
  std::atomic<core::Micros::rep> longest_busy_us_{0};
  std::atomic<core::Micros::rep> longest_wake_us_{0};
};

}  // namespace shopwatch::probes::detail
