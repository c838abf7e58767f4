#include "run_timers.h"

#include <algorithm>
#include <chrono>

namespace shopwatch::probes::detail {

void RunTimers::setDeadline(EngineRun& run, core::SteadyTime at) {
  deadlines_.erase({run.deadline, run.id});
  run.deadline = at;
  deadlines_.emplace(run.deadline, run.id);
}

void RunTimers::pauseDeadline(const EngineRun& run) { deadlines_.erase({run.deadline, run.id}); }

void RunTimers::setWakeup(EngineRun& run, core::SteadyTime at) {
  if (run.wake_at) wakeups_.erase({*run.wake_at, run.id});
  run.wake_at = at;
  wakeups_.emplace(at, run.id);
}

void RunTimers::forget(const EngineRun& run) {
  deadlines_.erase({run.deadline, run.id});
  if (run.wake_at) wakeups_.erase({*run.wake_at, run.id});
}

int RunTimers::msUntilNext(core::SteadyTime now, int cap) const {
  int ms = cap;
  for (const Timers* timers : {&deadlines_, &wakeups_}) {
    if (timers->empty()) continue;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timers->begin()->first - now);
    ms = std::clamp<int>(static_cast<int>(left.count()) + 1, 0, ms);
  }
  return ms;
}

std::vector<std::uint64_t> RunTimers::takeDue(Timers& timers, core::SteadyTime now) {
  std::vector<std::uint64_t> due;
  while (!timers.empty() && timers.begin()->first <= now) {
    due.push_back(timers.begin()->second);
    timers.erase(timers.begin());
  }
  return due;
}

std::vector<std::uint64_t> RunTimers::takeExpiredDeadlines(core::SteadyTime now) {
  return takeDue(deadlines_, now);
}

std::vector<std::uint64_t> RunTimers::takeDueWakeups(core::SteadyTime now) {
  return takeDue(wakeups_, now);
}

}  // namespace shopwatch::probes::detail
