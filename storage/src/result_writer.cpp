#include "result_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "result_schema.h"

namespace shopwatch::storage::detail {

using namespace std::chrono_literals;

namespace {

bool isResult(const std::variant<core::RunRecord, std::unique_ptr<WriteJob>>& item) {
  return item.index() == 0;
}

core::Error prefixed(const core::Error& e, std::string_view what) {
  return core::makeError(e.code, std::string(what) + ": " + e.message);
}

}  // namespace

ResultWriter::ResultWriter(const StoreOptions& options, const core::Clock& clock)
    : opt_(options), clock_(clock) {
  components_.push_back(resultsComponent());
  for (const auto& c : opt_.components) components_.push_back(c);
}

ResultWriter::~ResultWriter() { stop(); }

core::Status ResultWriter::openFirst() {
  for (std::size_t i = 0; i < components_.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (components_[i].name == components_[j].name) {
        return core::makeError(
            core::ErrorCode::Invalid,
            "storage component \"" + components_[i].name + "\" registered twice");
      }
    }
  }
  auto st = openConnection();
  if (st) return st;
  if (st.error().code != core::ErrorCode::Unavailable) return st;
  degraded_ = true;
  last_error_ = st.error().message;
  spdlog::warn("result store degraded at start, buffering up to {} results in memory: {}",
               opt_.buffer_capacity, st.error().message);
  return {};
}

