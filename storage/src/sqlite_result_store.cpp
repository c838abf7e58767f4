#include "shopwatch/storage/sqlite_result_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "accounting.h"
#include "shopwatch/storage/latency_histogram.h"
#include "sqlite_db.h"

namespace shopwatch::storage {

namespace {

using detail::Stmt;
using namespace std::chrono_literals;

constexpr int kSchemaVersion = 2;

// Each entry migrates from version i to i + 1 inside one transaction.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  shop TEXT NOT NULL, env TEXT NOT NULL, check_name TEXT NOT NULL, step TEXT NOT NULL,
  UNIQUE(shop, env, check_name, step));
CREATE TABLE message(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE raw(
  series INTEGER NOT NULL,
  ts INTEGER NOT NULL,          -- µs; scheduled start (confirm rows: actual start)
  run_id INTEGER NOT NULL,
  flags INTEGER NOT NULL,       -- confirm 1, confirm_pending 2, maintenance 4, success 8, down 16, superseded 32
  reason INTEGER NOT NULL,      -- core::FailureReason
  message INTEGER,              -- message.id, failures only
  status INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  lag INTEGER NOT NULL,         -- µs from scheduled to actual start
  duration INTEGER NOT NULL,    -- µs; then the phases in µs
  resolve INTEGER NOT NULL, connect INTEGER NOT NULL, tls INTEGER NOT NULL,
  processing INTEGER NOT NULL, transfer INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  http_version INTEGER NOT NULL, -- 10, 11, 20, 30; 0 none
  cert_expiry INTEGER,           -- unix seconds
  covered INTEGER,               -- µs; NULL while this is the open last run
  PRIMARY KEY(series, ts)) WITHOUT ROWID;
CREATE TABLE rollup(
  series INTEGER NOT NULL,
  hour INTEGER NOT NULL,         -- unix hours
  runs INTEGER NOT NULL, failed INTEGER NOT NULL, down_runs INTEGER NOT NULL, confirm_runs INTEGER NOT NULL,
  r1 INTEGER NOT NULL, r2 INTEGER NOT NULL, r3 INTEGER NOT NULL, r4 INTEGER NOT NULL, r5 INTEGER NOT NULL,
  r6 INTEGER NOT NULL, r7 INTEGER NOT NULL, r8 INTEGER NOT NULL, r9 INTEGER NOT NULL, r10 INTEGER NOT NULL,
  r11 INTEGER NOT NULL,
  covered INTEGER NOT NULL, maintenance INTEGER NOT NULL, downtime INTEGER NOT NULL,
  unmonitored INTEGER NOT NULL,  -- µs
  hist BLOB NOT NULL,            -- LatencyHistogram::encode() of passing scheduled runs
  PRIMARY KEY(series, hour)) WITHOUT ROWID;
)sql",
    // v2: retention deletes messages no raw row references any more. The partial index makes "is this
    // message still used?" one probe while indexing only failure rows; the DELETE removes what v1's
    // retention left behind.
    R"sql(
CREATE INDEX raw_message ON raw(message) WHERE message IS NOT NULL;
DELETE FROM message WHERE NOT EXISTS (SELECT 1 FROM raw WHERE raw.message = message.id);
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr const char* kRollupCols =
    "runs,failed,down_runs,confirm_runs,r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,covered,maintenance,downtime,"
    "unmonitored,hist";
constexpr int kRollupColCount = 20;
constexpr const char* kRawCols =
    "ts,run_id,flags,reason,message,status,interval_ms,lag,duration,resolve,connect,tls,processing,transfer,"
    "bytes,http_version,cert_expiry,covered";

int httpVersionCode(const std::string& v) {
  if (v == "1.0") return 10;
  if (v == "1.1") return 11;
  if (v == "2" || v == "2.0") return 20;
  if (v == "3" || v == "3.0") return 30;
  return 0;
}

std::string httpVersionText(std::int64_t code) {
  switch (code) {
    case 10: return "1.0";
    case 11: return "1.1";
    case 20: return "2";
    case 30: return "3";
    default: return "";
  }
}

struct RollupDelta {
  std::int64_t runs = 0, failed = 0, down_runs = 0, confirm_runs = 0;
  std::array<std::int64_t, core::kFailureReasonCount> reasons{};
  std::int64_t covered = 0, maintenance = 0, downtime = 0, unmonitored = 0;
  LatencyHistogram hist;
};

struct OpenRun {
  std::int64_t ts = 0;
  std::int64_t interval_us = 0;
  std::int64_t run_id = 0;
  std::int64_t flags = 0;
  bool confirm_seen = false;
};

core::Error sqlError(sqlite3* db, int rc, std::string_view what) {
  return core::makeError(rc == SQLITE_NOTFOUND ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                         std::string(what) + ": " + detail::errorText(db, rc));
}

std::uint64_t fileSize(const std::filesystem::path& p) {
  std::error_code ec;
  auto size = std::filesystem::file_size(p, ec);
  return ec ? 0 : size;
}

// Intervals are stored in whole milliseconds (config enforces >= 1s); never store 0, which would make
// every run's coverage empty.
std::int64_t intervalMs(const ResultRecord& rec) {
  return std::max<std::int64_t>(rec.interval.count() / 1000, 1);
}

// Reads one raw row (columns in kRawCols order, starting at `col`) into the accounting view.
detail::RawRow rawRowAt(const Stmt& s, int col) {
  detail::RawRow r;
  r.ts = s.i64(col);
  r.flags = s.i64(col + 2);
  r.reason = static_cast<int>(s.i64(col + 3));
  r.interval_us = s.i64(col + 6) * 1000;
  r.duration_us = s.i64(col + 8);
  r.covered_us = s.optI64(col + 17);
  return r;
}

}  // namespace

class SqliteResultStore::Impl {
 public:
  Impl(StoreOptions options, bool read_only)
      : opt_(std::move(options)),
        clock_(opt_.clock ? *opt_.clock : core::SystemClock::instance()),
        read_only_(read_only) {}

