#pragma once
/// The database layer of the store (DESIGN.md, "Storage"): one SQLite connection per role,
/// migrations per component, RAII transactions, prepared statements. Components that keep their own
/// tables in the agent's database ([C] alert state, [D] incidents and their outbox) register a
/// StorageComponent at open (StoreOptions::components) and write through WriteJobs that the store's
/// single writer thread runs on its own connection, inside the same transaction as the result batch
/// around them — so no component opens a second writer connection (which would meet SQLITE_BUSY and
/// push results into degraded mode) and "written before acted on" holds across tables.
///
/// No SQLite type appears in this API: `sqlite3` and `sqlite3_stmt` are only forward-declared for
/// the private members. Not thread-safe: a Db and its statements belong to the thread that runs
/// them (the writer thread for jobs).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shopwatch/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shopwatch::storage {

/// A component's tables: `migrations[i]` takes the component from version i to i + 1 (SQL, may hold
/// several statements). Migrations run at open, in order, all in one transaction with the version
/// update; a database whose version of a component is newer than `migrations.size()` is refused.
/// Names are unique; "results" is the store's own component.
struct StorageComponent {
  std::string name;
  std::vector<std::string> migrations;
};

/// A prepared statement of a Db (owned by it). Bind indexes are 1-based, as in SQL (`?1`). Errors
/// carry ErrorCode::Unavailable when a retry can fix them (full disk, read-only file, lock held
/// elsewhere, I/O), else ErrorCode::Io.
class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int idx, std::int64_t value);
  Statement& bind(int idx, std::string_view text);
  Statement& bind(int idx, const std::optional<std::int64_t>& value);  ///< NULL when empty
  Statement& bindBlob(int idx, std::string_view bytes);
  /// REAL values (named apart from bind() so that integer arguments stay unambiguous).
  Statement& bindDouble(int idx, double value);
  Statement& bindDouble(int idx, const std::optional<double>& value);  ///< NULL when empty
  Statement& bindNull(int idx);

  /// Advances: true when a row is available, false when the statement is done.
  core::Result<bool> step();
  /// Runs a statement without rows to completion, then reset().
  core::Status run();
  /// Ready to run again; bindings cleared. Also ends the read a half-stepped statement holds.
  void reset();

  std::int64_t i64(int col) const;
  bool isNull(int col) const;
  std::optional<std::int64_t> optI64(int col) const;
  double f64(int col) const;
  std::optional<double> optF64(int col) const;  ///< empty for NULL
  std::string text(int col) const;
  /// Valid until the next step() or reset().
  std::string_view blob(int col) const;

  /// reset() on scope exit, so a statement left after its first row never holds a read open.
  class ResetOnExit {
   public:
    explicit ResetOnExit(Statement& s) : s_(s) {}
    ~ResetOnExit() { s_.reset(); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

   private:
    Statement& s_;
  };

 private:
  friend class Db;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  core::Error error(int rc) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

/// One open connection. Jobs receive the writer's Db; the store's own readers use another.
class Db {
 public:
  /// Opens `path`. Read-write opens create the file, set WAL, synchronous=NORMAL and the busy
  /// timeout, and report a write-protected file as ErrorCode::Unavailable (degraded, not fatal).
  static core::Result<std::unique_ptr<Db>> open(const std::string& path, bool read_only,
                                                int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  Db(Db&&) = delete;
  Db& operator=(Db&&) = delete;

  /// The prepared statement for `sql`, prepared on first use and kept for the connection's lifetime
  /// (callers reset() it when done — see Statement::ResetOnExit). Bound parameters only: never
  /// build SQL from data.
  core::Result<Statement*> statement(std::string_view sql);
  /// Runs constant SQL without parameters (DDL, pragmas, transaction control); several statements
  /// allowed.
  core::Status exec(std::string_view sql);
  /// Rows changed by the last INSERT/UPDATE/DELETE; the rowid of the last INSERT.
  std::int64_t changes() const;
  std::int64_t lastInsertRowid() const;
  /// Whether a transaction is open (SQLite may roll one back by itself, e.g. on SQLITE_FULL).
  bool inTransaction() const;

  /// Brings every component to its newest version (one transaction; nothing is written when all are
  /// current, so an up-to-date database opens without the write lock). The first component's
  /// version is kept in `PRAGMA user_version` — where schema v1/v2 files and older builds keep it,
  /// so an older build still refuses a newer file; the others' in the table `component_version`.
  core::Status migrate(const std::vector<StorageComponent>& components);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  core::Error error(int rc, std::string_view what) const;
  core::Result<int> storedVersion(const std::string& name, bool primary);
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

/// An open transaction: BEGIN on construction, ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  enum class Kind { Deferred, Immediate };
  explicit Transaction(Db& db, Kind kind = Kind::Immediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  /// How BEGIN went; nothing else may be called when it failed.
  const core::Status& began() const { return began_; }
  core::Status commit();

 private:
  Db& db_;
  core::Status began_;
  bool open_ = false;
};

/// A savepoint inside a transaction: released by release(), rolled back to (and released) on
/// destruction otherwise — undoes only what was done since it was taken.
class Savepoint {
 public:
  explicit Savepoint(Db& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  Savepoint(Savepoint&&) = delete;
  Savepoint& operator=(Savepoint&&) = delete;

  const core::Status& began() const { return began_; }
  core::Status release();

 private:
  Db& db_;
  std::string name_;
  core::Status began_;
  bool open_ = false;
};

/// A unit of work for the store's writer thread (SqliteResultStore::submit). Jobs run in submission
/// order, interleaved with queued results, inside the writer's batch transaction — each in its own
/// Savepoint:
/// - apply() succeeds: its rows commit with the batch; done({}) is called after the COMMIT.
/// - apply() fails with ErrorCode::Unavailable, or SQLite rolled the transaction back (full disk,
///   lock, I/O): the whole batch rolls back and the store goes degraded; the job stays queued, in
///   order, and apply() runs again on the next attempt (so apply() must not assume it runs once,
///   and must not keep state across attempts it did not commit). done() is not called yet.
/// - apply() fails with any other error (a constraint, a bug): only the job's savepoint rolls back,
///   the rest of the batch commits, and done(error) is called — the job is not retried.
/// - The store stops with the job unwritten: done(Unavailable "store stopped").
/// apply() and done() run on the writer thread: keep them short, never block on the store (no
/// flush(), no submit-and-wait) from inside them.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  virtual core::Status apply(Db& db) = 0;
  virtual void done(const core::Status& outcome) = 0;
};

}  // namespace shopwatch::storage
