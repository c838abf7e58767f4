#pragma once
// The store's single writer thread: a bounded queue of typed items (a result, or a component's
// WriteJob), drained in batches — one transaction per batch on the one writer connection — degraded
// mode with backoff when writing fails, and retention slices between batches.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

#include "result_applier.h"
#include "retention.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/database.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::storage::detail {

class ResultWriter {
 public:
  ResultWriter(const StoreOptions& options, const core::Clock& clock);
  ~ResultWriter();  // stop()
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;
  ResultWriter(ResultWriter&&) = delete;
  ResultWriter& operator=(ResultWriter&&) = delete;

  // The first open (and migration) before the thread starts. An error a retry can fix
  // (ErrorCode::Unavailable) leaves the writer degraded; any other means the store cannot open.
  core::Status openFirst();
  void start();
  bool enqueue(core::RunRecord&& record);
  bool submit(std::unique_ptr<WriteJob> job);
  core::Status flush();
  core::Status runRetention();
  void stop();
  void fillStats(StoreStats& out) const;

 private:
  using Item = std::variant<core::RunRecord, std::unique_ptr<WriteJob>>;

  core::Status openConnection();
  void closeConnection();
  // Writes the first `n` pending items in one transaction; `jobs_done` receives the batch's jobs
  // with their outcome once it committed.
  core::Status writeBatch(
      std::size_t n, std::vector<std::pair<std::unique_ptr<WriteJob>, core::Status>>& jobs_done);
  core::Status writePending(bool forced);
  void dropOldestResults();
  void run(std::stop_token stop);
  // Asks the writer for one more round of `requested` and waits, with `lk` on mu_, until `done`
  // reaches it; returns what the writer left in `status`.
  core::Status requestAndWait(std::unique_lock<std::mutex>& lk, std::uint64_t& requested,
                              const std::uint64_t& done, const core::Status& status);

  const StoreOptions opt_;
  const core::Clock& clock_;
  std::vector<StorageComponent> components_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;
  std::condition_variable done_cv_;
  std::deque<Item> queue_;
  std::size_t queued_results_ = 0;
  std::size_t queued_jobs_ = 0;
  bool stopping_ = false;
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  core::Status flush_status_;
  std::uint64_t retention_requested_ = 0;
  std::uint64_t retention_done_ = 0;
  core::Status retention_status_;
  std::string last_error_;

  std::atomic<std::uint64_t> written_total_{0};
  std::atomic<std::uint64_t> dropped_total_{0};
  std::atomic<std::uint64_t> buffered_{0};
  std::atomic<bool> degraded_{false};
  std::jthread thread_;

  // writer-thread state
  std::unique_ptr<Db> db_;
  ResultApplier applier_;
  RetentionCycle retention_;
  std::deque<Item> pending_;
  std::size_t pending_results_ = 0;
  core::Micros backoff_{std::chrono::milliseconds{100}};
  std::chrono::steady_clock::time_point next_retry_{};
};

}  // namespace shopwatch::storage::detail
