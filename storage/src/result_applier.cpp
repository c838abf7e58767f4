#include "result_applier.h"

#include <algorithm>

#include "accounting.h"
#include "result_schema.h"

namespace shopwatch::storage::detail {

namespace {

// Intervals are stored in whole milliseconds (config enforces >= 1s); never store 0, which would
// make every run's coverage empty.
std::int64_t intervalMs(const core::RunRecord& rec) {
  return std::max<std::int64_t>(rec.interval.count() / 1000, 1);
}

std::string insertRawSql() {
  std::string params;
  for (int i = 1; i <= kRawColCount + 1; ++i) params += (i == 1 ? "?" : ",?") + std::to_string(i);
  return "INSERT INTO raw(series," + std::string(kRawCols) + ") VALUES(" + params +
         ") ON CONFLICT DO NOTHING";
}

std::string upsertRollupSql() {
  std::string params;
  for (int i = 3; i < 3 + kRollColCount; ++i) params += ",?" + std::to_string(i);
  return "INSERT OR REPLACE INTO rollup(series,hour," + rollupCols() + ") VALUES(?1,?2" + params +
         ")";
}

}  // namespace

core::Status ResultApplier::load(Db& db) {
  clear();
  db_ = &db;
  const std::pair<Statement**, std::string> sql[] = {
      {&s_.insert_raw, insertRawSql()},
      {&s_.update_covered, "UPDATE raw SET covered=?3 WHERE series=?1 AND ts=?2"},
      {&s_.update_flags, "UPDATE raw SET flags=?3 WHERE series=?1 AND ts=?2"},
      {&s_.find_series,
       "SELECT id FROM series WHERE shop=?1 AND env=?2 AND check_name=?3 AND step=?4"},
      {&s_.insert_series, "INSERT INTO series(shop,env,check_name,step) VALUES(?1,?2,?3,?4)"},
      {&s_.find_message, "SELECT id FROM message WHERE text=?1"},
      {&s_.insert_message, "INSERT INTO message(text) VALUES(?1)"},
      {&s_.select_rollup, "SELECT " + rollupCols() + " FROM rollup WHERE series=?1 AND hour=?2"},
      {&s_.upsert_rollup, upsertRollupSql()},
  };
  for (const auto& [slot, text] : sql) {
    auto st = db.statement(text);
    if (!st) return st.error();
    *slot = *st;
  }
  auto all = db.statement("SELECT id,shop,env,check_name,step FROM series");
  auto last = db.statement(
      "SELECT ts,flags,run_id,interval_ms,covered FROM raw WHERE series=?1 AND (flags & ?2)=0 "
      "ORDER BY ts DESC LIMIT 1");
  auto seen = db.statement(
      "SELECT 1 FROM raw WHERE series=?1 AND ts>?2 AND (flags & ?4)<>0 AND run_id=?3 LIMIT 1");
  if (!all) return all.error();
  if (!last) return last.error();
  if (!seen) return seen.error();

  // Restore each series' open run so coverage continues across restarts (the gap becomes
  // unmonitored).
  std::vector<std::int64_t> ids;
  {
    Statement::ResetOnExit reset(**all);
    for (;;) {
      auto row = (*all)->step();
      if (!row) return row.error();
      if (!*row) break;
      ids.push_back((*all)->i64(0));
      SeriesKey key{core::CheckKey{(*all)->text(1), (*all)->text(2), (*all)->text(3)},
                    (*all)->text(4)};
      series_ids_[std::move(key)] = ids.back();
    }
  }
  RowJudge judge;
  for (auto id : ids) {
    OpenRun o;
    {
      Statement::ResetOnExit reset(**last);
      auto row = (*last)->bind(1, id).bind(2, kFlagNotScheduled).step();
      if (!row) return row.error();
      if (!*row || !(*last)->isNull(4)) continue;
      o = OpenRun{(*last)->i64(0), (*last)->i64(3) * 1000, (*last)->i64(2), (*last)->i64(1), false};
    }
    Statement::ResetOnExit reset(**seen);
    auto row = (*seen)->bind(1, id).bind(2, o.ts).bind(3, o.run_id).bind(4, kFlagConfirm).step();
    if (!row) return row.error();
    o.awaiting_confirm = !*row && judge(o.flags).awaiting_confirm && (o.flags & kFlagDown) == 0;
    open_runs_[id] = o;
  }
  return {};
}

void ResultApplier::clear() {
  db_ = nullptr;
  s_ = {};
  open_runs_.clear();
  series_ids_.clear();
  message_ids_.clear();
  deltas_.clear();
}

core::Result<std::int64_t> ResultApplier::internId(Statement& find, Statement& insert) {
  {
    Statement::ResetOnExit reset(find);
    auto row = find.step();
    if (!row) {
      insert.reset();
      return row.error();
    }
    if (*row) {
      insert.reset();
      return find.i64(0);
    }
  }
  if (auto st = insert.run(); !st) return st.error();
  return db_->lastInsertRowid();
}

core::Result<std::int64_t> ResultApplier::seriesId(const core::CheckKey& key,
                                                   const std::string& step) {
  SeriesKey k{key, step};
  if (auto it = series_ids_.find(k); it != series_ids_.end()) return it->second;
  s_.find_series->bind(1, key.shop).bind(2, key.env).bind(3, key.check).bind(4, step);
  s_.insert_series->bind(1, key.shop).bind(2, key.env).bind(3, key.check).bind(4, step);
  auto id = internId(*s_.find_series, *s_.insert_series);
  if (id) series_ids_[std::move(k)] = *id;
  return id;
}

core::Result<std::int64_t> ResultApplier::messageId(const std::string& text) {
  if (auto it = message_ids_.find(text); it != message_ids_.end()) return it->second;
  s_.find_message->bind(1, text);
  s_.insert_message->bind(1, text);
  auto id = internId(*s_.find_message, *s_.insert_message);
  if (!id) return id;
  if (message_ids_.size() > 10000)
    message_ids_.clear();  // bounded: messages vary with URLs and bodies
  message_ids_[text] = *id;
  return id;
}

core::Status ResultApplier::insertRaw(std::int64_t series, std::int64_t& ts,
                                      const core::RunRecord& rec, std::int64_t flags,
                                      std::optional<std::int64_t> covered) {
  const auto& r = rec.result;
  std::optional<std::int64_t> message;
  if (!r.success && !r.message.empty()) {
    auto id = messageId(r.message);
    if (!id) return id.error();
    message = *id;
  }
  std::int64_t lag = 0;
  if ((flags & kFlagConfirm) == 0 && r.started.time_since_epoch().count() != 0) {
    lag = core::toMicros(r.started) - core::toMicros(rec.scheduled);
  }
  std::optional<std::int64_t> cert;
  if (r.cert_not_after) cert = core::toMicros(*r.cert_not_after) / 1'000'000;
  auto& s = *s_.insert_raw;
  // Parameter N is column N - 2 of kRawCols (?1 is the series). Phases are stored for failed runs
  // too: a TLS failure keeps its resolve and connect times.
  constexpr int p = 2;
  // Two rows of one series with the same microsecond: keep both, the later one a microsecond later.
  for (int attempt = 0; attempt < 1000; ++attempt, ++ts) {
    s.bind(1, series)
        .bind(p + kRawTs, ts)
        .bind(p + kRawRunId, rec.run_id)
        .bind(p + kRawFlags, flags)
        .bind(p + kRawReason, static_cast<std::int64_t>(r.failure))
        .bind(p + kRawMessage, message)
        .bind(p + kRawStatus, std::int64_t{r.status_code})
        .bind(p + kRawIntervalMs, intervalMs(rec))
        .bind(p + kRawLag, lag)
        .bind(p + kRawDuration, r.duration.count())
        .bind(p + kRawResolve, r.phases.resolve.count())
        .bind(p + kRawConnect, r.phases.connect.count())
        .bind(p + kRawTls, r.phases.tls.count())
        .bind(p + kRawProcessing, r.phases.processing.count())
        .bind(p + kRawTransfer, r.phases.transfer.count())
        .bind(p + kRawBytes, static_cast<std::int64_t>(r.bytes))
        .bind(p + kRawHttpVersion, std::int64_t{httpVersionCode(r.http_version)})
        .bind(p + kRawCertExpiry, cert)
        .bind(p + kRawCovered, covered);
    if (auto st = s.run(); !st) return st;
    if (db_->changes() == 1) return {};
  }
  return core::makeError(core::ErrorCode::Io, "insert result: 1000 rows at the same microsecond");
}

ResultApplier::RollupDelta& ResultApplier::delta(std::int64_t series, std::int64_t ts) {
  return deltas_[{series, floorHour(ts) / kHourUs}];
}

core::Status ResultApplier::apply(const core::RunRecord& rec) {
  auto sid = seriesId(rec.key, rec.step);
  if (!sid) return sid.error();
  const std::int64_t id = *sid;
  const auto& r = rec.result;
  const auto verdict = core::judgeRun(rec);
  std::int64_t flags = flagsFor(rec, verdict);
  auto open = open_runs_.find(id);

  if (!verdict.covers) {  // a confirm re-check
    std::int64_t ts =
        core::toMicros(r.started.time_since_epoch().count() != 0 ? r.started : rec.scheduled);
    if (open != open_runs_.end() && open->second.run_id == rec.run_id) {
      auto& o = open->second;
      const bool awaiting = o.awaiting_confirm;
      o.awaiting_confirm = false;
      if (core::confirmMakesDown(awaiting, rec)) {
        o.flags |= kFlagDown;
        if (auto st = s_.update_flags->bind(1, id).bind(2, o.ts).bind(3, o.flags).run(); !st)
          return st;
        ++delta(id, o.ts).down_runs;
      }
    }
    if (auto st = insertRaw(id, ts, rec, flags, std::nullopt); !st) return st;
    ++delta(id, ts).confirm_runs;
    return {};
  }

  std::int64_t ts = core::toMicros(rec.scheduled);
  std::optional<std::int64_t> covered;
  bool superseded = open != open_runs_.end() && ts <= open->second.ts;
  if (superseded) {
    flags |= kFlagSuperseded;
    covered = 0;
  } else if (open != open_runs_.end()) {
    const auto& o = open->second;
    auto end = std::min(ts, o.ts + 2 * o.interval_us);
    if (auto st = s_.update_covered->bind(1, id).bind(2, o.ts).bind(3, end - o.ts).run(); !st)
      return st;
    auto oflags = o.flags;
    splitByHour(o.ts, end, [&](std::int64_t hour, std::int64_t b, std::int64_t e) {
      auto& d = deltas_[{id, hour / kHourUs}];
      d.covered += e - b;
      if ((oflags & kFlagMaintenance) != 0) {
        d.maintenance += e - b;
      } else if ((oflags & kFlagDown) != 0) {
        d.downtime += e - b;
      }
    });
    splitByHour(end, ts, [&](std::int64_t hour, std::int64_t b, std::int64_t e) {
      deltas_[{id, hour / kHourUs}].unmonitored += e - b;
    });
  }
  if (auto st = insertRaw(id, ts, rec, flags, covered); !st) return st;
  // A superseded row (e.g. after a backward clock step) is kept raw only: its slot's time is
  // already accounted by the open run, so counting it in the rollups would count that time twice.
  // aggregateRaw skips it the same way, so rollups and raw windows agree.
  if (superseded) return {};
  // Intervals are stored in whole milliseconds; account with the stored value.
  open_runs_[id] = OpenRun{ts, intervalMs(rec) * 1000, rec.run_id, flags, verdict.awaiting_confirm};
  auto& d = delta(id, ts);
  ++d.runs;
  if (verdict.latency_sample) {
    d.hist.add(r.duration);
    const auto phases = phaseValues(r.phases);
    for (std::size_t i = 0; i < phases.size(); ++i) d.phase_sums[i] += phases[i];
  }
  if (!r.success) {
    ++d.failed;
    auto reason = static_cast<std::size_t>(r.failure);
    if (reason > 0 && reason < core::kFailureReasonCount) ++d.reasons[reason];
  }
  if (verdict.down) ++d.down_runs;
  return {};
}

core::Status ResultApplier::writeRollups() {
  auto& q = *s_.select_rollup;
  auto& u = *s_.upsert_rollup;
  for (auto& [key, d] : deltas_) {
    {
      Statement::ResetOnExit reset(q);
      auto row = q.bind(1, key.first).bind(2, key.second).step();
      if (!row) return row.error();
      if (*row) {
        d.runs += q.i64(kRollRuns);
        d.failed += q.i64(kRollFailed);
        d.down_runs += q.i64(kRollDownRuns);
        d.confirm_runs += q.i64(kRollConfirmRuns);
        for (const auto& c : kReasonColumns) {
          d.reasons[static_cast<std::size_t>(c.stored)] += q.i64(rollupReasonCol(c));
        }
        d.covered += q.i64(kRollCovered);
        d.maintenance += q.i64(kRollMaintenance);
        d.downtime += q.i64(kRollDowntime);
        d.unmonitored += q.i64(kRollUnmonitored);
        d.hist.mergeEncoded(q.blob(kRollHist));
        for (std::size_t i = 0; i < d.phase_sums.size(); ++i) {
          d.phase_sums[i] += q.i64(rollupPhaseCol(i));
        }
      }
    }
    constexpr int p = 3;  // ?1 series, ?2 hour, then the rollup columns
    u.bind(1, key.first)
        .bind(2, key.second)
        .bind(p + kRollRuns, d.runs)
        .bind(p + kRollFailed, d.failed)
        .bind(p + kRollDownRuns, d.down_runs)
        .bind(p + kRollConfirmRuns, d.confirm_runs);
    for (const auto& c : kReasonColumns) {
      u.bind(p + rollupReasonCol(c), d.reasons[static_cast<std::size_t>(c.stored)]);
    }
    u.bind(p + kRollCovered, d.covered)
        .bind(p + kRollMaintenance, d.maintenance)
        .bind(p + kRollDowntime, d.downtime)
        .bind(p + kRollUnmonitored, d.unmonitored)
        .bindBlob(p + kRollHist, d.hist.encode());
    for (std::size_t i = 0; i < d.phase_sums.size(); ++i) {
      u.bind(p + rollupPhaseCol(i), d.phase_sums[i]);
    }
    if (auto st = u.run(); !st) return st;
  }
  deltas_.clear();
  return {};
}

}  // namespace shopwatch::storage::detail