  // ---- writer connection (writer thread only, or before it starts) ----
  int openWriter(std::string& err);
  void closeWriter() {
    stmts_ = {};
    open_runs_.clear();
    series_ids_.clear();
    message_ids_.clear();
    retention_ = {};
    wdb_.reset();
  }
  int writeBatch(std::size_t n, std::string& err);
  int processRecord(const ResultRecord& rec, std::map<std::pair<std::int64_t, std::int64_t>, RollupDelta>& d);
  // Looks a name up with `find` and inserts it with `insert` when missing (both already bound).
  int internId(Stmt& find, Stmt& insert, std::int64_t& id);
  int seriesId(const core::CheckKey& key, const std::string& step, std::int64_t& id);
  int messageId(const std::string& text, std::int64_t& id);
  int insertRaw(std::int64_t series, std::int64_t& ts, const ResultRecord& rec, std::int64_t flags,
                std::optional<std::int64_t> covered);
  // One bounded slice of a retention cycle (starting one when none is active); `finished` tells whether
  // the cycle completed. The writer interleaves slices with writes.
  int retentionStep(std::uint64_t request_gen, bool& finished, std::string& err);
  // Deletes up to `chunk` raw rows of a series older than `cutoff`, and the messages only they used, in
  // one transaction.
  int deleteRawChunk(std::int64_t series, std::int64_t cutoff, std::int64_t chunk, std::int64_t& removed);
  core::Status writePending(bool forced);
  void run(std::stop_token stop);

  // ---- reader connection ----
  core::Result<sqlite3*> reader();
  core::Result<std::int64_t> lookupSeries(sqlite3* db, const SeriesKey& key);

  StoreOptions opt_;
  const core::Clock& clock_;
  bool read_only_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;
  std::condition_variable done_cv_;
  std::deque<ResultRecord> queue_;
  bool stopping_ = false;
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  core::Status flush_status_;
  std::uint64_t retention_requested_ = 0;
  std::uint64_t retention_done_ = 0;
  core::Status retention_status_;
  std::string last_error_;

  /// Asks the writer for one more round of `requested` and waits, with `lk` on mu_, until `done`
  /// reaches it; returns what the writer left in `status`.
  core::Status requestAndWait(std::unique_lock<std::mutex>& lk, std::uint64_t& requested,
                              const std::uint64_t& done, const core::Status& status) {
    if (!writer_.joinable() || stopping_) return core::makeError(core::ErrorCode::Unavailable, "store stopped");
    const auto gen = ++requested;
    wake_cv_.notify_one();
    done_cv_.wait(lk, [&] { return done >= gen; });
    return status;
  }
  std::atomic<std::uint64_t> written_total_{0};
  std::atomic<std::uint64_t> dropped_total_{0};
  std::atomic<std::uint64_t> buffered_{0};
  std::atomic<bool> degraded_{false};
  std::jthread writer_;

  // writer-thread state
  detail::DbPtr wdb_;
  struct Statements {
    Stmt begin, commit, rollback, insert_raw, update_covered, update_flags, find_series, insert_series,
        find_message, insert_message, select_rollup, upsert_rollup, last_scheduled, confirm_seen,
        delete_raw, delete_rollup, delete_message, all_series;
  } stmts_;
  // A retention cycle in progress; it spans several writer iterations (each a bounded slice).
  struct RetentionCycle {
    bool active = false;
    std::uint64_t gen = 0;  // runRetention() requests this cycle answers
    std::int64_t raw_cutoff = 0;
    std::int64_t hour_cutoff = 0;
    std::vector<std::int64_t> series;
    std::size_t next = 0;   // index into `series`
    bool rollups = false;   // raw rows of series[next] are done; now its rollups
  } retention_;
  std::deque<ResultRecord> pending_;
  std::unordered_map<std::int64_t, OpenRun> open_runs_;
  std::map<SeriesKey, std::int64_t> series_ids_;
  std::unordered_map<std::string, std::int64_t> message_ids_;
  core::Micros backoff_{100ms};
  std::chrono::steady_clock::time_point next_retry_{};

  std::mutex rmu_;
  detail::DbPtr rdb_;
};

