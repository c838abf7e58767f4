#pragma once
/// SchedulerLoop: the agent's scheduling thread. Sleeps until the Scheduler's next due run (or a
/// wake-up), polls it and hands due runs to a dispatch callback.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "shopwatch/agent/runtime/scheduler.h"

namespace shopwatch::agent::runtime {

class SchedulerLoop {
 public:
  using Dispatch = std::function<void(DueRun)>;

  /// `scheduler` and `clock` must outlive the loop. `dispatch` runs on the loop's thread and must not
  /// block (it submits to the engine).
  SchedulerLoop(Scheduler& scheduler, const core::Clock& clock, Dispatch dispatch);
  /// Stops and joins.
  ~SchedulerLoop();
  SchedulerLoop(const SchedulerLoop&) = delete;
  SchedulerLoop& operator=(const SchedulerLoop&) = delete;
  SchedulerLoop(SchedulerLoop&&) = delete;
  SchedulerLoop& operator=(SchedulerLoop&&) = delete;

  /// Starts the thread (once).
  void start();
  /// Makes the thread re-read the next due time (after setChecks or a confirm). Thread-safe.
  void wake();
  /// Stops dispatching and joins the thread. Idempotent, thread-safe.
  void stop();

 private:
  void run(std::stop_token stop);

  Scheduler& scheduler_;
  const core::Clock& clock_;
  Dispatch dispatch_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool woken_ = false;
  std::jthread thread_;
};

}  // namespace shopwatch::agent::runtime
