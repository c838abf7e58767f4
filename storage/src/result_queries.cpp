#include "result_queries.h"

#include <algorithm>
#include <limits>

#include "accounting.h"
#include "result_schema.h"
#include "shopwatch/storage/latency_histogram.h"

namespace shopwatch::storage::detail {

namespace {

// A comma-separated column list with every column qualified by `alias`.
std::string qualified(std::string_view cols, std::string_view alias) {
  std::string out;
  while (!cols.empty()) {
    auto comma = cols.find(',');
    auto name = cols.substr(0, comma);
    if (!out.empty()) out += ',';
    out.append(alias).append(".").append(name);
    cols = comma == std::string_view::npos ? std::string_view() : cols.substr(comma + 1);
  }
  return out;
}

// Rows of series s joined with raw r: s.id, the series' names, kRawCols, the message text.
constexpr int kJoinFirstRaw = 5;
constexpr int kJoinMessage = kJoinFirstRaw + kRawColCount;
std::string joinedSelect() {
  return "SELECT s.id,s.shop,s.env,s.check_name,s.step," + qualified(kRawCols, "r") +
         ",(SELECT m.text FROM message m WHERE m.id=r.message) FROM series s JOIN raw r ON "
         "r.series=s.id ";
}

core::Error prefixed(const core::Error& e, std::string_view what) {
  return core::makeError(e.code, std::string(what) + ": " + e.message);
}

// Streams the rows of a joined query into `visit`; the series key is rebuilt only when it changes.
core::Status streamJoined(Statement& q, const std::function<bool(const StoredResult&)>& visit) {
  std::int64_t current = -1;
  SeriesKey key;
  for (;;) {
    auto row = q.step();
    if (!row) return row.error();
    if (!*row) return {};
    if (auto id = q.i64(0); id != current) {
      current = id;
      key = SeriesKey{core::CheckKey{q.text(1), q.text(2), q.text(3)}, q.text(4)};
    }
    if (!visit(storedResultAt(q, kJoinFirstRaw, key, q.text(kJoinMessage)))) return {};
  }
}

// Unix hour indexes (the rollup's `hour` column) of [floor_hour(from), to): the hours whose start
// lies in the window. Clamped so that extreme bounds (time_point::min/max) do not overflow.
std::pair<std::int64_t, std::int64_t> hourRange(std::int64_t from_us, std::int64_t to_us) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  auto first = from_us < kMin + kHourUs ? kMin / kHourUs - 1 : floorHour(from_us) / kHourUs;
  auto end = to_us > kMax - kHourUs ? kMax / kHourUs + 1 : ceilHour(to_us) / kHourUs;
  return {first, end};
}

}  // namespace

core::Result<Db*> ResultQueries::db() {
  if (db_) return db_.get();
  auto db = Db::open(path_.string(), true, 1000);
  if (!db) return db.error();
  db_ = std::move(*db);
  return db_.get();
}

core::Status ResultQueries::open() {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  return {};
}

void ResultQueries::close() {
  std::lock_guard lk(mu_);
  db_.reset();
}

core::Result<std::int64_t> ResultQueries::lookupSeries(Db& db, const SeriesKey& key) {
  auto s =
      db.statement("SELECT id FROM series WHERE shop=?1 AND env=?2 AND check_name=?3 AND step=?4");
  if (!s) return prefixed(s.error(), "query series");
  Statement::ResetOnExit reset(**s);
  auto row = (*s)->bind(1, key.key.shop)
                 .bind(2, key.key.env)
                 .bind(3, key.key.check)
                 .bind(4, key.step)
                 .step();
  if (!row) return prefixed(row.error(), "query series");
  if (*row) return (*s)->i64(0);
  return core::makeError(core::ErrorCode::NotFound, "no results for " + key.key.str() +
                                                        (key.step.empty() ? "" : "/" + key.step));
}

core::Result<std::string> ResultQueries::integrityCheck() {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  auto s = (*db)->statement("PRAGMA integrity_check");
  if (!s) return prefixed(s.error(), "integrity_check");
  Statement::ResetOnExit reset(**s);
  std::string out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return prefixed(row.error(), "integrity_check");
    if (!*row) return out;
    out += (out.empty() ? "" : "\n") + (*s)->text(0);
  }
}