int SqliteResultStore::Impl::openWriter(std::string& err) {
  closeWriter();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(opt_.path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  detail::DbPtr db(raw);
  auto fail = [&](int code) {
    err = "open " + opt_.path.string() + ": " + detail::errorText(db.get(), code);
    return code;
  };
  if (rc != SQLITE_OK) return fail(rc);
  sqlite3_extended_result_codes(db.get(), 0);
  sqlite3_busy_timeout(db.get(), static_cast<int>(opt_.busy_timeout.count() / 1000));
  // A write-protected file opens silently read-only; report it as such now, not at the first insert.
  if (sqlite3_db_readonly(db.get(), "main") == 1) return fail(SQLITE_READONLY);
  if ((rc = detail::exec(db.get(), "PRAGMA journal_mode=WAL")) != SQLITE_OK) return fail(rc);
  // In WAL, NORMAL loses nothing on a process crash (only on power loss) and keeps commits cheap.
  if ((rc = detail::exec(db.get(), "PRAGMA synchronous=NORMAL")) != SQLITE_OK) return fail(rc);
  // Inserts land at the end of every series' key range; a 16 MiB cache keeps those pages hot.
  if ((rc = detail::exec(db.get(), "PRAGMA cache_size=-16384")) != SQLITE_OK) return fail(rc);

  int version = 0;
  {
    auto s = detail::prepare(db.get(), "PRAGMA user_version", rc);
    if (!s) return fail(rc);
    if ((rc = s.step()) != SQLITE_ROW) return fail(rc);
    version = static_cast<int>(s.i64(0));
  }
  if (version > kSchemaVersion) {
    err = opt_.path.string() + ": schema version " + std::to_string(version) + " is newer than this build's " +
          std::to_string(kSchemaVersion);
    return SQLITE_MISMATCH;
  }
  if (version < kSchemaVersion) {
    if ((rc = detail::exec(db.get(), "BEGIN IMMEDIATE")) != SQLITE_OK) return fail(rc);
    for (int v = version; v < kSchemaVersion; ++v) {
      if ((rc = detail::exec(db.get(), kMigrations[v])) != SQLITE_OK) {
        fail(rc);
        detail::exec(db.get(), "ROLLBACK");
        return rc;
      }
    }
    // PRAGMA takes no bound parameters; the value is our own constant.
    auto set_version = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
    if ((rc = detail::exec(db.get(), set_version.c_str())) != SQLITE_OK ||
        (rc = detail::exec(db.get(), "COMMIT")) != SQLITE_OK) {
      fail(rc);
      detail::exec(db.get(), "ROLLBACK");
      return rc;
    }
  }

  Statements s;
  const std::string rollup_params = [] {
    std::string p;
    for (int i = 3; i < 3 + kRollupColCount; ++i) p += ",?" + std::to_string(i);
    return p;
  }();
  const std::pair<Stmt*, std::string> sql[] = {
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.insert_raw, std::string("INSERT INTO raw(series,") + kRawCols +
                          ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19) "
                          "ON CONFLICT DO NOTHING"},
      {&s.update_covered, "UPDATE raw SET covered=?3 WHERE series=?1 AND ts=?2"},
      {&s.update_flags, "UPDATE raw SET flags=?3 WHERE series=?1 AND ts=?2"},
      {&s.find_series, "SELECT id FROM series WHERE shop=?1 AND env=?2 AND check_name=?3 AND step=?4"},
      {&s.insert_series, "INSERT INTO series(shop,env,check_name,step) VALUES(?1,?2,?3,?4)"},
      {&s.find_message, "SELECT id FROM message WHERE text=?1"},
      {&s.insert_message, "INSERT INTO message(text) VALUES(?1)"},
      {&s.select_rollup, std::string("SELECT ") + kRollupCols + " FROM rollup WHERE series=?1 AND hour=?2"},
      {&s.upsert_rollup, std::string("INSERT OR REPLACE INTO rollup(series,hour,") + kRollupCols +
                             ") VALUES(?1,?2" + rollup_params + ")"},
      {&s.last_scheduled, "SELECT ts,flags,run_id,interval_ms,covered FROM raw WHERE series=?1 AND "
                          "(flags & 33)=0 ORDER BY ts DESC LIMIT 1"},
      {&s.confirm_seen, "SELECT 1 FROM raw WHERE series=?1 AND ts>?2 AND (flags & 1)=1 AND run_id=?3 LIMIT 1"},
      {&s.delete_raw, "DELETE FROM raw WHERE series=?1 AND ts IN "
                      "(SELECT ts FROM raw WHERE series=?1 AND ts<?2 ORDER BY ts LIMIT ?3) RETURNING message"},
      {&s.delete_message, "DELETE FROM message WHERE id=?1 AND NOT EXISTS "
                          "(SELECT 1 FROM raw WHERE raw.message=?1)"},
      {&s.delete_rollup, "DELETE FROM rollup WHERE series=?1 AND hour IN "
                         "(SELECT hour FROM rollup WHERE series=?1 AND hour<?2 ORDER BY hour LIMIT ?3)"},
      {&s.all_series, "SELECT id,shop,env,check_name,step FROM series"},
  };
  for (const auto& [stmt, text] : sql) {
    *stmt = detail::prepare(db.get(), text, rc);
    if (!*stmt) return fail(rc);
  }

  // Restore each series' open run so coverage continues across restarts (the gap becomes unmonitored).
  std::vector<std::int64_t> ids;
  while ((rc = s.all_series.step()) == SQLITE_ROW) {
    ids.push_back(s.all_series.i64(0));
    SeriesKey key{core::CheckKey{s.all_series.text(1), s.all_series.text(2), s.all_series.text(3)},
                  s.all_series.text(4)};
    series_ids_[std::move(key)] = ids.back();
  }
  s.all_series.reset();
  if (rc != SQLITE_DONE) return fail(rc);
  for (auto id : ids) {
    s.last_scheduled.bind(1, id);
    rc = s.last_scheduled.step();
    if (rc == SQLITE_ROW && s.last_scheduled.isNull(4)) {
      OpenRun o{s.last_scheduled.i64(0), s.last_scheduled.i64(3) * 1000, s.last_scheduled.i64(2),
                s.last_scheduled.i64(1), false};
      s.last_scheduled.reset();
      s.confirm_seen.bind(1, id).bind(2, o.ts).bind(3, o.run_id);
      rc = s.confirm_seen.step();
      o.confirm_seen = rc == SQLITE_ROW;
      s.confirm_seen.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc);
      open_runs_[id] = o;
    } else {
      s.last_scheduled.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc);
    }
  }
  stmts_ = std::move(s);
  wdb_ = std::move(db);
  return SQLITE_OK;
}

int SqliteResultStore::Impl::internId(Stmt& find, Stmt& insert, std::int64_t& id) {
  int rc = find.step();
  if (rc == SQLITE_ROW) id = find.i64(0);
  find.reset();
  if (rc == SQLITE_ROW) {
    insert.reset();
    return SQLITE_OK;
  }
  if (rc != SQLITE_DONE) {
    insert.reset();
    return rc;
  }
  if ((rc = insert.run()) != SQLITE_DONE) return rc;
  id = sqlite3_last_insert_rowid(wdb_.get());
  return SQLITE_OK;
}

int SqliteResultStore::Impl::seriesId(const core::CheckKey& key, const std::string& step, std::int64_t& id) {
  SeriesKey k{key, step};
  if (auto it = series_ids_.find(k); it != series_ids_.end()) {
    id = it->second;
    return SQLITE_OK;
  }
  stmts_.find_series.bind(1, key.shop).bind(2, key.env).bind(3, key.check).bind(4, step);
  stmts_.insert_series.bind(1, key.shop).bind(2, key.env).bind(3, key.check).bind(4, step);
  if (int rc = internId(stmts_.find_series, stmts_.insert_series, id); rc != SQLITE_OK) return rc;
  series_ids_[std::move(k)] = id;
  return SQLITE_OK;
}

int SqliteResultStore::Impl::messageId(const std::string& text, std::int64_t& id) {
  if (auto it = message_ids_.find(text); it != message_ids_.end()) {
    id = it->second;
    return SQLITE_OK;
  }
  stmts_.find_message.bind(1, text);
  stmts_.insert_message.bind(1, text);
  if (int rc = internId(stmts_.find_message, stmts_.insert_message, id); rc != SQLITE_OK) return rc;
  if (message_ids_.size() > 10000) message_ids_.clear();  // bounded: messages vary with URLs and bodies
  message_ids_[text] = id;
  return SQLITE_OK;
}

