#pragma once
// A small bounded pool of threads that evaluate buffered bodies off the event thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shopwatch::probes::detail {

class EvaluationPool {
 public:
  /// The workers' nice value (Linux: per thread), so that the event thread wins the CPU.
  static constexpr int kWorkerNice = 10;
  /// `threads` workers (at least 1), at most `capacity` jobs waiting (at least 1).
  EvaluationPool(int threads, std::size_t capacity);
  /// stop().
  ~EvaluationPool();
  EvaluationPool(const EvaluationPool&) = delete;
  EvaluationPool& operator=(const EvaluationPool&) = delete;
  EvaluationPool(EvaluationPool&&) = delete;
  EvaluationPool& operator=(EvaluationPool&&) = delete;

  /// Thread-safe. Queues `job`; false (and `job` untouched) when the queue is full or the pool
  /// stopped. A job must not throw (one that does is dropped).
  bool tryPost(std::function<void()>& job);
  /// Thread-safe. Runs the queued jobs, then joins the workers. Idempotent.
  void stop();

 private:
  void work();

  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;  // last: they use everything above
};

}  // namespace shopwatch::probes::detail