core::Result<std::vector<SeriesKey>> ResultQueries::series() {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  auto s = (*db)->statement(
      "SELECT shop,env,check_name,step FROM series ORDER BY shop,env,check_name,step");
  if (!s) return prefixed(s.error(), "query series");
  Statement::ResetOnExit reset(**s);
  std::vector<SeriesKey> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return prefixed(row.error(), "query series");
    if (!*row) break;
    out.push_back(
        SeriesKey{core::CheckKey{(*s)->text(0), (*s)->text(1), (*s)->text(2)}, (*s)->text(3)});
  }
  std::sort(out.begin(), out.end());
  return out;
}

core::Result<std::vector<StoredResult>> ResultQueries::lastResults(const SeriesKey& series,
                                                                   std::size_t n) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  auto id = lookupSeries(**db, series);
  if (!id) {
    if (id.error().code == core::ErrorCode::NotFound) return std::vector<StoredResult>{};
    return id.error();
  }
  auto s = (*db)->statement("SELECT " + std::string(kRawCols) +
                            ",(SELECT text FROM message WHERE id=raw.message) FROM raw "
                            "WHERE series=?1 ORDER BY ts DESC LIMIT ?2");
  if (!s) return prefixed(s.error(), "query results");
  Statement::ResetOnExit reset(**s);
  (*s)->bind(1, *id).bind(2, static_cast<std::int64_t>(n));
  std::vector<StoredResult> out;
  for (;;) {
    auto row = (*s)->step();
    if (!row) return prefixed(row.error(), "query results");
    if (!*row) return out;
    out.push_back(storedResultAt(**s, 0, series, (*s)->text(kRawColCount)));
  }
}

core::Result<std::vector<StoredResult>> ResultQueries::latestPerSeries(std::size_t n) {
  std::vector<StoredResult> out;
  if (n == 0) return out;
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  // One query: per series, the rows at or after its n-th newest (a PK seek each); series with fewer
  // rows than n give all of theirs.
  auto s = (*db)->statement(
      joinedSelect() +
      "WHERE r.ts>=coalesce((SELECT x.ts FROM raw x WHERE x.series=s.id ORDER BY x.ts DESC LIMIT 1 "
      "OFFSET ?1),?2) ORDER BY s.shop,s.env,s.check_name,s.step,r.ts DESC");
  if (!s) return prefixed(s.error(), "query latest results");
  Statement::ResetOnExit reset(**s);
  (*s)->bind(1, static_cast<std::int64_t>(n - 1)).bind(2, std::numeric_limits<std::int64_t>::min());
  auto st = streamJoined(**s, [&](const StoredResult& r) {
    out.push_back(r);
    return true;
  });
  if (!st) return prefixed(st.error(), "query latest results");
  return out;
}

core::Status ResultQueries::scan(core::SystemTime from, core::SystemTime to,
                                 const std::function<bool(const StoredResult&)>& visit) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  // The planner walks series in name order (its UNIQUE index) and seeks each series' range in raw's
  // primary key: ordered output without a sort, rows streamed one at a time.
  auto s = (*db)->statement(
      joinedSelect() + "AND r.ts>=?1 AND r.ts<?2 ORDER BY s.shop,s.env,s.check_name,s.step,r.ts");
  if (!s) return prefixed(s.error(), "scan results");
  Statement::ResetOnExit reset(**s);
  (*s)->bind(1, core::toMicros(from)).bind(2, core::toMicros(to));
  if (auto st = streamJoined(**s, visit); !st) return prefixed(st.error(), "scan results");
  return {};
}