int SqliteResultStore::Impl::insertRaw(std::int64_t series, std::int64_t& ts, const ResultRecord& rec,
                                       std::int64_t flags, std::optional<std::int64_t> covered) {
  const auto& r = rec.result;
  std::optional<std::int64_t> message;
  if (!r.success && !r.message.empty()) {
    std::int64_t id = 0;
    if (int rc = messageId(r.message, id); rc != SQLITE_OK) return rc;
    message = id;
  }
  std::int64_t lag = 0;
  if ((flags & detail::kFlagConfirm) == 0 && r.started.time_since_epoch().count() != 0) {
    lag = core::toMicros(r.started) - core::toMicros(rec.scheduled);
  }
  std::optional<std::int64_t> cert;
  if (r.cert_not_after) cert = core::toMicros(*r.cert_not_after) / 1'000'000;
  auto& s = stmts_.insert_raw;
  // Two rows of one series with the same microsecond: keep both, the later one a microsecond later.
  for (int attempt = 0; attempt < 1000; ++attempt, ++ts) {
    s.bind(1, series).bind(2, ts).bind(3, rec.run_id).bind(4, flags)
        .bind(5, static_cast<std::int64_t>(r.failure)).bind(6, message)
        .bind(7, static_cast<std::int64_t>(r.status_code)).bind(8, intervalMs(rec))
        .bind(9, lag).bind(10, r.duration.count()).bind(11, r.phases.resolve.count())
        .bind(12, r.phases.connect.count()).bind(13, r.phases.tls.count())
        .bind(14, r.phases.processing.count()).bind(15, r.phases.transfer.count())
        .bind(16, static_cast<std::int64_t>(r.bytes))
        .bind(17, static_cast<std::int64_t>(httpVersionCode(r.http_version))).bind(18, cert)
        .bind(19, covered);
    int rc = s.run();
    if (rc != SQLITE_DONE) return rc;
    if (sqlite3_changes(wdb_.get()) == 1) return SQLITE_OK;
  }
  return SQLITE_CONSTRAINT;
}

int SqliteResultStore::Impl::processRecord(
    const ResultRecord& rec, std::map<std::pair<std::int64_t, std::int64_t>, RollupDelta>& deltas) {
  std::int64_t id = 0;
  if (int rc = seriesId(rec.key, rec.step, id); rc != SQLITE_OK) return rc;
  auto delta = [&](std::int64_t ts) -> RollupDelta& {
    return deltas[{id, detail::floorHour(ts) / detail::kHourUs}];
  };
  const auto& r = rec.result;
  std::int64_t flags = (r.success ? detail::kFlagSuccess : 0) |
                       (rec.in_maintenance ? detail::kFlagMaintenance : 0);
  auto open = open_runs_.find(id);

  if (rec.confirm) {
    flags |= detail::kFlagConfirm;
    std::int64_t ts = core::toMicros(r.started.time_since_epoch().count() != 0 ? r.started : rec.scheduled);
    if (open != open_runs_.end() && open->second.run_id == rec.run_id && !open->second.confirm_seen) {
      auto& o = open->second;
      o.confirm_seen = true;
      bool pending_failure = (o.flags & detail::kFlagSuccess) == 0 &&
                             (o.flags & detail::kFlagConfirmPending) != 0 &&
                             (o.flags & detail::kFlagDown) == 0;
      if (pending_failure && !r.success) {
        o.flags |= detail::kFlagDown;
        stmts_.update_flags.bind(1, id).bind(2, o.ts).bind(3, o.flags);
        if (int rc = stmts_.update_flags.run(); rc != SQLITE_DONE) return rc;
        ++delta(o.ts).down_runs;
      }
    }
    if (int rc = insertRaw(id, ts, rec, flags, std::nullopt); rc != SQLITE_OK) return rc;
    ++delta(ts).confirm_runs;
    return SQLITE_OK;
  }

  if (rec.confirm_pending) flags |= detail::kFlagConfirmPending;
  if (!r.success && !rec.confirm_pending) flags |= detail::kFlagDown;
  std::int64_t ts = core::toMicros(rec.scheduled);
  std::optional<std::int64_t> covered;
  bool superseded = open != open_runs_.end() && ts <= open->second.ts;
  if (superseded) {
    flags |= detail::kFlagSuperseded;
    covered = 0;
  } else if (open != open_runs_.end()) {
    const auto& o = open->second;
    auto end = std::min(ts, o.ts + 2 * o.interval_us);
    stmts_.update_covered.bind(1, id).bind(2, o.ts).bind(3, end - o.ts);
    if (int rc = stmts_.update_covered.run(); rc != SQLITE_DONE) return rc;
    auto oflags = o.flags;
    detail::splitByHour(o.ts, end, [&](std::int64_t hour, std::int64_t b, std::int64_t e) {
      auto& d = deltas[{id, hour / detail::kHourUs}];
      d.covered += e - b;
      if ((oflags & detail::kFlagMaintenance) != 0) {
        d.maintenance += e - b;
      } else if ((oflags & detail::kFlagDown) != 0) {
        d.downtime += e - b;
      }
    });
    detail::splitByHour(end, ts, [&](std::int64_t hour, std::int64_t b, std::int64_t e) {
      deltas[{id, hour / detail::kHourUs}].unmonitored += e - b;
    });
  }
  if (int rc = insertRaw(id, ts, rec, flags, covered); rc != SQLITE_OK) return rc;
  // A superseded row (e.g. after a backward clock step) is kept raw only: its slot's time is already
  // accounted by the open run, so counting it in the rollups would count that time twice.
  // aggregateRaw skips it the same way, so rollups and raw windows agree.
  if (superseded) return SQLITE_OK;
  // Intervals are stored in whole milliseconds; account with the stored value.
  open_runs_[id] = OpenRun{ts, intervalMs(rec) * 1000, rec.run_id, flags, false};
  auto& d = delta(ts);
  ++d.runs;
  if (r.success) {
    d.hist.add(r.duration);
  } else {
    ++d.failed;
    auto reason = static_cast<std::size_t>(r.failure);
    if (reason > 0 && reason < core::kFailureReasonCount) ++d.reasons[reason];
  }
  if ((flags & detail::kFlagDown) != 0) ++d.down_runs;
  return SQLITE_OK;
}

