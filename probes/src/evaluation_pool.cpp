#include "evaluation_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace shopwatch::probes::detail {

EvaluationPool::EvaluationPool(int threads, std::size_t capacity)
    : capacity_(std::max<std::size_t>(1, capacity)) {
  const int n = std::max(1, threads);
  workers_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    workers_.emplace_back([this] { work(); });
  }
}

EvaluationPool::~EvaluationPool() { stop(); }

bool EvaluationPool::tryPost(std::function<void()>& job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void EvaluationPool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void EvaluationPool::work() {
  // The event thread measures the shops' timings; a worker parsing a 5 MiB page must never take
  // its CPU (on a small machine the workers can outnumber the cores). On Linux the nice value is
  // per thread: a nicer worker yields as soon as the event thread wakes. Best effort: a failure
  // only loses the preference.
  static_cast<void>(setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kWorkerNice));
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // Drain before leaving: every queued evaluation belongs to a run that waits for it.
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (...) {
      // A job reports through its own state; an exception must not end the worker.
    }
  }
}

}  // namespace shopwatch::probes::detail