core::Status ResultQueries::scanRollups(core::SystemTime from, core::SystemTime to,
                                        const std::function<bool(const RollupHour&)>& visit) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  // As scan(): series in name order through its UNIQUE index, a primary-key range seek into
  // rollup(series, hour) for each; no sort, one row in memory at a time.
  constexpr int kFirstRollup = 6;
  auto s = (*db)->statement("SELECT s.id,s.shop,s.env,s.check_name,s.step,r.hour," +
                            qualified(rollupCols(), "r") +
                            " FROM series s JOIN rollup r ON r.series=s.id WHERE r.hour>=?1 AND "
                            "r.hour<?2 ORDER BY s.shop,s.env,s.check_name,s.step,r.hour");
  if (!s) return prefixed(s.error(), "scan rollups");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  const auto [first, end] = hourRange(core::toMicros(from), core::toMicros(to));
  q.bind(1, first).bind(2, end);
  std::int64_t current = -1;
  RollupHour out;
  for (;;) {
    auto row = q.step();
    if (!row) return prefixed(row.error(), "scan rollups");
    if (!*row) return {};
    if (auto id = q.i64(0); id != current) {
      current = id;
      out.series = SeriesKey{core::CheckKey{q.text(1), q.text(2), q.text(3)}, q.text(4)};
    }
    out.hour = core::fromMicros(q.i64(5) * kHourUs);
    out.runs = q.i64(kFirstRollup + kRollRuns);
    out.failed = q.i64(kFirstRollup + kRollFailed);
    out.down_runs = q.i64(kFirstRollup + kRollDownRuns);
    out.covered = core::Micros{q.i64(kFirstRollup + kRollCovered)};
    out.maintenance = core::Micros{q.i64(kFirstRollup + kRollMaintenance)};
    out.downtime = core::Micros{q.i64(kFirstRollup + kRollDowntime)};
    out.unmonitored = core::Micros{q.i64(kFirstRollup + kRollUnmonitored)};
    for (std::size_t i = 0; i < out.phase_sum.size(); ++i) {
      out.phase_sum[i] = core::Micros{q.i64(kFirstRollup + rollupPhaseCol(i))};
    }
    if (!LatencyHistogram::decodeEncoded(q.blob(kFirstRollup + kRollHist), out.latency)) {
      return core::makeError(core::ErrorCode::Io,
                             "scan rollups: corrupt latency histogram of " + out.series.key.str() +
                                 (out.series.step.empty() ? "" : "/" + out.series.step) +
                                 " at hour " + std::to_string(q.i64(5)));
    }
    if (!visit(out)) return {};
  }
}

core::Status ResultQueries::read(const std::function<core::Status(Db&)>& fn) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  return fn(**db);
}

core::Result<Aggregate> ResultQueries::windowAggregate(const SeriesKey& series,
                                                       core::SystemTime from, core::SystemTime to,
                                                       core::SystemTime now) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  Aggregate out;
  out.series = series;
  auto id = lookupSeries(**db, series);
  if (!id) {
    if (id.error().code == core::ErrorCode::NotFound) return out;
    return id.error();
  }
  auto from_us = core::toMicros(from);
  auto to_us = core::toMicros(to);
  auto prev = (*db)->statement(
      "SELECT ts FROM raw WHERE series=?1 AND ts<?2 AND (flags & ?3)=0 "
      "ORDER BY ts DESC LIMIT 1");
  auto next = (*db)->statement(
      "SELECT ts FROM raw WHERE series=?1 AND ts>=?2 AND (flags & ?3)=0 "
      "ORDER BY ts LIMIT 1");
  auto rows_q = (*db)->statement("SELECT " + std::string(kRawCols) +
                                 " FROM raw WHERE series=?1 AND ts>=?2 AND ts<=?3 ORDER BY ts");
  for (const auto* s : {&prev, &next, &rows_q}) {
    if (!*s) return prefixed(s->error(), "query window");
  }
  // One snapshot for the three reads.
  Transaction tx(**db, Transaction::Kind::Deferred);
  if (!tx.began()) return prefixed(tx.began().error(), "begin");
  auto bound = [&](Statement& q, std::int64_t at,
                   std::int64_t otherwise) -> core::Result<std::int64_t> {
    Statement::ResetOnExit reset(q);
    auto row = q.bind(1, *id).bind(2, at).bind(3, kFlagNotScheduled).step();
    if (!row) return row.error();
    return *row ? q.i64(0) : otherwise;
  };
  auto lo = bound(**prev, from_us, from_us);
  if (!lo) return prefixed(lo.error(), "query window");
  auto hi = bound(**next, to_us, to_us - 1);
  if (!hi) return prefixed(hi.error(), "query window");
  std::vector<RawRow> rows;
  {
    auto& q = **rows_q;
    Statement::ResetOnExit reset(q);
    q.bind(1, *id).bind(2, *lo).bind(3, *hi);
    for (;;) {
      auto row = q.step();
      if (!row) return prefixed(row.error(), "query window");
      if (!*row) break;
      rows.push_back(rawRowAt(q, 0));
    }
  }
  (void)tx.commit();
  aggregateRaw(rows, from_us, to_us, core::toMicros(now), out);
  return out;
}

