#include "shopwatch/storage/memory_result_store.h"

#include <algorithm>
#include <array>
#include <limits>

#include "accounting.h"
#include "shopwatch/storage/latency_histogram.h"

namespace shopwatch::storage {

struct MemoryResultStore::Series {
  struct Row {
    StoredResult r;
    bool superseded = false;  // a scheduled row that arrived at or before the open run
    std::int64_t ts() const { return core::toMicros(r.scheduled); }
  };
  std::vector<Row> rows;  // sorted by key time
  std::optional<std::int64_t> open_ts;
  bool open_awaiting_confirm = false;  // the open run's verdict awaits a confirm not seen yet

  Row* find(std::int64_t ts) {
    auto it = std::lower_bound(rows.begin(), rows.end(), ts,
                               [](const Row& row, std::int64_t t) { return row.ts() < t; });
    return it != rows.end() && it->ts() == ts ? &*it : nullptr;
  }
  void insert(Row row) {
    auto it = std::upper_bound(rows.begin(), rows.end(), row.ts(),
                               [](std::int64_t t, const Row& x) { return t < x.ts(); });
    rows.insert(it, std::move(row));
  }
};

namespace {

// The accounting view of a row, with the flags the SQLite store would have written for it.
detail::RawRow rawRowOf(const StoredResult& r, std::int64_t ts, bool superseded) {
  detail::RawRow raw;
  raw.ts = ts;
  raw.flags = (r.confirm ? detail::kFlagConfirm : 0) |
              (r.confirm_pending ? detail::kFlagConfirmPending : 0) |
              (r.in_maintenance ? detail::kFlagMaintenance : 0) |
              (r.result.success ? detail::kFlagSuccess : 0) |
              (r.counted_down ? detail::kFlagDown : 0) |
              (superseded ? detail::kFlagSuperseded : 0) |
              (r.result.saturated ? detail::kFlagSaturated : 0);
  raw.reason = static_cast<int>(r.result.failure);
  raw.interval_us = r.interval.count();
  raw.duration_us = r.result.duration.count();
  if (r.covered) raw.covered_us = r.covered->count();
  return raw;
}

// One hour of a series as the writer's rollup row accumulates it. An hour gets a row as soon as
// anything lands in it — a run, a confirm row, covered or unmonitored time — even when every figure
// RollupHour shows stays zero, exactly as the writer's deltas do.
struct HourAcc {
  std::int64_t runs = 0;
  std::int64_t failed = 0;
  std::int64_t down_runs = 0;
  std::int64_t covered = 0;
  std::int64_t maintenance = 0;
  std::int64_t downtime = 0;
  std::int64_t unmonitored = 0;
  std::array<std::int64_t, 5> phase_sum{};  // of the runs in hist, RollupHour::phase_sum order
  LatencyHistogram hist;
};

}  // namespace

MemoryResultStore::MemoryResultStore() = default;
MemoryResultStore::~MemoryResultStore() = default;

bool MemoryResultStore::enqueue(core::RunRecord&& rec) {
  const auto verdict = core::judgeRun(rec);
  if (!verdict.counts) return false;  // cancelled: neither stored nor a drop
  std::lock_guard lk(mu_);
  auto& slot = series_[SeriesKey{rec.key, rec.step}];
  if (!slot) slot = std::make_unique<Series>();
  auto& s = *slot;
  Series::Row row;
  auto& r = row.r;
  r.series = SeriesKey{rec.key, rec.step};
  r.run_id = rec.run_id;
  r.confirm = rec.confirm;
  r.confirm_pending = !rec.confirm && rec.confirm_pending;
  r.in_maintenance = rec.in_maintenance;
  r.interval = core::Micros{rec.interval.count() / 1000 * 1000};
  r.result = rec.result;
  r.result.assertions.clear();
  r.result.final_url.clear();
  r.result.redirects = 0;
  r.result.content_length = -1;
  r.result.ssl = false;
  r.result.queue_wait = core::Micros{0};
  r.result.steps.clear();
  r.result.failed_step.clear();
  if (r.result.success) r.result.message.clear();
  if (r.result.cert_not_after) {
    r.result.cert_not_after =
        core::fromMicros(core::toMicros(*r.result.cert_not_after) / 1'000'000 * 1'000'000);
  }
  std::int64_t ts = 0;
  if (!verdict.covers) {  // a confirm re-check
    ts = core::toMicros(rec.result.started.time_since_epoch().count() != 0 ? rec.result.started
                                                                           : rec.scheduled);
    if (s.open_ts) {
      auto* open = s.find(*s.open_ts);
      if (open && open->r.run_id == rec.run_id) {
        const bool awaiting = s.open_awaiting_confirm;
        s.open_awaiting_confirm = false;
        if (core::confirmMakesDown(awaiting, rec)) open->r.counted_down = true;
      }
    }
  } else {
    ts = core::toMicros(rec.scheduled);
    r.counted_down = verdict.down;
    if (s.open_ts && ts <= *s.open_ts) {
      row.superseded = true;
      r.covered = core::Micros{0};
    } else if (s.open_ts) {
      if (auto* open = s.find(*s.open_ts); open != nullptr) {
        open->r.covered =
            core::Micros{std::min(ts, *s.open_ts + 2 * open->r.interval.count()) - *s.open_ts};
      }
    }
  }
  while (s.find(ts) != nullptr) ++ts;
  r.scheduled = core::fromMicros(ts);
  if (verdict.covers && !row.superseded) {
    s.open_ts = ts;
    s.open_awaiting_confirm = verdict.awaiting_confirm;
  }
  if (rec.result.started.time_since_epoch().count() == 0 || rec.confirm)
    r.result.started = r.scheduled;
  s.insert(std::move(row));
  ++written_;
  return true;
}

core::Status MemoryResultStore::flush() { return {}; }

StoreStats MemoryResultStore::stats() const {
  std::lock_guard lk(mu_);
  StoreStats st;
  st.written_total = written_;
  return st;
}

core::Result<std::vector<SeriesKey>> MemoryResultStore::series() {
  std::lock_guard lk(mu_);
  std::vector<SeriesKey> out;
  for (const auto& [k, v] : series_) out.push_back(k);
  return out;
}

core::Result<std::vector<StoredResult>> MemoryResultStore::lastResults(const SeriesKey& key,
                                                                       std::size_t n) {
  std::lock_guard lk(mu_);
  std::vector<StoredResult> out;
  auto it = series_.find(key);
  if (it == series_.end()) return out;
  const auto& rows = it->second->rows;
  for (auto row = rows.rbegin(); row != rows.rend() && out.size() < n; ++row) out.push_back(row->r);
  return out;
}

core::Result<std::vector<StoredResult>> MemoryResultStore::latestPerSeries(std::size_t n) {
  std::lock_guard lk(mu_);
  std::vector<StoredResult> out;
  for (const auto& [key, series] : series_) {
    const auto& rows = series->rows;
    std::size_t taken = 0;
    for (auto row = rows.rbegin(); row != rows.rend() && taken < n; ++row, ++taken)
      out.push_back(row->r);
  }
  return out;
}

core::Status MemoryResultStore::scan(core::SystemTime from, core::SystemTime to,
                                     const std::function<bool(const StoredResult&)>& visit) {
  std::lock_guard lk(mu_);
  const auto from_us = core::toMicros(from);
  const auto to_us = core::toMicros(to);
  for (const auto& [key, series] : series_) {
    const auto& rows = series->rows;
    auto it = std::lower_bound(rows.begin(), rows.end(), from_us,
                               [](const Series::Row& row, std::int64_t t) { return row.ts() < t; });
    for (; it != rows.end() && it->ts() < to_us; ++it) {
      if (!visit(it->r)) return {};
    }
  }
  return {};
}

core::Result<Aggregate> MemoryResultStore::windowAggregate(const SeriesKey& key,
                                                           core::SystemTime from,
                                                           core::SystemTime to,
                                                           core::SystemTime now) {
  std::lock_guard lk(mu_);
  Aggregate out;
  out.series = key;
  auto it = series_.find(key);
  if (it == series_.end()) return out;
  std::vector<detail::RawRow> rows;
  for (const auto& row : it->second->rows) {
    rows.push_back(rawRowOf(row.r, row.ts(), row.superseded));
  }
  detail::aggregateRaw(rows, core::toMicros(from), core::toMicros(to), core::toMicros(now), out);
  return out;
}

core::Status MemoryResultStore::scanRollups(core::SystemTime from, core::SystemTime to,
                                            const std::function<bool(const RollupHour&)>& visit) {
  std::lock_guard lk(mu_);
  const auto from_us = core::toMicros(from);
  const auto to_us = core::toMicros(to);
  const auto first = from_us < std::numeric_limits<std::int64_t>::min() + detail::kHourUs
                         ? std::numeric_limits<std::int64_t>::min()
                         : detail::floorHour(from_us);
  detail::RowJudge judge;
  for (const auto& [key, series] : series_) {
    std::map<std::int64_t, HourAcc> hours;  // by hour start (µs)
    const auto& rows = series->rows;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      if (row.superseded) continue;  // stored raw only, as in the writer
      const auto raw = rawRowOf(row.r, row.ts(), false);
      const auto verdict = judge(raw.flags);
      auto& acc = hours[detail::floorHour(raw.ts)];  // confirm rows too (their confirm_runs)
      if (!verdict.covers) continue;
      ++acc.runs;
      if (!row.r.result.success) ++acc.failed;
      if (row.r.counted_down) ++acc.down_runs;
      if (verdict.latency_sample) {
        acc.hist.add(row.r.result.duration);
        const auto& p = row.r.result.phases;
        const std::array<core::Micros, 5> phases{p.resolve, p.connect, p.tls, p.processing,
                                                 p.transfer};
        for (std::size_t k = 0; k < phases.size(); ++k) acc.phase_sum[k] += phases[k].count();
      }
      if (!raw.covered_us) continue;  // the open last run: not in rollups until the next run
      const auto end = raw.ts + *raw.covered_us;
      detail::splitByHour(raw.ts, end, [&](std::int64_t hour, std::int64_t b, std::int64_t e) {
        auto& h = hours[hour];
        h.covered += e - b;
        if (row.r.in_maintenance) {
          h.maintenance += e - b;
        } else if (row.r.counted_down) {
          h.downtime += e - b;
        }
      });
      for (std::size_t j = i + 1; j < rows.size(); ++j) {
        if (rows[j].superseded || rows[j].r.confirm) continue;
        // Unmonitored time up to the next scheduled run (its hours get rows even when empty).
        detail::splitByHour(end, rows[j].ts(), [&](std::int64_t hour, std::int64_t b,
                                                   std::int64_t e) {
          hours[hour].unmonitored += e - b;
        });
        break;
      }
    }
    RollupHour out;
    out.series = key;
    for (const auto& [hour, acc] : hours) {
      if (hour < first || hour >= to_us) continue;
      out.hour = core::fromMicros(hour);
      out.runs = acc.runs;
      out.failed = acc.failed;
      out.down_runs = acc.down_runs;
      out.covered = core::Micros{acc.covered};
      out.maintenance = core::Micros{acc.maintenance};
      out.downtime = core::Micros{acc.downtime};
      out.unmonitored = core::Micros{acc.unmonitored};
      for (std::size_t k = 0; k < out.phase_sum.size(); ++k) {
        out.phase_sum[k] = core::Micros{acc.phase_sum[k]};
      }
      out.latency.clear();
      acc.hist.forEach([&](core::Micros v, std::uint64_t n) { out.latency.emplace_back(v, n); });
      if (!visit(out)) return {};
    }
  }
  return {};
}

core::Result<std::vector<Aggregate>> MemoryResultStore::rangeAggregate(core::SystemTime from,
                                                                       core::SystemTime to,
                                                                       core::SystemTime now) {
  std::vector<SeriesKey> keys;
  {
    std::lock_guard lk(mu_);
    for (const auto& [k, v] : series_) keys.push_back(k);
  }
  auto f = core::fromMicros(detail::floorHour(core::toMicros(from)));
  auto t = core::fromMicros(detail::ceilHour(core::toMicros(to)));
  std::vector<Aggregate> out;
  for (const auto& k : keys) {
    auto a = windowAggregate(k, f, t, now);
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

}  // namespace shopwatch::storage
