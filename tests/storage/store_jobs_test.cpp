// The database layer: components with their own migrations, and WriteJobs that the store's one
// writer runs in the same transaction as the results around them.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

#include "child_process.h"
#include "shopwatch/storage/database.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

StorageComponent notesComponent() {
  return StorageComponent{"notes",
                          {"CREATE TABLE note(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
                           "INSERT INTO note(text) VALUES('migrated')",
                           "ALTER TABLE note ADD COLUMN raw_rows INTEGER"}};
}

// What the jobs of a test saw, shared with the writer thread.
struct Journal {
  std::mutex mu;
  int applied = 0;
  std::vector<core::Status> outcomes;
  std::vector<std::int64_t> raw_rows_seen;
};

// Inserts a note (recording how many raw rows its transaction sees), then fails as told.
class NoteJob final : public WriteJob {
 public:
  NoteJob(Journal& journal, std::string text, std::optional<core::Error> fail = std::nullopt,
          int fail_times = 1, const std::atomic<bool>* fail_while = nullptr)
      : journal_(journal),
        text_(std::move(text)),
        fail_(std::move(fail)),
        fail_times_(fail_times),
        fail_while_(fail_while) {}

  core::Status apply(Db& db) override {
    auto count = db.statement("SELECT count(*) FROM raw");
    if (!count) return count.error();
    Statement::ResetOnExit reset(**count);
    auto row = (*count)->step();
    if (!row) return row.error();
    const auto seen = (*count)->i64(0);
    auto insert = db.statement("INSERT INTO note(text, raw_rows) VALUES(?1, ?2)");
    if (!insert) return insert.error();
    auto st = (*insert)->bind(1, text_).bind(2, seen).run();
    std::lock_guard lk(journal_.mu);
    ++journal_.applied;
    journal_.raw_rows_seen.push_back(seen);
    if (!st) return st;
    // `fail_while`: fail every attempt until the test clears it (no race with the writer's retry).
    if (fail_ && fail_while_ != nullptr) {
      if (fail_while_->load()) return *fail_;
    } else if (fail_ && fail_times_-- > 0) {
      return *fail_;
    }
    return {};
  }
  void done(const core::Status& outcome) override {
    std::lock_guard lk(journal_.mu);
    journal_.outcomes.push_back(outcome);
  }

 private:
  Journal& journal_;
  std::string text_;
  std::optional<core::Error> fail_;
  int fail_times_;
  const std::atomic<bool>* fail_while_;
};

void enqueueRuns(ResultStore& store, std::int64_t first, std::int64_t count) {
  for (auto id = first; id < first + count; ++id) {
    REQUIRE(
        store.enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::seconds{id * 60}})));
  }
}

StoreOptions options(const TempDir& dir) {
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.components = {notesComponent()};
  o.max_backoff = std::chrono::milliseconds{200};
  o.flush_interval =
      std::chrono::seconds{60};  // batches form from what the test queues, not a timer
  return o;
}

}  // namespace

TEST_CASE("a component's migrations run once, in order, and its version is kept") {
  TempDir dir;
  auto o = options(dir);
  for (int open = 0; open < 2; ++open) {
    auto store = SqliteResultStore::open(o);
    REQUIRE(store);
  }
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM note WHERE text='migrated'") == 1);
  CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('note') WHERE name='raw_rows'") == 1);
  CHECK(db.scalar("SELECT version FROM component_version WHERE name='notes'") == 2);
  CHECK(db.scalar("PRAGMA user_version") == 3);  // the results component, where older builds look

  db.exec("UPDATE component_version SET version=3 WHERE name='notes'");
  auto newer = SqliteResultStore::open(o);
  REQUIRE_FALSE(newer);
  CHECK_THAT(newer.error().message, Catch::Contains("component notes schema version 3 is newer"));

  o.components.push_back(notesComponent());
  auto twice = SqliteResultStore::open(o);
  REQUIRE_FALSE(twice);
  CHECK_THAT(twice.error().message, Catch::Contains("registered twice"));
}

TEST_CASE("a job runs in the results' transaction, after the results queued before it") {
  TempDir dir;
  auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Journal journal;
  enqueueRuns(store, 0, 5);
  REQUIRE(store.submit(std::make_unique<NoteJob>(journal, "after five")));
  enqueueRuns(store, 5, 3);
  REQUIRE(store.flush());
  std::lock_guard lk(journal.mu);
  REQUIRE(journal.outcomes.size() == 1);
  CHECK(journal.outcomes[0].ok());
  // It saw the five uncommitted rows before it: the same connection and transaction.
  CHECK(journal.raw_rows_seen == std::vector<std::int64_t>{5});
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 8);
  CHECK(db.scalar("SELECT raw_rows FROM note WHERE text='after five'") == 5);
}

TEST_CASE("a job and the results around it commit together or not at all") {
  TempDir dir;
  auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Journal journal;
  enqueueRuns(store, 0, 2);
  REQUIRE(store.flush());

  ChildProcess holder({STORAGE_TEST_HELPER, "lock", o.path.string()});
  REQUIRE(holder.started());
  REQUIRE(holder.readLine(std::chrono::seconds{10}) == std::optional<std::string>("locked"));
  enqueueRuns(store, 2, 3);
  REQUIRE(store.submit(std::make_unique<NoteJob>(journal, "held")));
  CHECK_FALSE(store.flush());
  CHECK(store.stats().degraded);
  {
    std::lock_guard lk(journal.mu);
    CHECK(journal.outcomes.empty());  // not written: not done
  }
  holder.writeLine("release");
  REQUIRE(WIFEXITED(holder.wait()));
  REQUIRE(store.flush());
  CHECK_FALSE(store.stats().degraded);
  std::lock_guard lk(journal.mu);
  REQUIRE(journal.outcomes.size() == 1);
  CHECK(journal.outcomes[0].ok());
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 5);
  CHECK(db.scalar("SELECT raw_rows FROM note WHERE text='held'") == 5);
}