int SqliteResultStore::Impl::writeBatch(std::size_t n, std::string& err) {
  auto& s = stmts_;
  int rc = s.begin.run();
  if (rc != SQLITE_DONE) {
    err = "begin: " + detail::errorText(wdb_.get(), rc);
    return rc;
  }
  auto fail = [&](int code, const char* what) {
    err = std::string(what) + ": " + detail::errorText(wdb_.get(), code);
    // SQLite may already have rolled back (e.g. SQLITE_FULL); then ROLLBACK is a harmless error.
    if (sqlite3_get_autocommit(wdb_.get()) == 0) s.rollback.run();
    return code;
  };
  std::map<std::pair<std::int64_t, std::int64_t>, RollupDelta> deltas;
  for (std::size_t i = 0; i < n; ++i) {
    if ((rc = processRecord(pending_[i], deltas)) != SQLITE_OK) return fail(rc, "insert result");
  }
  for (auto& [key, d] : deltas) {
    s.select_rollup.bind(1, key.first).bind(2, key.second);
    rc = s.select_rollup.step();
    if (rc == SQLITE_ROW) {
      const auto& q = s.select_rollup;
      d.runs += q.i64(0);
      d.failed += q.i64(1);
      d.down_runs += q.i64(2);
      d.confirm_runs += q.i64(3);
      for (std::size_t r = 1; r < core::kFailureReasonCount; ++r) d.reasons[r] += q.i64(static_cast<int>(3 + r));
      d.covered += q.i64(15);
      d.maintenance += q.i64(16);
      d.downtime += q.i64(17);
      d.unmonitored += q.i64(18);
      d.hist.mergeEncoded(q.blob(19));
    }
    s.select_rollup.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "read rollup");
    auto& u = s.upsert_rollup;
    u.bind(1, key.first).bind(2, key.second).bind(3, d.runs).bind(4, d.failed).bind(5, d.down_runs)
        .bind(6, d.confirm_runs);
    for (std::size_t r = 1; r < core::kFailureReasonCount; ++r) u.bind(static_cast<int>(6 + r), d.reasons[r]);
    u.bind(18, d.covered).bind(19, d.maintenance).bind(20, d.downtime).bind(21, d.unmonitored)
        .bindBlob(22, d.hist.encode());
    if ((rc = u.run()) != SQLITE_DONE) return fail(rc, "write rollup");
  }
  if ((rc = s.commit.run()) != SQLITE_DONE) return fail(rc, "commit");
  return SQLITE_OK;
}

int SqliteResultStore::Impl::deleteRawChunk(std::int64_t series, std::int64_t cutoff, std::int64_t chunk,
                                            std::int64_t& removed) {
  auto& s = stmts_;
  int rc = s.begin.run();
  if (rc != SQLITE_DONE) return rc;
  auto fail = [&](int code) {
    if (sqlite3_get_autocommit(wdb_.get()) == 0) s.rollback.run();
    return code;
  };
  removed = 0;
  std::vector<std::int64_t> messages;
  s.delete_raw.bind(1, series).bind(2, cutoff).bind(3, chunk);
  while ((rc = s.delete_raw.step()) == SQLITE_ROW) {
    ++removed;
    if (!s.delete_raw.isNull(0)) messages.push_back(s.delete_raw.i64(0));
  }
  s.delete_raw.reset();
  if (rc != SQLITE_DONE) return fail(rc);
  std::sort(messages.begin(), messages.end());
  messages.erase(std::unique(messages.begin(), messages.end()), messages.end());
  bool deleted_message = false;
  for (auto id : messages) {
    if ((rc = s.delete_message.bind(1, id).run()) != SQLITE_DONE) return fail(rc);
    deleted_message = deleted_message || sqlite3_changes(wdb_.get()) > 0;
  }
  if ((rc = s.commit.run()) != SQLITE_DONE) return fail(rc);
  // The cache maps text to id; a deleted id must not be handed out again (SQLite may even reuse it).
  if (deleted_message) message_ids_.clear();
  return SQLITE_OK;
}

int SqliteResultStore::Impl::retentionStep(std::uint64_t request_gen, bool& finished, std::string& err) {
  finished = false;
  auto& c = retention_;
  int rc = SQLITE_OK;
  auto fail = [&](int code) {
    err = "retention: " + detail::errorText(wdb_.get(), code);
    c = {};
    return code;
  };
  if (!c.active) {
    auto now = core::toMicros(clock_.now());
    c.active = true;
    c.gen = request_gen;
    c.raw_cutoff = now - opt_.retention_raw.count();
    c.hour_cutoff = detail::floorHour(now - opt_.retention_rollups.count()) / detail::kHourUs;
    while ((rc = stmts_.all_series.step()) == SQLITE_ROW) c.series.push_back(stmts_.all_series.i64(0));
    stmts_.all_series.reset();
    if (rc != SQLITE_DONE) return fail(rc);
  }
  auto chunk = static_cast<std::int64_t>(std::max<std::size_t>(opt_.retention_chunk, 1));
  // Bounded so that the queue is drained between slices even when a lowered retention leaves millions
  // of rows to delete; at least one chunk per slice guarantees progress.
  auto deadline = std::chrono::steady_clock::now() + opt_.retention_slice;
  while (c.next < c.series.size()) {
    auto id = c.series[c.next];
    std::int64_t removed = 0;
    if (!c.rollups) {
      if ((rc = deleteRawChunk(id, c.raw_cutoff, chunk, removed)) != SQLITE_OK) return fail(rc);
    } else {
      // One short transaction per chunk: the lock is never held for long.
      rc = stmts_.delete_rollup.bind(1, id).bind(2, c.hour_cutoff).bind(3, chunk).run();
      if (rc != SQLITE_DONE) return fail(rc);
      removed = sqlite3_changes(wdb_.get());
    }
    if (removed < chunk) {
      if (c.rollups) ++c.next;
      c.rollups = !c.rollups;
    }
    if (std::chrono::steady_clock::now() >= deadline) return SQLITE_OK;
  }
  c = {};
  finished = true;
  return SQLITE_OK;
}

