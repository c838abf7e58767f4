#pragma once
// Pure accounting helpers shared by the writer (rollups), the raw-row queries and the memory store.
// Whether a run counts, is down, covers time or is a latency sample is decided by core::judgeRun
// and core::confirmMakesDown only; the flag bits below are how the store writes that verdict down.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/run_record.h"
#include "shopwatch/storage/aggregate.h"

namespace shopwatch::storage::detail {

inline constexpr std::int64_t kHourUs = 3'600'000'000;

// Raw row flag bits (the `flags` column).
inline constexpr std::int64_t kFlagConfirm = 1;
inline constexpr std::int64_t kFlagConfirmPending = 2;
inline constexpr std::int64_t kFlagMaintenance = 4;
inline constexpr std::int64_t kFlagSuccess = 8;
inline constexpr std::int64_t kFlagDown = 16;
// A scheduled row that arrived at or before its series' open run: stored raw, counts for nothing
// (no run, failure, latency sample or coverage — in rollups and raw windows alike).
inline constexpr std::int64_t kFlagSuperseded = 32;
// The engine was saturated while the run was in flight (ProbeResult::saturated): not a latency
// sample.
inline constexpr std::int64_t kFlagSaturated = 64;
// Rows that are not a series' scheduled runs for coverage: confirm rows and superseded rows.
inline constexpr std::int64_t kFlagNotScheduled = kFlagConfirm | kFlagSuperseded;

// The flags a record is stored with, from its verdict. Confirm rows never carry kFlagDown: their
// verdict's `down` means "confirms its run's failure", which is written on that run's row
// (confirmMakesDown).
std::int64_t flagsFor(const core::RunRecord& record, const core::RunVerdict& verdict);

// judgeRun over a stored row's flags: rebuilds the record fields the verdict depends on. Reuses one
// record, so judging many rows allocates nothing.
class RowJudge {
 public:
  core::RunVerdict operator()(std::int64_t flags);

 private:
  core::RunRecord record_;
};

inline std::int64_t floorHour(std::int64_t us) {
  return (us >= 0 ? us : us - kHourUs + 1) / kHourUs * kHourUs;
}
inline std::int64_t ceilHour(std::int64_t us) { return floorHour(us + kHourUs - 1); }

// Calls `fn(hour_start, part_begin, part_end)` for each hour [begin, end) touches.
void splitByHour(std::int64_t begin, std::int64_t end,
                 const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& fn);

// One raw row as the accounting needs it.
struct RawRow {
  std::int64_t ts = 0;
  std::int64_t flags = 0;
  int reason = 0;
  std::int64_t interval_us = 0;
  std::int64_t duration_us = 0;
  std::optional<std::int64_t> covered_us;
};

// Exact window figures for one series. `rows` sorted by ts, holding at least: the last
// non-superseded scheduled row before `from`, every row in [from, to), the first non-superseded
// scheduled row at or after `to`.
void aggregateRaw(const std::vector<RawRow>& rows, std::int64_t from, std::int64_t to,
                  std::int64_t now, Aggregate& out);

// The open last run's contribution: covers [ts, min(now, ts + 2 × interval)); unmonitored from
// ts + 2 × interval to now. Both clipped to [from, to).
void addOpenRun(const RawRow& row, std::int64_t from, std::int64_t to, std::int64_t now,
                Aggregate& out);

void addCoverage(std::int64_t begin, std::int64_t end, std::int64_t flags, std::int64_t from,
                 std::int64_t to, Aggregate& out);
void addUnmonitored(std::int64_t begin, std::int64_t end, std::int64_t from, std::int64_t to,
                    Aggregate& out);

}  // namespace shopwatch::storage::detail
