#pragma once
/// The store interface the runtime, the API and reports use. Implementations: SqliteResultStore
/// (production) and MemoryResultStore (reference for the contract tests).

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/core/run_record.h"
#include "shopwatch/storage/aggregate.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage {

/// Figures for the agent's `shopwatch_store_*` metrics.
struct StoreStats {
  std::uint64_t queued = 0;         ///< results waiting in the queue
  std::uint64_t buffered = 0;       ///< results held in memory because writing fails (degraded)
  std::uint64_t written_total = 0;  ///< results committed
  std::uint64_t dropped_total = 0;  ///< results lost: queue full, or buffer cap exceeded (oldest)
  bool degraded = false;            ///< writing currently fails; results are buffered in memory
  std::string last_error;           ///< last write error ("" when none since start)
  std::uint64_t db_size_bytes = 0;  ///< database plus WAL file size
};

/// Write side. enqueue() never blocks on disk and is safe from any thread.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  /// Queues a result (moved from only when accepted). Returns false (and counts a drop) when the queue is
  /// full or the store is stopped; never blocks. A cancelled run (`result.cancelled`: cut by shutdown or
  /// a removed check — core::judgeRun says it counts for nothing) is never stored: enqueue returns false
  /// without counting a drop.
  virtual bool enqueue(core::RunRecord&& record) = 0;
  /// Blocks until everything enqueued before the call is committed, or a write attempt failed
  /// (degraded: the results stay buffered and an error is returned).
  virtual core::Status flush() = 0;
  virtual StoreStats stats() const = 0;
};

/// One hourly rollup row (start-up restore of long windows: SLO periods).
struct RollupHour {
  SeriesKey series;
  core::SystemTime hour{};  ///< the hour's start (UTC)
  std::int64_t runs = 0;
  std::int64_t failed = 0;
  std::int64_t down_runs = 0;
  core::Micros covered{0};
  core::Micros maintenance{0};
  core::Micros downtime{0};
  core::Micros unmonitored{0};  ///< gaps between runs that ended in this hour (rollup column)
  /// Sums over the hour's latency samples (the runs `latency` counts) of each timing phase, in the
  /// order resolve, connect, tls, processing, transfer (schema v3; zero in hours written before it).
  std::array<core::Micros, 5> phase_sum{};
  /// Passing scheduled runs' durations as (bucket representative, count), ascending.
  std::vector<std::pair<core::Micros, std::uint64_t>> latency;
};

/// Read side. Thread-safe. Times are half-open windows [from, to). `now` bounds the open last run of each
/// series: it covers [start, min(now, start + 2 × interval)) and the time after start + 2 × interval up to
/// now is unmonitored.
class ResultReader {
 public:
  virtual ~ResultReader() = default;
  /// Every series that has stored results, sorted.
  virtual core::Result<std::vector<SeriesKey>> series() = 0;
  /// The newest `n` rows of a series (scheduled and confirm rows), newest first.
  virtual core::Result<std::vector<StoredResult>> lastResults(const SeriesKey& series, std::size_t n) = 0;
  /// The newest `n` rows of every series (scheduled and confirm rows) in one query: series in SeriesKey
  /// order, newest first within a series (the agent's start-up restore of its state table).
  virtual core::Result<std::vector<StoredResult>> latestPerSeries(std::size_t n) = 0;
  /// Streams the raw rows with time in [from, to) — a row's time is `scheduled` (confirm rows: their
  /// start) — ordered by series (SeriesKey order), then time, from one query and in bounded memory
  /// (rules rebuilding their windows). `visit` returns false to stop early (still success). It runs on
  /// the caller's thread with the store's read side held: it must not call back into the store.
  virtual core::Status scan(core::SystemTime from, core::SystemTime to,
                            const std::function<bool(const StoredResult&)>& visit) = 0;
  /// Streams the hourly rollups with hour start in [floor_hour(from), to), ordered by series then hour,
  /// in bounded memory; `visit` returns false to stop early. Same threading rules as scan().
  virtual core::Status scanRollups(core::SystemTime from, core::SystemTime to,
                                   const std::function<bool(const RollupHour&)>& visit) = 0;
  /// Exact figures for one series from raw rows (within raw retention).
  virtual core::Result<Aggregate> windowAggregate(const SeriesKey& series, core::SystemTime from,
                                                  core::SystemTime to, core::SystemTime now) = 0;
  /// Figures for every series from hourly rollups, over the window widened to whole UTC hours
  /// [floor_hour(from), ceil_hour(to)). Times are exact; percentiles within 2 % of exact. Months are
  /// hour-aligned, so month figures equal windowAggregate's over the same window.
  virtual core::Result<std::vector<Aggregate>> rangeAggregate(core::SystemTime from, core::SystemTime to,
                                                              core::SystemTime now) = 0;
};

class ResultStore : public ResultSink, public ResultReader {};

/// [first instant of the month, first instant of the next month) in UTC.
std::pair<core::SystemTime, core::SystemTime> monthWindow(int year, unsigned month);

}  // namespace shopwatch::storage