core::Status SqliteResultStore::Impl::writePending(bool forced) {
  bool was_degraded = degraded_.load();
  if (was_degraded && !forced && std::chrono::steady_clock::now() < next_retry_) {
    return core::makeError(core::ErrorCode::Unavailable, "store degraded: " + last_error_);
  }
  std::string err;
  int rc = SQLITE_OK;
  std::uint64_t written = 0;
  if (!wdb_) rc = openWriter(err);
  while (rc == SQLITE_OK && !pending_.empty()) {
    auto n = std::min(pending_.size(), std::max<std::size_t>(opt_.max_batch, 1));
    rc = writeBatch(n, err);
    if (rc != SQLITE_OK) break;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    written += n;
    written_total_ += n;
  }
  buffered_ = was_degraded || rc != SQLITE_OK ? pending_.size() : 0;
  if (rc == SQLITE_OK) {
    if (was_degraded) {
      degraded_ = false;
      backoff_ = 100ms;
      spdlog::info("result store recovered: {} buffered results written to {}", written, opt_.path.string());
    }
    return {};
  }
  // The transaction rolled back; the in-memory accounting state may be ahead of the database, so drop
  // the connection and rebuild it from the database on the next attempt.
  closeWriter();
  {
    std::lock_guard lk(mu_);
    last_error_ = err;
  }
  buffered_ = pending_.size();
  if (!was_degraded) {
    degraded_ = true;
    spdlog::warn("result store degraded, buffering up to {} results in memory: {}", opt_.buffer_capacity, err);
  }
  next_retry_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, opt_.max_backoff);
  return core::makeError(core::ErrorCode::Unavailable, "store degraded: " + err);
}

void SqliteResultStore::Impl::run(std::stop_token stop) {
  auto wait = std::max(opt_.flush_interval / 2, core::Micros{1000});
  // First pass a minute after start (not at once: start-up is busy restoring state and probing).
  auto next_retention = std::chrono::steady_clock::now() + std::min<core::Micros>(opt_.retention_every, 1min);
  for (;;) {
    std::unique_lock lk(mu_);
    // A retention cycle in progress continues right after the queue has been written.
    wake_cv_.wait_for(lk, retention_.active ? core::Micros{0} : wait, [&] {
      return stopping_ || stop.stop_requested() || flush_requested_ > flush_done_ ||
             retention_requested_ > retention_done_ || queue_.size() >= opt_.max_batch;
    });
    auto flush_gen = flush_requested_;
    bool forced = flush_gen > flush_done_;
    auto retention_gen = retention_requested_;
    bool stopping = stopping_ || stop.stop_requested();
    while (!queue_.empty()) {
      pending_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lk.unlock();
    // The cap bounds what is held while writing fails; a healthy writer drains any backlog in batches.
    while (degraded_ && pending_.size() > opt_.buffer_capacity) {
      pending_.pop_front();
      ++dropped_total_;
    }

    core::Status status;
    if (!pending_.empty() || degraded_ || !wdb_) status = writePending(forced || stopping);
    if (forced) {
      // Answered before any retention slice: a flush waits for the write only.
      std::lock_guard flk(mu_);
      flush_done_ = flush_gen;
      flush_status_ = status;
      done_cv_.notify_all();
    }
    bool requested = retention_gen > retention_done_;
    bool retention_due = retention_.active || requested || std::chrono::steady_clock::now() >= next_retention;
    // Requests answered by this iteration (0: none) and with what.
    std::uint64_t answered = 0;
    core::Status retention_status = core::makeError(core::ErrorCode::Unavailable, "store degraded");
    if (retention_due && status.ok() && wdb_) {
      auto cycle_gen = retention_.active ? retention_.gen : retention_gen;
      std::string err;
      bool finished = false;
      if (int rc = retentionStep(retention_gen, finished, err); rc != SQLITE_OK) {
        retention_status = core::makeError(core::ErrorCode::Io, err);
        spdlog::warn("result store retention failed: {}", err);
        finished = true;
      } else {
        retention_status = {};
      }
      if (finished) {
        answered = cycle_gen;
        next_retention = std::chrono::steady_clock::now() + opt_.retention_every;
      }
    } else if (requested) {
      retention_ = {};
      answered = retention_gen;
    }

    lk.lock();
    if (answered > retention_done_) {
      retention_done_ = answered;
      retention_status_ = retention_status;
    }
    if (stopping && queue_.empty()) {
      if (retention_requested_ > retention_done_) {
        retention_done_ = retention_requested_;
        retention_status_ = core::makeError(core::ErrorCode::Unavailable, "store stopped");
      }
      done_cv_.notify_all();
      break;
    }
    done_cv_.notify_all();
  }
  if (!pending_.empty()) {
    spdlog::error("result store stopped with {} results unwritten: {}", pending_.size(), last_error_);
    dropped_total_ += pending_.size();
    pending_.clear();
    buffered_ = 0;
  }
  closeWriter();
}

core::Result<sqlite3*> SqliteResultStore::Impl::reader() {
  if (rdb_) return rdb_.get();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(opt_.path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  detail::DbPtr db(raw);
  if (rc != SQLITE_OK) return sqlError(db.get(), rc, "open " + opt_.path.string());
  sqlite3_busy_timeout(db.get(), 1000);
  rdb_ = std::move(db);
  return rdb_.get();
}

core::Result<std::int64_t> SqliteResultStore::Impl::lookupSeries(sqlite3* db, const SeriesKey& key) {
  int rc = SQLITE_OK;
  auto s = detail::prepare(db, "SELECT id FROM series WHERE shop=?1 AND env=?2 AND check_name=?3 AND step=?4",
                           rc);
  if (!s) return sqlError(db, rc, "query series");
  s.bind(1, key.key.shop).bind(2, key.key.env).bind(3, key.key.check).bind(4, key.step);
  rc = s.step();
  if (rc == SQLITE_ROW) return s.i64(0);
  if (rc == SQLITE_DONE) {
    return core::makeError(core::ErrorCode::NotFound, "no results for " + key.key.str() +
                                                          (key.step.empty() ? "" : "/" + key.step));
  }
  return sqlError(db, rc, "query series");
}

// ---------------------------------------------------------------------------------------------------

SqliteResultStore::SqliteResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteResultStore::~SqliteResultStore() { stop(); }

core::Result<std::unique_ptr<SqliteResultStore>> SqliteResultStore::open(StoreOptions options) {
  if (options.path.empty()) return core::makeError(core::ErrorCode::Invalid, "agent.database is empty");
  auto parent = options.path.parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return core::makeError(core::ErrorCode::Io, "directory of " + options.path.string() + " does not exist");
  }
  auto impl = std::make_unique<Impl>(std::move(options), false);
  std::string err;
  int rc = impl->openWriter(err);
  if (rc != SQLITE_OK) {
    if (!detail::isTransient(rc)) return core::makeError(core::ErrorCode::Io, err);
    impl->degraded_ = true;
    impl->last_error_ = err;
    impl->closeWriter();
    spdlog::warn("result store degraded at start, buffering up to {} results in memory: {}",
                 impl->opt_.buffer_capacity, err);
  }
  auto* p = impl.get();
  p->writer_ = std::jthread([p](std::stop_token st) { p->run(st); });
  return std::unique_ptr<SqliteResultStore>(new SqliteResultStore(std::move(impl)));
}

core::Result<std::unique_ptr<SqliteResultStore>> SqliteResultStore::openReadOnly(
    const std::filesystem::path& path) {
  StoreOptions options;
  options.path = path;
  auto impl = std::make_unique<Impl>(std::move(options), true);
  if (auto db = impl->reader(); !db) return db.error();
  return std::unique_ptr<SqliteResultStore>(new SqliteResultStore(std::move(impl)));
}

bool SqliteResultStore::enqueue(ResultRecord&& record) {
  auto& m = *impl_;
  if (m.read_only_) return false;
  {
    std::lock_guard lk(m.mu_);
    if (m.stopping_ || m.queue_.size() >= m.opt_.queue_capacity) {
      ++m.dropped_total_;
      return false;
    }
    m.queue_.push_back(std::move(record));
    if (m.queue_.size() < m.opt_.max_batch) return true;
  }
  m.wake_cv_.notify_one();
  return true;
}

core::Status SqliteResultStore::flush() {
  auto& m = *impl_;
  if (m.read_only_) return {};
  std::unique_lock lk(m.mu_);
  return m.requestAndWait(lk, m.flush_requested_, m.flush_done_, m.flush_status_);
}

core::Status SqliteResultStore::runRetention() {
  auto& m = *impl_;
  if (m.read_only_) return core::makeError(core::ErrorCode::Invalid, "read-only store");
  std::unique_lock lk(m.mu_);
  return m.requestAndWait(lk, m.retention_requested_, m.retention_done_, m.retention_status_);
}

void SqliteResultStore::stop() {
  auto& m = *impl_;
  {
    std::lock_guard lk(m.mu_);
    m.stopping_ = true;
  }
  m.wake_cv_.notify_one();
  if (m.writer_.joinable()) m.writer_.join();
  std::lock_guard rlk(m.rmu_);
  m.rdb_.reset();
}

StoreStats SqliteResultStore::stats() const {
  auto& m = *impl_;
  StoreStats s;
  {
    std::lock_guard lk(m.mu_);
    s.queued = m.queue_.size();
    s.last_error = m.last_error_;
  }
  s.buffered = m.buffered_;
  s.written_total = m.written_total_;
  s.dropped_total = m.dropped_total_;
  s.degraded = m.degraded_;
  s.db_size_bytes = fileSize(m.opt_.path) + fileSize(m.opt_.path.string() + "-wal");
  return s;
}

core::Result<std::string> SqliteResultStore::integrityCheck() {
  std::lock_guard lk(impl_->rmu_);
  auto db = impl_->reader();
  if (!db) return db.error();
  int rc = SQLITE_OK;
  auto s = detail::prepare(*db, "PRAGMA integrity_check", rc);
  if (!s) return sqlError(*db, rc, "integrity_check");
  std::string out;
  while ((rc = s.step()) == SQLITE_ROW) out += (out.empty() ? "" : "\n") + s.text(0);
  if (rc != SQLITE_DONE) return sqlError(*db, rc, "integrity_check");
  return out;
}

core::Result<std::vector<SeriesKey>> SqliteResultStore::series() {
  std::lock_guard lk(impl_->rmu_);
  auto db = impl_->reader();
  if (!db) return db.error();
  int rc = SQLITE_OK;
  auto s = detail::prepare(*db, "SELECT shop,env,check_name,step FROM series ORDER BY shop,env,check_name,step",
                           rc);
  if (!s) return sqlError(*db, rc, "query series");
  std::vector<SeriesKey> out;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(SeriesKey{core::CheckKey{s.text(0), s.text(1), s.text(2)}, s.text(3)});
  }
  if (rc != SQLITE_DONE) return sqlError(*db, rc, "query series");
  std::sort(out.begin(), out.end());
  return out;
}

