#pragma once
// The read side of SqliteResultStore: its own read-only connection (opened on first use), one query
// at a time under a mutex. Prepared statements are kept for the connection's lifetime.

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "shopwatch/storage/database.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::storage::detail {

class ResultQueries {
 public:
  explicit ResultQueries(std::filesystem::path path) : path_(std::move(path)) {}

  // Opens the connection now (openReadOnly checks the file exists and is a database).
  core::Status open();
  void close();

  core::Result<std::vector<SeriesKey>> series();
  core::Result<std::vector<StoredResult>> lastResults(const SeriesKey& series, std::size_t n);
  core::Result<std::vector<StoredResult>> latestPerSeries(std::size_t n);
  core::Status scan(core::SystemTime from, core::SystemTime to,
                    const std::function<bool(const StoredResult&)>& visit);
  core::Result<Aggregate> windowAggregate(const SeriesKey& series, core::SystemTime from,
                                          core::SystemTime to, core::SystemTime now);
  core::Result<std::vector<Aggregate>> rangeAggregate(core::SystemTime from, core::SystemTime to,
                                                      core::SystemTime now);
  core::Status scanRollups(core::SystemTime from, core::SystemTime to,
                           const std::function<bool(const RollupHour&)>& visit);
  // Runs `fn` on the read connection with mu_ held (components' loaders).
  core::Status read(const std::function<core::Status(Db&)>& fn);
  core::Result<std::string> integrityCheck();

 private:
  core::Result<Db*> db();  // with mu_ held
  core::Result<std::int64_t> lookupSeries(Db& db, const SeriesKey& key);

  std::filesystem::path path_;
  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace shopwatch::storage::detail
