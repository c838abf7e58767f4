#include "accounting.h"

#include <algorithm>

#include "shopwatch/storage/latency_histogram.h"

namespace shopwatch::storage::detail {

std::int64_t flagsFor(const core::RunRecord& rec, const core::RunVerdict& v) {
  std::int64_t flags = (rec.result.success ? kFlagSuccess : 0) |
                       (v.maintenance ? kFlagMaintenance : 0) |
                       (rec.result.saturated ? kFlagSaturated : 0);
  if (!v.covers) return flags | kFlagConfirm;
  if (rec.confirm_pending) flags |= kFlagConfirmPending;
  if (v.down) flags |= kFlagDown;
  return flags;
}

core::RunVerdict RowJudge::operator()(std::int64_t flags) {
  record_.confirm = (flags & kFlagConfirm) != 0;
  record_.confirm_pending = (flags & kFlagConfirmPending) != 0;
  record_.in_maintenance = (flags & kFlagMaintenance) != 0;
  record_.result.success = (flags & kFlagSuccess) != 0;
  record_.result.saturated = (flags & kFlagSaturated) != 0;
  return core::judgeRun(record_);
}

void splitByHour(std::int64_t begin, std::int64_t end,
                 const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& fn) {
  while (begin < end) {
    auto hour = floorHour(begin);
    auto part_end = std::min(end, hour + kHourUs);
    fn(hour, begin, part_end);
    begin = part_end;
  }
}

void addCoverage(std::int64_t begin, std::int64_t end, std::int64_t flags, std::int64_t from,
                 std::int64_t to, Aggregate& out) {
  auto b = std::max(begin, from);
  auto e = std::min(end, to);
  if (e <= b) return;
  core::Micros span{e - b};
  out.covered += span;
  if ((flags & kFlagMaintenance) != 0) {
    out.maintenance += span;
  } else if ((flags & kFlagDown) != 0) {
    out.downtime += span;
  }
}

void addUnmonitored(std::int64_t begin, std::int64_t end, std::int64_t from, std::int64_t to,
                    Aggregate& out) {
  auto b = std::max(begin, from);
  auto e = std::min(end, to);
  if (e > b) out.unmonitored += core::Micros{e - b};
}

void addOpenRun(const RawRow& row, std::int64_t from, std::int64_t to, std::int64_t now,
                Aggregate& out) {
  auto cap = row.ts + 2 * row.interval_us;
  addCoverage(row.ts, std::min(now, cap), row.flags, from, to, out);
  addUnmonitored(cap, now, from, to, out);
}

void aggregateRaw(const std::vector<RawRow>& rows, std::int64_t from, std::int64_t to,
                  std::int64_t now, Aggregate& out) {
  std::vector<core::Micros> latencies;
  RowJudge judge;
  auto isScheduled = [](const RawRow& r) { return (r.flags & kFlagNotScheduled) == 0; };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    bool in_window = r.ts >= from && r.ts < to;
    const auto verdict = judge(r.flags);
    if (!verdict.covers) {
      if (in_window) ++out.confirm_runs;
      continue;
    }
    // Stored raw only: neither a run nor a latency sample nor coverage (the writer's rollups skip
    // it too).
    if ((r.flags & kFlagSuperseded) != 0) continue;
    if (in_window) {
      ++out.runs;
      if (verdict.latency_sample) latencies.emplace_back(r.duration_us);
      if ((r.flags & kFlagSuccess) == 0) {
        ++out.failed;
        if (r.reason > 0 && r.reason < static_cast<int>(core::kFailureReasonCount)) {
          ++out.failures_by_reason[static_cast<std::size_t>(r.reason)];
        }
      }
      if ((r.flags & kFlagDown) != 0) ++out.down_runs;
    }
    if (!isScheduled(r)) continue;
    if (!r.covered_us) {
      addOpenRun(r, from, to, now, out);
      continue;
    }
    auto end = r.ts + *r.covered_us;
    addCoverage(r.ts, end, r.flags, from, to, out);
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      if (!isScheduled(rows[j])) continue;
      addUnmonitored(end, rows[j].ts, from, to, out);
      break;
    }
  }
  out.latency_samples = static_cast<std::int64_t>(latencies.size());
  out.p50 = exactPercentile(latencies, 0.50);
  out.p90 = exactPercentile(latencies, 0.90);
  out.p95 = exactPercentile(latencies, 0.95);
  out.p99 = exactPercentile(latencies, 0.99);
}

}  // namespace shopwatch::storage::detail