core::Result<std::vector<StoredResult>> SqliteResultStore::lastResults(const SeriesKey& series, std::size_t n) {
  std::lock_guard lk(impl_->rmu_);
  auto db = impl_->reader();
  if (!db) return db.error();
  auto id = impl_->lookupSeries(*db, series);
  if (!id) {
    if (id.error().code == core::ErrorCode::NotFound) return std::vector<StoredResult>{};
    return id.error();
  }
  int rc = SQLITE_OK;
  auto s = detail::prepare(*db, std::string("SELECT ") + kRawCols +
                                    ",(SELECT text FROM message WHERE id=raw.message) FROM raw "
                                    "WHERE series=?1 ORDER BY ts DESC LIMIT ?2",
                           rc);
  if (!s) return sqlError(*db, rc, "query results");
  s.bind(1, *id).bind(2, static_cast<std::int64_t>(n));
  std::vector<StoredResult> out;
  while ((rc = s.step()) == SQLITE_ROW) {
    StoredResult r;
    r.series = series;
    auto ts = s.i64(0);
    r.run_id = s.i64(1);
    auto flags = s.i64(2);
    r.confirm = (flags & detail::kFlagConfirm) != 0;
    r.confirm_pending = (flags & detail::kFlagConfirmPending) != 0;
    r.in_maintenance = (flags & detail::kFlagMaintenance) != 0;
    r.counted_down = (flags & detail::kFlagDown) != 0;
    r.result.success = (flags & detail::kFlagSuccess) != 0;
    r.result.failure = static_cast<core::FailureReason>(s.i64(3));
    r.result.message = s.text(18);
    r.result.status_code = static_cast<int>(s.i64(5));
    r.interval = core::Micros{s.i64(6) * 1000};
    r.scheduled = core::fromMicros(ts);
    r.result.started = core::fromMicros(ts + s.i64(7));
    r.result.duration = core::Micros{s.i64(8)};
    r.result.phases = core::Phases{core::Micros{s.i64(9)}, core::Micros{s.i64(10)}, core::Micros{s.i64(11)},
                                   core::Micros{s.i64(12)}, core::Micros{s.i64(13)}};
    r.result.bytes = static_cast<std::uint64_t>(s.i64(14));
    r.result.http_version = httpVersionText(s.i64(15));
    if (auto cert = s.optI64(16)) r.result.cert_not_after = core::fromMicros(*cert * 1'000'000);
    if (auto covered = s.optI64(17)) r.covered = core::Micros{*covered};
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return sqlError(*db, rc, "query results");
  return out;
}

core::Result<Aggregate> SqliteResultStore::windowAggregate(const SeriesKey& series, core::SystemTime from,
                                                           core::SystemTime to, core::SystemTime now) {
  std::lock_guard lk(impl_->rmu_);
  auto db = impl_->reader();
  if (!db) return db.error();
  Aggregate out;
  out.series = series;
  auto id = impl_->lookupSeries(*db, series);
  if (!id) {
    if (id.error().code == core::ErrorCode::NotFound) return out;
    return id.error();
  }
  auto from_us = core::toMicros(from);
  auto to_us = core::toMicros(to);
  int rc = detail::exec(*db, "BEGIN");
  if (rc != SQLITE_OK) return sqlError(*db, rc, "begin");
  auto fail = [&](int code, const char* what) {
    auto e = sqlError(*db, code, what);
    detail::exec(*db, "ROLLBACK");
    return e;
  };
  auto prev = detail::prepare(*db, "SELECT ts FROM raw WHERE series=?1 AND ts<?2 AND (flags & 33)=0 "
                                   "ORDER BY ts DESC LIMIT 1", rc);
  if (!prev) return fail(rc, "query window");
  prev.bind(1, *id).bind(2, from_us);
  rc = prev.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "query window");
  auto lo = rc == SQLITE_ROW ? prev.i64(0) : from_us;
  auto next = detail::prepare(*db, "SELECT ts FROM raw WHERE series=?1 AND ts>=?2 AND (flags & 33)=0 "
                                   "ORDER BY ts LIMIT 1", rc);
  if (!next) return fail(rc, "query window");
  next.bind(1, *id).bind(2, to_us);
  rc = next.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "query window");
  auto hi = rc == SQLITE_ROW ? next.i64(0) : to_us - 1;
  auto rows_q = detail::prepare(*db, std::string("SELECT ") + kRawCols +
                                         " FROM raw WHERE series=?1 AND ts>=?2 AND ts<=?3 ORDER BY ts", rc);
  if (!rows_q) return fail(rc, "query window");
  rows_q.bind(1, *id).bind(2, lo).bind(3, hi);
  std::vector<detail::RawRow> rows;
  while ((rc = rows_q.step()) == SQLITE_ROW) rows.push_back(rawRowAt(rows_q, 0));
  if (rc != SQLITE_DONE) return fail(rc, "query window");
  detail::exec(*db, "COMMIT");
  detail::aggregateRaw(rows, from_us, to_us, core::toMicros(now), out);
  return out;
}

