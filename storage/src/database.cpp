#include "shopwatch/storage/database.h"

#include <sqlite3.h>

#include <atomic>

namespace shopwatch::storage {

namespace {

// Errors a retry can fix: full disk, read-only file, lock held elsewhere, I/O trouble.
bool isTransient(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

std::string errorText(sqlite3* db, int rc) {
  std::string msg = sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) msg = sqlite3_errmsg(db);
  return msg + " (" + std::to_string(rc) + ")";
}

core::Error makeSqlError(sqlite3* db, int rc, std::string_view what) {
  auto code = isTransient(rc) ? core::ErrorCode::Unavailable : core::ErrorCode::Io;
  std::string msg = errorText(db, rc);
  return core::makeError(code, what.empty() ? msg : std::string(what) + ": " + msg);
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

constexpr std::string_view kVersionTable = "component_version";

}  // namespace

// ---- Statement

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int idx, std::int64_t value) {
  sqlite3_bind_int64(stmt_, idx, value);
  return *this;
}
Statement& Statement::bind(int idx, std::string_view text) {
  sqlite3_bind_text(stmt_, idx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int idx, const std::optional<std::int64_t>& value) {
  return value ? bind(idx, *value) : bindNull(idx);
}
Statement& Statement::bindBlob(int idx, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, idx, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bindDouble(int idx, double value) {
  sqlite3_bind_double(stmt_, idx, value);
  return *this;
}
Statement& Statement::bindDouble(int idx, const std::optional<double>& value) {
  return value ? bindDouble(idx, *value) : bindNull(idx);
}
Statement& Statement::bindNull(int idx) {
  sqlite3_bind_null(stmt_, idx);
  return *this;
}

core::Error Statement::error(int rc) const { return makeSqlError(db_, rc, ""); }

core::Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(rc);
}

core::Status Statement::run() {
  int rc = sqlite3_step(stmt_);
  // The error text must be read before reset() (which reports the same code again).
  core::Status out;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) out = error(rc);
  reset();
  return out;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::i64(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::optional<std::int64_t> Statement::optI64(int col) const {
  if (isNull(col)) return std::nullopt;
  return i64(col);
}
double Statement::f64(int col) const { return sqlite3_column_double(stmt_, col); }
std::optional<double> Statement::optF64(int col) const {
  if (isNull(col)) return std::nullopt;
  return f64(col);
}
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
std::string_view Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}

// ---- Db

core::Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool read_only,
                                           int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> owned(raw);
  if (rc != SQLITE_OK) return makeSqlError(owned.get(), rc, "open " + path);
  // Primary codes only: the transient/permanent split looks at them, and messages stay short.
  sqlite3_extended_result_codes(owned.get(), 0);
  sqlite3_busy_timeout(owned.get(), busy_timeout_ms);
  std::unique_ptr<Db> db(new Db(owned.release()));
  if (read_only) {
    // Readers (reports, the status page, the CLI) scan a month of rollups: map the file instead of
    // copying every page through read(2). Best effort: a build without mmap keeps reading.
    (void)db->exec("PRAGMA mmap_size=1073741824");
    return db;
  }
  auto fail = [&](const core::Error& e) {
    return core::makeError(e.code, "open " + path + ": " + e.message);
  };
  // A write-protected file opens silently read-only; report it as such now, not at the first
  // insert.
  if (sqlite3_db_readonly(db->db_, "main") == 1) {
    return fail(makeSqlError(nullptr, SQLITE_READONLY, ""));
  }
  if (auto st = db->exec("PRAGMA journal_mode=WAL"); !st) return fail(st.error());
  // In WAL, NORMAL loses nothing on a process crash (only on power loss) and keeps commits cheap.
  if (auto st = db->exec("PRAGMA synchronous=NORMAL"); !st) return fail(st.error());
  // Inserts land at the end of every series' key range; a 16 MiB cache keeps those pages hot.
  if (auto st = db->exec("PRAGMA cache_size=-16384"); !st) return fail(st.error());
  return db;
}

Db::~Db() {
  // Statements first: closing a connection with live statements would defer the close.
  statements_.clear();
  sqlite3_close_v2(db_);
}

core::Error Db::error(int rc, std::string_view what) const { return makeSqlError(db_, rc, what); }

core::Result<Statement*> Db::statement(std::string_view sql) {
  std::string key(sql);
  if (auto it = statements_.find(key); it != statements_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return error(rc, "prepare");
  }
  auto* out = new Statement(db_, raw);
  statements_.emplace(std::move(key), std::unique_ptr<Statement>(out));
  return out;
}

core::Status Db::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, "");
  return {};
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }
std::int64_t Db::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
bool Db::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

