#pragma once
// Applies records to the database on the writer's connection: interns series and messages, inserts
// raw rows, closes the previous run's coverage and collects the rollup deltas of a batch. All
// accounting decisions come from core::judgeRun / core::confirmMakesDown. The in-memory state (open
// runs, interned ids) mirrors committed data only: after a failed transaction the writer drops it
// and load()s again.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "shopwatch/core/run_record.h"
#include "shopwatch/storage/database.h"
#include "shopwatch/storage/latency_histogram.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage::detail {

class ResultApplier {
 public:
  // Prepares the statements on `db` and restores every series' open run from its last raw row.
  core::Status load(Db& db);
  // Forgets everything (the connection is about to close).
  void clear();
  // Applies one record inside the open transaction. A cancelled record must not reach here.
  core::Status apply(const core::RunRecord& record);
  // Writes the collected rollup deltas (inside the same transaction) and forgets them.
  core::Status writeRollups();
  // Retention deleted messages: ids cached by text may be gone (SQLite may even reuse them).
  void forgetMessages() { message_ids_.clear(); }

 private:
  struct RollupDelta {
    std::int64_t runs = 0, failed = 0, down_runs = 0, confirm_runs = 0;
    std::array<std::int64_t, core::kFailureReasonCount> reasons{};
    std::int64_t covered = 0, maintenance = 0, downtime = 0, unmonitored = 0;
    LatencyHistogram hist;
    std::array<std::int64_t, 5> phase_sums{};  // of the runs in hist (kPhaseSumColumns order)
  };
  struct OpenRun {
    std::int64_t ts = 0;
    std::int64_t interval_us = 0;
    std::int64_t run_id = 0;
    std::int64_t flags = 0;
    bool awaiting_confirm = false;  // its verdict awaits a confirm re-check not seen yet
  };
  struct Statements {
    Statement *insert_raw = nullptr, *update_covered = nullptr, *update_flags = nullptr,
              *find_series = nullptr, *insert_series = nullptr, *find_message = nullptr,
              *insert_message = nullptr, *select_rollup = nullptr, *upsert_rollup = nullptr;
  };

  core::Result<std::int64_t> internId(Statement& find, Statement& insert);
  core::Result<std::int64_t> seriesId(const core::CheckKey& key, const std::string& step);
  core::Result<std::int64_t> messageId(const std::string& text);
  core::Status insertRaw(std::int64_t series, std::int64_t& ts, const core::RunRecord& rec,
                         std::int64_t flags, std::optional<std::int64_t> covered);
  RollupDelta& delta(std::int64_t series, std::int64_t ts);

  Db* db_ = nullptr;
  Statements s_;
  std::unordered_map<std::int64_t, OpenRun> open_runs_;
  std::map<SeriesKey, std::int64_t> series_ids_;
  std::unordered_map<std::string, std::int64_t> message_ids_;
  std::map<std::pair<std::int64_t, std::int64_t>, RollupDelta> deltas_;  // (series, unix hour)
};

}  // namespace shopwatch::storage::detail
