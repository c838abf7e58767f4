#pragma once
// Retention on the writer's connection: raw rows older than `retention.raw` (and the messages only
// they used), rollups older than `retention.rollups`. A cycle runs in bounded slices between result
// batches, each chunk in its own short transaction, so a lowered retention with millions of rows to
// delete never holds the lock or the queue for long.

#include <chrono>
#include <cstdint>
#include <vector>

#include "shopwatch/core/duration.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::storage::detail {

struct RetentionPolicy {
  core::Micros raw{0};
  core::Micros rollups{0};
  std::size_t chunk = 5000;
  core::Micros slice{std::chrono::milliseconds{100}};
};

class RetentionCycle {
 public:
  bool active() const { return active_; }
  // The runRetention() request generation this cycle answers.
  std::uint64_t generation() const { return gen_; }
  void abandon() { *this = RetentionCycle{}; }
  // One slice (starting a cycle at `now_us` for request `gen` when none is active). `finished`
  // tells whether the cycle completed; `deleted_messages` whether any message row went (the
  // writer's text-to-id cache must then forget).
  core::Status step(Db& db, const RetentionPolicy& policy, std::int64_t now_us, std::uint64_t gen,
                    bool& finished, bool& deleted_messages);

 private:
  core::Status deleteRawChunk(Db& db, std::int64_t series, std::int64_t chunk,
                              std::int64_t& removed, bool& deleted_messages);

  bool active_ = false;
  std::uint64_t gen_ = 0;
  std::int64_t raw_cutoff_ = 0;
  std::int64_t hour_cutoff_ = 0;
  std::vector<std::int64_t> series_;
  std::size_t next_ = 0;  // index into series_
  bool rollups_ = false;  // raw rows of series_[next_] are done; now its rollups
};

}  // namespace shopwatch::storage::detail