TEST_CASE("a job failing by itself rolls back only its own rows while the batch commits") {
  TempDir dir;
  auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Journal journal;
  enqueueRuns(store, 0, 2);
  REQUIRE(store.submit(std::make_unique<NoteJob>(
      journal, "bad", core::makeError(core::ErrorCode::Invalid, "no such incident"))));
  REQUIRE(store.submit(std::make_unique<NoteJob>(journal, "good")));
  // A constraint failure of SQLite itself: the same text twice.
  REQUIRE(store.submit(std::make_unique<NoteJob>(journal, "good")));
  enqueueRuns(store, 2, 2);
  REQUIRE(store.flush());
  CHECK_FALSE(store.stats().degraded);
  {
    std::lock_guard lk(journal.mu);
    REQUIRE(journal.outcomes.size() == 3);
    REQUIRE_FALSE(journal.outcomes[0].ok());
    CHECK(journal.outcomes[0].error().message == "no such incident");
    CHECK(journal.outcomes[1].ok());
    REQUIRE_FALSE(journal.outcomes[2].ok());
    CHECK_THAT(journal.outcomes[2].error().message, Catch::Contains("UNIQUE"));
    CHECK(journal.applied == 3);  // not retried
  }
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM note WHERE text='bad'") == 0);
  CHECK(db.scalar("SELECT count(*) FROM note WHERE text='good'") == 1);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 4);
}

TEST_CASE("a job failing with a retryable error fails its batch, which is retried in order") {
  TempDir dir;
  auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Journal journal;
  std::atomic<bool> failing{true};
  enqueueRuns(store, 0, 2);
  REQUIRE(store.submit(std::make_unique<NoteJob>(
      journal, "flaky", core::makeError(core::ErrorCode::Unavailable, "disk busy"), 0, &failing)));
  enqueueRuns(store, 2, 2);
  CHECK_FALSE(store.flush());
  CHECK(store.stats().degraded);
  CHECK(store.stats().buffered == 4);
  {
    SqlitePeek db(o.path);
    CHECK(db.scalar("SELECT count(*) FROM raw") == 0);
    CHECK(db.scalar("SELECT count(*) FROM note WHERE text='flaky'") == 0);
  }
  failing = false;
  REQUIRE(store.flush());
  std::lock_guard lk(journal.mu);
  REQUIRE(journal.outcomes.size() == 1);
  CHECK(journal.outcomes[0].ok());
  // Every attempt (the failed ones while degraded, then the one that committed) ran after the same two
  // results and before the other two: the batch is retried in order.
  CHECK(journal.applied >= 2);
  CHECK(journal.raw_rows_seen == std::vector<std::int64_t>(static_cast<std::size_t>(journal.applied), 2));
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 4);
  CHECK(db.scalar("SELECT count(*) FROM note WHERE text='flaky'") == 1);
}

TEST_CASE("a job still queued when the store stops is told so, and a stopped store refuses jobs") {
  TempDir dir;
  auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Journal journal;
  ChildProcess holder({STORAGE_TEST_HELPER, "lock", o.path.string()});
  REQUIRE(holder.readLine(std::chrono::seconds{10}) == std::optional<std::string>("locked"));
  REQUIRE(store.submit(std::make_unique<NoteJob>(journal, "never")));
  CHECK_FALSE(store.flush());
  store.stop();
  holder.writeLine("release");
  holder.wait();
  {
    std::lock_guard lk(journal.mu);
    REQUIRE(journal.outcomes.size() == 1);
    REQUIRE_FALSE(journal.outcomes[0].ok());
    CHECK(journal.outcomes[0].error().code == core::ErrorCode::Unavailable);
  }
  CHECK_FALSE(store.submit(std::make_unique<NoteJob>(journal, "late")));
}

TEST_CASE("a transaction left without commit rolls back, and a savepoint undoes only its part") {
  TempDir dir;
  auto db = Db::open((dir.path() / "t.db").string(), false, 100);
  REQUIRE(db);
  REQUIRE((*db)->exec("CREATE TABLE t(v INTEGER)"));
  auto insert = (*db)->statement("INSERT INTO t(v) VALUES(?1)");
  REQUIRE(insert);
  {
    Transaction tx(**db);
    REQUIRE(tx.began());
    REQUIRE((*insert)->bind(1, std::int64_t{1}).run());
  }
  CHECK_FALSE((*db)->inTransaction());
  {
    Transaction tx(**db);
    REQUIRE((*insert)->bind(1, std::int64_t{2}).run());
    {
      Savepoint sp(**db);
      REQUIRE(sp.began());
      REQUIRE((*insert)->bind(1, std::int64_t{3}).run());
    }
    {
      Savepoint sp(**db);
      REQUIRE((*insert)->bind(1, std::int64_t{4}).run());
      REQUIRE(sp.release());
    }
    REQUIRE(tx.commit());
  }
  auto sum = (*db)->statement("SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY v)");
  REQUIRE(sum);
  Statement::ResetOnExit reset(**sum);
  REQUIRE((*sum)->step().value());
  CHECK((*sum)->text(0) == "2,4");
  auto bad = (*db)->statement("SELECT nope FROM t");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == core::ErrorCode::Io);
}