void ResultWriter::start() {
  thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

core::Status ResultWriter::openConnection() {
  closeConnection();
  auto db = Db::open(opt_.path.string(), false, static_cast<int>(opt_.busy_timeout.count() / 1000));
  if (!db) return db.error();
  if (auto st = (*db)->migrate(components_); !st) return prefixed(st.error(), opt_.path.string());
  if (auto st = applier_.load(**db); !st) {
    applier_.clear();
    return prefixed(st.error(), "open " + opt_.path.string());
  }
  db_ = std::move(*db);
  return {};
}

void ResultWriter::closeConnection() {
  applier_.clear();
  retention_.abandon();
  db_.reset();
}

bool ResultWriter::enqueue(core::RunRecord&& record) {
  if (!core::judgeRun(record).counts) return false;  // cancelled: neither stored nor a drop
  {
    std::lock_guard lk(mu_);
    if (stopping_ || queued_results_ >= opt_.queue_capacity) {
      ++dropped_total_;
      return false;
    }
    queue_.emplace_back(std::move(record));
    if (++queued_results_ < opt_.max_batch) return true;
  }
  wake_cv_.notify_one();
  return true;
}

bool ResultWriter::submit(std::unique_ptr<WriteJob> job) {
  if (!job) return false;
  {
    std::lock_guard lk(mu_);
    if (stopping_ || !thread_.joinable()) return false;
    queue_.emplace_back(std::move(job));
    ++queued_jobs_;
  }
  // A job's submitter usually waits for it (written before acted on): write now, not at the next
  // tick.
  wake_cv_.notify_one();
  return true;
}

core::Status ResultWriter::requestAndWait(std::unique_lock<std::mutex>& lk,
                                          std::uint64_t& requested, const std::uint64_t& done,
                                          const core::Status& status) {
  if (!thread_.joinable() || stopping_)
    return core::makeError(core::ErrorCode::Unavailable, "store stopped");
  const auto gen = ++requested;
  wake_cv_.notify_one();
  done_cv_.wait(lk, [&] { return done >= gen; });
  return status;
}

core::Status ResultWriter::flush() {
  std::unique_lock lk(mu_);
  return requestAndWait(lk, flush_requested_, flush_done_, flush_status_);
}

core::Status ResultWriter::runRetention() {
  std::unique_lock lk(mu_);
  return requestAndWait(lk, retention_requested_, retention_done_, retention_status_);
}

void ResultWriter::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  wake_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ResultWriter::fillStats(StoreStats& out) const {
  {
    std::lock_guard lk(mu_);
    out.queued = queued_results_;
    out.last_error = last_error_;
  }
  out.buffered = buffered_;
  out.written_total = written_total_;
  out.dropped_total = dropped_total_;
  out.degraded = degraded_;
}

core::Status ResultWriter::writeBatch(
    std::size_t n, std::vector<std::pair<std::unique_ptr<WriteJob>, core::Status>>& jobs_done) {
  Transaction tx(*db_);
  if (!tx.began()) return prefixed(tx.began().error(), "begin");
  std::vector<std::pair<std::size_t, core::Status>> outcomes;  // (index in pending_, job outcome)
  for (std::size_t i = 0; i < n; ++i) {
    auto& item = pending_[i];
    if (auto* rec = std::get_if<core::RunRecord>(&item)) {
      if (auto st = applier_.apply(*rec); !st) return prefixed(st.error(), "insert result");
      continue;
    }
    auto& job = std::get<std::unique_ptr<WriteJob>>(item);
    Savepoint sp(*db_);
    if (!sp.began()) return prefixed(sp.began().error(), "savepoint");
    auto st = job->apply(*db_);
    // A job that met a retryable failure, or whose failure made SQLite roll the whole transaction
    // back, fails the batch like a result would; any other failure is the job's own.
    if (!st && (st.error().code == core::ErrorCode::Unavailable || !db_->inTransaction())) {
      return prefixed(st.error(), "write job");
    }
    if (st) {
      if (auto rel = sp.release(); !rel) return prefixed(rel.error(), "release savepoint");
    }
    outcomes.emplace_back(i, st);  // a failed job's savepoint rolls back here, leaving the batch
  }
  if (auto st = applier_.writeRollups(); !st) return prefixed(st.error(), "write rollup");
  if (auto st = tx.commit(); !st) return prefixed(st.error(), "commit");
  for (auto& [i, st] : outcomes) {
    jobs_done.emplace_back(std::move(std::get<std::unique_ptr<WriteJob>>(pending_[i])),
                           std::move(st));
  }
  return {};
}

core::Status ResultWriter::writePending(bool forced) {
  bool was_degraded = degraded_.load();
  if (was_degraded && !forced && std::chrono::steady_clock::now() < next_retry_) {
    return core::makeError(core::ErrorCode::Unavailable, "store degraded: " + last_error_);
  }
  core::Status status;
  std::uint64_t written = 0;
  if (!db_) status = openConnection();
  std::vector<std::pair<std::unique_ptr<WriteJob>, core::Status>> jobs_done;
  while (status && !pending_.empty()) {
    // Up to max_batch results per transaction, with the jobs queued among them.
    std::size_t n = 0;
    std::size_t results = 0;
    const auto max_batch = std::max<std::size_t>(opt_.max_batch, 1);
    while (n < pending_.size() && (results < max_batch || !isResult(pending_[n]))) {
      results += isResult(pending_[n]) ? 1 : 0;
      ++n;
    }
    status = writeBatch(n, jobs_done);
    if (!status) break;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    pending_results_ -= results;
    written += results;
    written_total_ += results;
    for (auto& [job, st] : jobs_done) job->done(st);
    jobs_done.clear();
  }
  buffered_ = was_degraded || !status ? pending_results_ : 0;
  if (status) {
    if (was_degraded) {
      degraded_ = false;
      backoff_ = 100ms;
      spdlog::info("result store recovered: {} buffered results written to {}", written,
                   opt_.path.string());
    }
    return {};
  }
  // The transaction rolled back; the in-memory accounting state may be ahead of the database, so
  // drop the connection and rebuild it from the database on the next attempt.
  closeConnection();
  const auto& err = status.error().message;
  {
    std::lock_guard lk(mu_);
    last_error_ = err;
  }
  buffered_ = pending_results_;
  if (!was_degraded) {
    degraded_ = true;
    spdlog::warn("result store degraded, buffering up to {} results in memory: {}",
                 opt_.buffer_capacity, err);
  }
  next_retry_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, opt_.max_backoff);
  return core::makeError(core::ErrorCode::Unavailable, "store degraded: " + err);
}