core::Result<std::vector<Aggregate>> SqliteResultStore::rangeAggregate(core::SystemTime from, core::SystemTime to,
                                                                       core::SystemTime now) {
  std::lock_guard lk(impl_->rmu_);
  auto db = impl_->reader();
  if (!db) return db.error();
  auto from_us = detail::floorHour(core::toMicros(from));
  auto to_us = detail::ceilHour(core::toMicros(to));
  int rc = detail::exec(*db, "BEGIN");
  if (rc != SQLITE_OK) return sqlError(*db, rc, "begin");
  auto fail = [&](int code, const char* what) {
    auto e = sqlError(*db, code, what);
    detail::exec(*db, "ROLLBACK");
    return e;
  };
  auto series_q = detail::prepare(*db, "SELECT id,shop,env,check_name,step FROM series", rc);
  if (!series_q) return fail(rc, "query series");
  auto rollup_q = detail::prepare(*db, std::string("SELECT ") + kRollupCols +
                                           " FROM rollup WHERE series=?1 AND hour>=?2 AND hour<?3", rc);
  if (!rollup_q) return fail(rc, "query rollups");
  auto open_q = detail::prepare(*db, std::string("SELECT ") + kRawCols +
                                         " FROM raw WHERE series=?1 AND (flags & 33)=0 ORDER BY ts DESC LIMIT 1",
                                rc);
  if (!open_q) return fail(rc, "query rollups");
  std::vector<Aggregate> out;
  while ((rc = series_q.step()) == SQLITE_ROW) {
    Aggregate a;
    a.series = SeriesKey{core::CheckKey{series_q.text(1), series_q.text(2), series_q.text(3)}, series_q.text(4)};
    auto id = series_q.i64(0);
    LatencyHistogram hist;
    rollup_q.bind(1, id).bind(2, from_us / detail::kHourUs).bind(3, to_us / detail::kHourUs);
    while ((rc = rollup_q.step()) == SQLITE_ROW) {
      a.runs += rollup_q.i64(0);
      a.failed += rollup_q.i64(1);
      a.down_runs += rollup_q.i64(2);
      a.confirm_runs += rollup_q.i64(3);
      for (std::size_t r = 1; r < core::kFailureReasonCount; ++r) {
        a.failures_by_reason[r] += rollup_q.i64(static_cast<int>(3 + r));
      }
      a.covered += core::Micros{rollup_q.i64(15)};
      a.maintenance += core::Micros{rollup_q.i64(16)};
      a.downtime += core::Micros{rollup_q.i64(17)};
      a.unmonitored += core::Micros{rollup_q.i64(18)};
      hist.mergeEncoded(rollup_q.blob(19));
    }
    rollup_q.reset();
    if (rc != SQLITE_DONE) return fail(rc, "query rollups");
    // The open last run's coverage is not in the rollups until the next run closes it.
    open_q.bind(1, id);
    rc = open_q.step();
    if (rc == SQLITE_ROW && open_q.isNull(17)) {
      detail::addOpenRun(rawRowAt(open_q, 0), from_us, to_us, core::toMicros(now), a);
    }
    open_q.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "query rollups");
    a.latency_samples = static_cast<std::int64_t>(hist.count());
    a.p50 = hist.percentile(0.50);
    a.p90 = hist.percentile(0.90);
    a.p95 = hist.percentile(0.95);
    a.p99 = hist.percentile(0.99);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return fail(rc, "query series");
  detail::exec(*db, "COMMIT");
  std::sort(out.begin(), out.end(), [](const Aggregate& x, const Aggregate& y) { return x.series < y.series; });
  return out;
}

}  // namespace shopwatch::storage
