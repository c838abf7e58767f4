#pragma once
/// The production result store: SQLite (WAL) file at `agent.database`, a writer thread fed by a bounded
/// queue, raw rows plus hourly rollups maintained incrementally (DESIGN.md, "Storage").

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"
#include "shopwatch/storage/database.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::storage {

struct StoreOptions {
  std::filesystem::path path;  ///< `agent.database`
  std::size_t queue_capacity = 65536;
  /// `agent.store_buffer`: results kept in memory while writing fails; past it the oldest are dropped.
  std::size_t buffer_capacity = 100000;
  std::size_t max_batch = 20000;  ///< results per transaction at most
  /// Commit at least this often while results are queued (results wait at most half of it).
  core::Micros flush_interval = std::chrono::seconds{1};
  core::Micros retention_raw = std::chrono::hours{24 * 14};        ///< `retention.raw`
  core::Micros retention_rollups = std::chrono::hours{24 * 400};   ///< `retention.rollups`
  core::Micros retention_every = std::chrono::minutes{10};  ///< how often the writer enforces retention
  std::size_t retention_chunk = 5000;  ///< rows deleted per transaction (keeps locks short)
  /// Writer time spent on retention before it returns to writing queued results (at least one chunk);
  /// a cycle that needs more continues in the next writer iteration.
  core::Micros retention_slice = std::chrono::milliseconds{100};
  core::Micros busy_timeout = std::chrono::milliseconds{100};
  core::Micros max_backoff = std::chrono::seconds{5};  ///< retry delay cap while degraded
  /// Wall clock for retention cutoffs and query defaults; SystemClock when null. Must outlive the store.
  const core::Clock* clock = nullptr;
  /// Other components' tables in this database ([C], [D]): migrated at open, after the store's own
  /// "results" component, in the same transaction. Their rows are written through submit().
  std::vector<StorageComponent> components;
};

/// The store's own "results" component (its migrations): the first component a process that writes a
/// component's rows directly through a Db (not through a store's writer) migrates, so
/// `PRAGMA user_version` keeps meaning the results schema (`shopwatch report --freeze`).
StorageComponent resultsStorageComponent();

/// Thread-safe. Writing never throws and never blocks enqueue(); a full disk, a read-only file or a lock
/// held by another process switches to degraded mode (results buffered in memory up to buffer_capacity,
/// one warning logged, retried with backoff, recovered automatically in order). Committed data is never
/// rewritten except: the previous run's `covered`/down flag and rollup rows (in the same transaction).
/// Durability: synchronous=NORMAL in WAL — a process crash (SIGKILL) loses nothing committed; a power
/// loss may lose the last commits.
class SqliteResultStore final : public ResultStore {
 public:
  /// Opens (creating and migrating) the database and starts the writer thread. Fails only for errors a
  /// retry cannot fix (bad path, not a database, a newer schema); a locked, read-only or full database
  /// opens in degraded mode.
  static core::Result<std::unique_ptr<SqliteResultStore>> open(StoreOptions options);
  /// A reader over an existing database (reports, CLI): no writer thread; enqueue() returns false.
  static core::Result<std::unique_ptr<SqliteResultStore>> openReadOnly(const std::filesystem::path& path);

  ~SqliteResultStore() override;  ///< stop()
  SqliteResultStore(const SqliteResultStore&) = delete;
  SqliteResultStore& operator=(const SqliteResultStore&) = delete;
  SqliteResultStore(SqliteResultStore&&) = delete;
  SqliteResultStore& operator=(SqliteResultStore&&) = delete;

  bool enqueue(core::RunRecord&& record) override;
  /// Queues a job for the writer thread (see WriteJob for its transaction and failure semantics). Jobs
  /// are never dropped for a full queue or a degraded database; returns false (and calls nothing) only
  /// when the store is stopped or read-only. flush() also waits for the jobs submitted before it.
  bool submit(std::unique_ptr<WriteJob> job);
  core::Status flush() override;
  StoreStats stats() const override;
  /// Drains the queue (one last write attempt) and joins the writer. Idempotent.
  void stop();
  /// Enforces retention now (normally done by the writer every retention_every): raw rows, rollups and
  /// messages no raw row uses any more. Blocks until a whole cycle started after the call is done; the
  /// writer keeps writing queued results between its slices.
  core::Status runRetention();

  core::Result<std::vector<SeriesKey>> series() override;
  core::Result<std::vector<StoredResult>> lastResults(const SeriesKey& series, std::size_t n) override;
  core::Result<std::vector<StoredResult>> latestPerSeries(std::size_t n) override;
  core::Status scan(core::SystemTime from, core::SystemTime to,
                    const std::function<bool(const StoredResult&)>& visit) override;
  core::Result<Aggregate> windowAggregate(const SeriesKey& series, core::SystemTime from,
                                          core::SystemTime to, core::SystemTime now) override;
  core::Result<std::vector<Aggregate>> rangeAggregate(core::SystemTime from, core::SystemTime to,
                                                      core::SystemTime now) override;

  core::Status scanRollups(core::SystemTime from, core::SystemTime to,
                           const std::function<bool(const RollupHour&)>& visit) override;
  /// Runs `fn` on the store's read connection, serialised with the store's other reads (components'
  /// loaders: alert state, maintenance windows, incidents). `fn` must not call back into the store.
  /// Works on read-only stores too.
  core::Status read(const std::function<core::Status(Db&)>& fn);
  /// The database file (a second read-only store over it reads in parallel with this one).
  const std::filesystem::path& path() const;
  /// `PRAGMA integrity_check` result ("ok" when healthy).
  core::Result<std::string> integrityCheck();

  class Impl;

 private:
  explicit SqliteResultStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::storage
