#pragma once
// Thin RAII over the SQLite C API. Status codes are returned, never thrown: the writer turns them into
// degraded mode.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shopwatch::storage::detail {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A prepared statement; bind indexes are 1-based as in SQLite.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(StmtPtr stmt) : stmt_(std::move(stmt)) {}

  explicit operator bool() const { return stmt_ != nullptr; }
  Stmt& bind(int idx, std::int64_t v) {
    sqlite3_bind_int64(stmt_.get(), idx, v);
    return *this;
  }
  Stmt& bind(int idx, std::string_view v) {
    sqlite3_bind_text(stmt_.get(), idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bindBlob(int idx, std::string_view v) {
    sqlite3_bind_blob(stmt_.get(), idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bindNull(int idx) {
    sqlite3_bind_null(stmt_.get(), idx);
    return *this;
  }
  Stmt& bind(int idx, const std::optional<std::int64_t>& v) {
    return v ? bind(idx, *v) : bindNull(idx);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }
  // Runs to completion (statements without rows); returns SQLITE_DONE or an error.
  int run() {
    int rc = step();
    reset();
    return rc;
  }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }
  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::optional<std::int64_t> optI64(int col) const {
    if (isNull(col)) return std::nullopt;
    return i64(col);
  }
  std::string text(int col) const {
    auto* p = sqlite3_column_text(stmt_.get(), col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
             : std::string();
  }
  std::string_view blob(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
             : std::string_view();
  }

 private:
  StmtPtr stmt_;
};

// Prepares `sql`; on failure returns an empty Stmt and sets `rc`.
inline Stmt prepare(sqlite3* db, std::string_view sql, int& rc) {
  sqlite3_stmt* raw = nullptr;
  rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                          nullptr);
  StmtPtr owned(raw);
  if (rc != SQLITE_OK) return Stmt{};
  return Stmt{std::move(owned)};
}

// Executes constant SQL (no parameters).
inline int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

inline std::string errorText(sqlite3* db, int rc) {
  std::string msg = sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) msg = sqlite3_errmsg(db);
  return msg + " (" + std::to_string(rc) + ")";
}

// Errors a retry can fix: full disk, read-only file, lock held elsewhere, I/O trouble.
inline bool isTransient(int rc) {
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

}  // namespace shopwatch::storage::detail