core::Result<std::vector<Aggregate>> ResultQueries::rangeAggregate(core::SystemTime from,
                                                                   core::SystemTime to,
                                                                   core::SystemTime now) {
  std::lock_guard lk(mu_);
  auto db = this->db();
  if (!db) return db.error();
  auto from_us = floorHour(core::toMicros(from));
  auto to_us = ceilHour(core::toMicros(to));
  auto series_q = (*db)->statement("SELECT id,shop,env,check_name,step FROM series");
  if (!series_q) return prefixed(series_q.error(), "query series");
  auto rollup_q = (*db)->statement("SELECT " + rollupCols() +
                                   " FROM rollup WHERE series=?1 AND hour>=?2 AND hour<?3");
  if (!rollup_q) return prefixed(rollup_q.error(), "query rollups");
  auto open_q =
      (*db)->statement("SELECT " + std::string(kRawCols) +
                       " FROM raw WHERE series=?1 AND (flags & ?2)=0 ORDER BY ts DESC LIMIT 1");
  if (!open_q) return prefixed(open_q.error(), "query rollups");
  Transaction tx(**db, Transaction::Kind::Deferred);
  if (!tx.began()) return prefixed(tx.began().error(), "begin");
  std::vector<Aggregate> out;
  auto& sq = **series_q;
  Statement::ResetOnExit reset_series(sq);
  for (;;) {
    auto srow = sq.step();
    if (!srow) return prefixed(srow.error(), "query series");
    if (!*srow) break;
    Aggregate a;
    a.series = SeriesKey{core::CheckKey{sq.text(1), sq.text(2), sq.text(3)}, sq.text(4)};
    auto id = sq.i64(0);
    LatencyHistogram hist;
    {
      auto& q = **rollup_q;
      Statement::ResetOnExit reset(q);
      q.bind(1, id).bind(2, from_us / kHourUs).bind(3, to_us / kHourUs);
      for (;;) {
        auto row = q.step();
        if (!row) return prefixed(row.error(), "query rollups");
        if (!*row) break;
        a.runs += q.i64(kRollRuns);
        a.failed += q.i64(kRollFailed);
        a.down_runs += q.i64(kRollDownRuns);
        a.confirm_runs += q.i64(kRollConfirmRuns);
        for (const auto& c : kReasonColumns) {
          a.failures_by_reason[static_cast<std::size_t>(c.stored)] += q.i64(rollupReasonCol(c));
        }
        a.covered += core::Micros{q.i64(kRollCovered)};
        a.maintenance += core::Micros{q.i64(kRollMaintenance)};
        a.downtime += core::Micros{q.i64(kRollDowntime)};
        a.unmonitored += core::Micros{q.i64(kRollUnmonitored)};
        hist.mergeEncoded(q.blob(kRollHist));
      }
    }
    {
      // The open last run's coverage is not in the rollups until the next run closes it.
      auto& q = **open_q;
      Statement::ResetOnExit reset(q);
      auto row = q.bind(1, id).bind(2, kFlagNotScheduled).step();
      if (!row) return prefixed(row.error(), "query rollups");
      if (*row && q.isNull(kRawCovered))
        addOpenRun(rawRowAt(q, 0), from_us, to_us, core::toMicros(now), a);
    }
    a.latency_samples = static_cast<std::int64_t>(hist.count());
    a.p50 = hist.percentile(0.50);
    a.p90 = hist.percentile(0.90);
    a.p95 = hist.percentile(0.95);
    a.p99 = hist.percentile(0.99);
    out.push_back(std::move(a));
  }
  (void)tx.commit();
  std::sort(out.begin(), out.end(),
            [](const Aggregate& x, const Aggregate& y) { return x.series < y.series; });
  return out;
}

}  // namespace shopwatch::storage::detail
