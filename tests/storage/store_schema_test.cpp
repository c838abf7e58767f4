// Schema migrations and defensive value handling of SqliteResultStore.
#include <catch2/catch.hpp>

#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

TEST_CASE("a version 1 database upgrades in place to version 2 and loses only unused messages") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  core::FakeClock clock{kT0};
  {
    auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
    REQUIRE(store);
    auto failed = record({.run_id = 1, .scheduled = kT0, .success = false});
    failed.result.message = "status 503";
    REQUIRE((*store)->enqueue(std::move(failed)));
    REQUIRE((*store)->enqueue(record({.run_id = 2, .scheduled = kT0 + 60s})));
    REQUIRE((*store)->flush());
  }
  {
    // Turn it into what version 1 left behind: no message index, messages orphaned by its retention.
    SqlitePeek db(path);
    db.exec("DROP INDEX raw_message");
    db.exec("INSERT INTO message(text) VALUES('orphan one'),('orphan two')");
    db.exec("PRAGMA user_version=1");
    REQUIRE(db.scalar("SELECT count(*) FROM message") == 3);
  }
  auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
  REQUIRE(store);
  SqlitePeek db(path);
  CHECK(db.scalar("PRAGMA user_version") == 2);
  CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE type='index' AND name='raw_message'") == 1);
  CHECK(db.scalar("SELECT count(*) FROM message") == 1);
  auto rows = (*store)->lastResults(series("home"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[1].result.message == "status 503");
  // Accounting continues from the restored open run.
  REQUIRE((*store)->enqueue(record({.run_id = 3, .scheduled = kT0 + 120s})));
  REQUIRE((*store)->flush());
  auto a = (*store)->windowAggregate(series("home"), kT0, kT0 + 180s, kT0 + 180s);
  REQUIRE(a);
  CHECK(a->runs == 3);
  CHECK(a->covered == 180s);
  CHECK((*store)->integrityCheck().value() == "ok");
}

TEST_CASE("a database from a newer build is refused") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  {
    auto store = SqliteResultStore::open(StoreOptions{.path = path});
    REQUIRE(store);
  }
  SqlitePeek(path).exec("PRAGMA user_version=3");
  auto store = SqliteResultStore::open(StoreOptions{.path = path});
  REQUIRE_FALSE(store);
  CHECK_THAT(store.error().message, Catch::Contains("schema version 3 is newer"));
}

TEST_CASE("an interval below one millisecond is stored as one millisecond, never zero") {
  TempDir dir;
  core::FakeClock clock{kT0};
  auto store = SqliteResultStore::open(StoreOptions{.path = dir.path() / "agent.db", .clock = &clock});
  REQUIRE(store);
  REQUIRE((*store)->enqueue(record({.run_id = 1, .scheduled = kT0, .interval = 0us})));
  REQUIRE((*store)->enqueue(record({.run_id = 2, .scheduled = kT0 + 500us, .interval = 500us})));
  REQUIRE((*store)->flush());
  auto rows = (*store)->lastResults(series("home"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].interval == 1ms);
  CHECK((*rows)[1].interval == 1ms);
  // The first run covers up to the second (within 2 x 1ms), not nothing.
  auto a = (*store)->windowAggregate(series("home"), kT0, kT0 + 500us, kT0 + 500us);
  REQUIRE(a);
  CHECK(a->covered == 500us);
}
