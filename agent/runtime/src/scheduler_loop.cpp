#include "shopwatch/agent/runtime/scheduler_loop.h"

#include <algorithm>
#include <chrono>

namespace shopwatch::agent::runtime {

namespace {
// Upper bound on one sleep, so a jump of the wall clock is noticed within this time.
constexpr std::chrono::milliseconds kMaxSleep{500};
}  // namespace

SchedulerLoop::SchedulerLoop(Scheduler& scheduler, const core::Clock& clock, Dispatch dispatch)
    : scheduler_(scheduler), clock_(clock), dispatch_(std::move(dispatch)) {}

SchedulerLoop::~SchedulerLoop() { stop(); }

void SchedulerLoop::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void SchedulerLoop::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void SchedulerLoop::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

void SchedulerLoop::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    scheduler_.poll(dispatch_);
    std::chrono::microseconds sleep = kMaxSleep;
    if (auto next = scheduler_.nextDue()) {
      sleep = std::clamp<std::chrono::microseconds>(*next - clock_.now(), std::chrono::microseconds{0},
                                                    kMaxSleep);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, sleep, [this] { return woken_; });
    woken_ = false;
  }
}

}  // namespace shopwatch::agent::runtime
