#pragma once
/// An in-memory ResultStore: the reference the contract tests hold SqliteResultStore against, and a store
/// for tests of other modules. Applies results synchronously; aggregates are always computed from raw rows
/// (so its rangeAggregate percentiles are exact). Unbounded: not for production.

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "shopwatch/storage/result_store.h"

namespace shopwatch::storage {

class MemoryResultStore final : public ResultStore {
 public:
  MemoryResultStore();
  ~MemoryResultStore() override;
  MemoryResultStore(const MemoryResultStore&) = delete;
  MemoryResultStore& operator=(const MemoryResultStore&) = delete;
  MemoryResultStore(MemoryResultStore&&) = delete;
  MemoryResultStore& operator=(MemoryResultStore&&) = delete;

  bool enqueue(core::RunRecord&& record) override;
  core::Status flush() override;
  StoreStats stats() const override;

  core::Result<std::vector<SeriesKey>> series() override;
  core::Result<std::vector<StoredResult>> lastResults(const SeriesKey& series, std::size_t n) override;
  core::Result<std::vector<StoredResult>> latestPerSeries(std::size_t n) override;
  core::Status scan(core::SystemTime from, core::SystemTime to,
                    const std::function<bool(const StoredResult&)>& visit) override;
  /// The hourly figures SqliteResultStore's rollups hold, computed from the rows (same hours, same
  /// counts and times; latency as histogram buckets).
  core::Status scanRollups(core::SystemTime from, core::SystemTime to,
                           const std::function<bool(const RollupHour&)>& visit) override;
  core::Result<Aggregate> windowAggregate(const SeriesKey& series, core::SystemTime from,
                                          core::SystemTime to, core::SystemTime now) override;
  core::Result<std::vector<Aggregate>> rangeAggregate(core::SystemTime from, core::SystemTime to,
                                                      core::SystemTime now) override;

 private:
  struct Series;
  mutable std::mutex mu_;
  std::map<SeriesKey, std::unique_ptr<Series>> series_;
  std::uint64_t written_ = 0;
};

}  // namespace shopwatch::storage