void ResultWriter::dropOldestResults() {
  // The cap bounds what is held while writing fails; a healthy writer drains any backlog in
  // batches. Jobs are never dropped: their submitters wait for them.
  auto it = pending_.begin();
  while (degraded_ && pending_results_ > opt_.buffer_capacity && it != pending_.end()) {
    if (!isResult(*it)) {
      ++it;
      continue;
    }
    it = pending_.erase(it);
    --pending_results_;
    ++dropped_total_;
  }
}

void ResultWriter::run(std::stop_token stop) {
  auto wait = std::max(opt_.flush_interval / 2, core::Micros{1000});
  // First pass a minute after start (not at once: start-up is busy restoring state and probing).
  auto next_retention =
      std::chrono::steady_clock::now() + std::min<core::Micros>(opt_.retention_every, 1min);
  const RetentionPolicy policy{opt_.retention_raw, opt_.retention_rollups, opt_.retention_chunk,
                               opt_.retention_slice};
  for (;;) {
    std::unique_lock lk(mu_);
    // A retention cycle in progress continues right after the queue has been written.
    wake_cv_.wait_for(lk, retention_.active() ? core::Micros{0} : wait, [&] {
      return stopping_ || stop.stop_requested() || flush_requested_ > flush_done_ ||
             retention_requested_ > retention_done_ || queued_results_ >= opt_.max_batch ||
             queued_jobs_ > 0;
    });
    auto flush_gen = flush_requested_;
    bool forced = flush_gen > flush_done_;
    auto retention_gen = retention_requested_;
    bool stopping = stopping_ || stop.stop_requested();
    while (!queue_.empty()) {
      pending_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    pending_results_ += queued_results_;
    queued_results_ = 0;
    queued_jobs_ = 0;
    lk.unlock();
    dropOldestResults();

    core::Status status;
    if (!pending_.empty() || degraded_ || !db_) status = writePending(forced || stopping);
    if (forced) {
      // Answered before any retention slice: a flush waits for the write only.
      std::lock_guard flk(mu_);
      flush_done_ = flush_gen;
      flush_status_ = status;
      done_cv_.notify_all();
    }
    bool requested = retention_gen > retention_done_;
    bool retention_due =
        retention_.active() || requested || std::chrono::steady_clock::now() >= next_retention;
    // Requests answered by this iteration (0: none) and with what.
    std::uint64_t answered = 0;
    core::Status retention_status = core::makeError(core::ErrorCode::Unavailable, "store degraded");
    if (retention_due && status.ok() && db_) {
      auto cycle_gen = retention_.active() ? retention_.generation() : retention_gen;
      bool finished = false;
      bool deleted_messages = false;
      auto st = retention_.step(*db_, policy, core::toMicros(clock_.now()), retention_gen, finished,
                                deleted_messages);
      if (deleted_messages) applier_.forgetMessages();
      if (!st) {
        retention_status = st;
        spdlog::warn("result store retention failed: {}", st.error().message);
        finished = true;
      } else {
        retention_status = {};
      }
      if (finished) {
        answered = cycle_gen;
        next_retention = std::chrono::steady_clock::now() + opt_.retention_every;
      }
    } else if (requested) {
      retention_.abandon();
      answered = retention_gen;
    }

    lk.lock();
    if (answered > retention_done_) {
      retention_done_ = answered;
      retention_status_ = retention_status;
    }
    if (stopping && queue_.empty()) {
      if (retention_requested_ > retention_done_) {
        retention_done_ = retention_requested_;
        retention_status_ = core::makeError(core::ErrorCode::Unavailable, "store stopped");
      }
      done_cv_.notify_all();
      break;
    }
    done_cv_.notify_all();
  }
  if (!pending_.empty()) {
    spdlog::error("result store stopped with {} results unwritten: {}", pending_results_,
                  last_error_);
    dropped_total_ += pending_results_;
    for (auto& item : pending_) {
      if (auto* job = std::get_if<std::unique_ptr<WriteJob>>(&item)) {
        (*job)->done(core::makeError(core::ErrorCode::Unavailable, "store stopped"));
      }
    }
    pending_.clear();
    pending_results_ = 0;
    buffered_ = 0;
  }
  closeConnection();
}

}  // namespace shopwatch::storage::detail
