#include "retention.h"

#include <algorithm>

#include "accounting.h"

namespace shopwatch::storage::detail {

core::Status RetentionCycle::deleteRawChunk(Db& db, std::int64_t series, std::int64_t chunk,
                                            std::int64_t& removed, bool& deleted_messages) {
  auto del = db.statement(
      "DELETE FROM raw WHERE series=?1 AND ts IN "
      "(SELECT ts FROM raw WHERE series=?1 AND ts<?2 ORDER BY ts LIMIT ?3) RETURNING message");
  auto del_message = db.statement(
      "DELETE FROM message WHERE id=?1 AND NOT EXISTS (SELECT 1 FROM raw WHERE raw.message=?1)");
  if (!del) return del.error();
  if (!del_message) return del_message.error();
  Transaction tx(db);
  if (!tx.began()) return tx.began();
  removed = 0;
  std::vector<std::int64_t> messages;
  {
    Statement::ResetOnExit reset(**del);
    (*del)->bind(1, series).bind(2, raw_cutoff_).bind(3, chunk);
    for (;;) {
      auto row = (*del)->step();
      if (!row) return row.error();
      if (!*row) break;
      ++removed;
      if (!(*del)->isNull(0)) messages.push_back((*del)->i64(0));
    }
  }
  std::sort(messages.begin(), messages.end());
  messages.erase(std::unique(messages.begin(), messages.end()), messages.end());
  bool deleted = false;
  for (auto id : messages) {
    if (auto st = (*del_message)->bind(1, id).run(); !st) return st;
    deleted = deleted || db.changes() > 0;
  }
  if (auto st = tx.commit(); !st) return st;
  deleted_messages = deleted_messages || deleted;
  return {};
}

core::Status RetentionCycle::step(Db& db, const RetentionPolicy& policy, std::int64_t now_us,
                                  std::uint64_t gen, bool& finished, bool& deleted_messages) {
  finished = false;
  auto fail = [&](const core::Error& e) {
    abandon();
    return core::makeError(e.code, "retention: " + e.message);
  };
  if (!active_) {
    active_ = true;
    gen_ = gen;
    raw_cutoff_ = now_us - policy.raw.count();
    hour_cutoff_ = floorHour(now_us - policy.rollups.count()) / kHourUs;
    auto all = db.statement("SELECT id FROM series");
    if (!all) return fail(all.error());
    Statement::ResetOnExit reset(**all);
    for (;;) {
      auto row = (*all)->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      series_.push_back((*all)->i64(0));
    }
  }
  auto del_rollup = db.statement(
      "DELETE FROM rollup WHERE series=?1 AND hour IN "
      "(SELECT hour FROM rollup WHERE series=?1 AND hour<?2 ORDER BY hour LIMIT ?3)");
  if (!del_rollup) return fail(del_rollup.error());
  auto chunk = static_cast<std::int64_t>(std::max<std::size_t>(policy.chunk, 1));
  // Bounded so that the queue is drained between slices even when a lowered retention leaves
  // millions of rows to delete; at least one chunk per slice guarantees progress.
  auto deadline = std::chrono::steady_clock::now() + policy.slice;
  while (next_ < series_.size()) {
    auto id = series_[next_];
    std::int64_t removed = 0;
    if (!rollups_) {
      if (auto st = deleteRawChunk(db, id, chunk, removed, deleted_messages); !st)
        return fail(st.error());
    } else {
      // One short (autocommit) transaction per chunk: the lock is never held for long.
      if (auto st = (*del_rollup)->bind(1, id).bind(2, hour_cutoff_).bind(3, chunk).run(); !st) {
        return fail(st.error());
      }
      removed = db.changes();
    }
    if (removed < chunk) {
      if (rollups_) ++next_;
      rollups_ = !rollups_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return {};
  }
  abandon();
  finished = true;
  return {};
}

}  // namespace shopwatch::storage::detail