core::Result<int> Db::storedVersion(const std::string& name, bool primary) {
  if (primary) {
    auto s = statement("PRAGMA user_version");
    if (!s) return s.error();
    Statement::ResetOnExit reset(**s);
    auto row = (*s)->step();
    if (!row) return row.error();
    return *row ? static_cast<int>((*s)->i64(0)) : 0;
  }
  auto exists = statement("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=?1");
  if (!exists) return exists.error();
  {
    Statement::ResetOnExit reset(**exists);
    auto row = (*exists)->bind(1, kVersionTable).step();
    if (!row) return row.error();
    if (!*row || (*exists)->i64(0) == 0) return 0;
  }
  auto s = statement("SELECT version FROM component_version WHERE name=?1");
  if (!s) return s.error();
  Statement::ResetOnExit reset(**s);
  auto row = (*s)->bind(1, name).step();
  if (!row) return row.error();
  return *row ? static_cast<int>((*s)->i64(0)) : 0;
}

core::Status Db::migrate(const std::vector<StorageComponent>& components) {
  // Read first, without the write lock: an up-to-date database must open while another process
  // holds the lock (the store then starts degraded at its first write instead of failing to open).
  std::vector<int> versions;
  bool behind = false;
  for (std::size_t i = 0; i < components.size(); ++i) {
    const auto& c = components[i];
    auto v = storedVersion(c.name, i == 0);
    if (!v) return core::makeError(v.error().code, "read schema version: " + v.error().message);
    auto newest = static_cast<int>(c.migrations.size());
    if (*v > newest) {
      return core::makeError(core::ErrorCode::Invalid,
                             (i == 0 ? std::string("schema") : "component " + c.name + " schema") +
                                 " version " + std::to_string(*v) + " is newer than this build's " +
                                 std::to_string(newest));
    }
    behind = behind || *v < newest;
    versions.push_back(*v);
  }
  if (!behind) return {};
  Transaction tx(*this);
  if (!tx.began()) return tx.began();
  for (std::size_t i = 0; i < components.size(); ++i) {
    const auto& c = components[i];
    auto newest = static_cast<int>(c.migrations.size());
    if (versions[i] == newest) continue;
    for (int v = versions[i]; v < newest; ++v) {
      if (auto st = exec(c.migrations[static_cast<std::size_t>(v)]); !st) {
        return core::makeError(st.error().code, "migrate " + c.name + " to version " +
                                                    std::to_string(v + 1) + ": " +
                                                    st.error().message);
      }
    }
    if (i == 0) {
      // PRAGMA takes no bound parameters; the value is a count of our own migrations.
      if (auto st = exec("PRAGMA user_version=" + std::to_string(newest)); !st) return st;
      continue;
    }
    if (auto st = exec("CREATE TABLE IF NOT EXISTS component_version("
                       "name TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID");
        !st) {
      return st;
    }
    auto s = statement(
        "INSERT INTO component_version(name, version) VALUES(?1, ?2) "
        "ON CONFLICT(name) DO UPDATE SET version=excluded.version");
    if (!s) return s.error();
    if (auto st = (*s)->bind(1, c.name).bind(2, std::int64_t{newest}).run(); !st) return st;
  }
  return tx.commit();
}

// ---- Transaction, Savepoint

Transaction::Transaction(Db& db, Kind kind) : db_(db) {
  began_ = db_.exec(kind == Kind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = began_.ok();
}

Transaction::~Transaction() {
  // SQLite may already have rolled back by itself (e.g. SQLITE_FULL); then there is nothing to
  // undo.
  if (open_ && db_.inTransaction()) (void)db_.exec("ROLLBACK");
}

core::Status Transaction::commit() {
  auto st = db_.exec("COMMIT");
  if (st) open_ = false;
  return st;
}

namespace {
// Savepoint names only need to be distinct among the nested ones open at once.
std::atomic<std::uint64_t> savepoint_counter{0};
}  // namespace

Savepoint::Savepoint(Db& db) : db_(db), name_("sp" + std::to_string(++savepoint_counter)) {
  began_ = db_.exec("SAVEPOINT " + name_);
  open_ = began_.ok();
}

Savepoint::~Savepoint() {
  if (open_ && db_.inTransaction()) {
    (void)db_.exec("ROLLBACK TO " + name_);
    (void)db_.exec("RELEASE " + name_);
  }
}

core::Status Savepoint::release() {
  auto st = db_.exec("RELEASE " + name_);
  if (st) open_ = false;
  return st;
}

}  // namespace shopwatch::storage
