#pragma once
// The runs' deadlines and wake-ups (a driver's Wait), ordered by time (engine thread only).

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "engine_run.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::probes::detail {

class RunTimers {
 public:
  /// Moves (or sets) the run's deadline to `at` (EngineRun::deadline follows).
  void setDeadline(EngineRun& run, core::SteadyTime at);
  /// The run's deadline stops counting (while it is being evaluated).
  void pauseDeadline(const EngineRun& run);
  /// The run waits until `at` (EngineRun::wake_at follows).
  void setWakeup(EngineRun& run, core::SteadyTime at);
  /// Forgets both of a run that ends.
  void forget(const EngineRun& run);

  /// Milliseconds until the earliest deadline or wake-up (rounded up), at most `cap`.
  int msUntilNext(core::SteadyTime now, int cap) const;
  /// Ids of runs whose deadline is at or before `now`, earliest first, removed from the timers.
  std::vector<std::uint64_t> takeExpiredDeadlines(core::SteadyTime now);
  /// Ids of runs whose wake-up is at or before `now`, earliest first, removed from the timers.
  std::vector<std::uint64_t> takeDueWakeups(core::SteadyTime now);

 private:
  using Timers = std::set<std::pair<core::SteadyTime, std::uint64_t>>;
  static std::vector<std::uint64_t> takeDue(Timers& timers, core::SteadyTime now);

  Timers deadlines_;
  Timers wakeups_;
};

}  // namespace shopwatch::probes::detail
