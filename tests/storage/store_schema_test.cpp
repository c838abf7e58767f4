// Schema migrations and defensive value handling of SqliteResultStore.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "shopwatch/storage/database.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

TEST_CASE("a version 1 database upgrades in place to version 3 and loses only unused messages") {
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
    // Turn it into what version 1 left behind: no message index, messages orphaned by its retention,
    // no phase sums (v3).
    SqlitePeek db(path);
    db.exec("DROP INDEX raw_message");
    for (const char* col : {"resolve_sum", "connect_sum", "tls_sum", "processing_sum", "transfer_sum"}) {
      db.exec(("ALTER TABLE rollup DROP COLUMN " + std::string(col)).c_str());
    }
    db.exec("INSERT INTO message(text) VALUES('orphan one'),('orphan two')");
    db.exec("PRAGMA user_version=1");
    REQUIRE(db.scalar("SELECT count(*) FROM message") == 3);
  }
  auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
  REQUIRE(store);
  SqlitePeek db(path);
  CHECK(db.scalar("PRAGMA user_version") == 3);
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
  SqlitePeek(path).exec("PRAGMA user_version=4");
  auto store = SqliteResultStore::open(StoreOptions{.path = path});
  REQUIRE_FALSE(store);
  CHECK_THAT(store.error().message, Catch::Contains("schema version 4 is newer than this build's 3"));
}

TEST_CASE("a version 2 database upgrades in place to version 3 with zero phase sums in old hours") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  core::FakeClock clock{kT0};
  {
    auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
    REQUIRE(store);
    REQUIRE((*store)->enqueue(record({.run_id = 1, .scheduled = kT0, .duration = 100ms})));
    REQUIRE((*store)->enqueue(record({.run_id = 2, .scheduled = kT0 + 60s, .duration = 300ms})));
    REQUIRE((*store)->flush());
  }
  {
    // Turn it into what version 2 left behind: the rollup without the phase-sum columns.
    SqlitePeek db(path);
    for (const char* col : {"resolve_sum", "connect_sum", "tls_sum", "processing_sum", "transfer_sum"}) {
      db.exec(("ALTER TABLE rollup DROP COLUMN " + std::string(col)).c_str());
    }
    db.exec("PRAGMA user_version=2");
    REQUIRE(db.scalar("SELECT count(*) FROM pragma_table_info('rollup')") == 22);
  }
  auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
  REQUIRE(store);
  {
    SqlitePeek db(path);
    CHECK(db.scalar("PRAGMA user_version") == 3);
    CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('rollup') WHERE name LIKE '%_sum' AND "
                    "\"notnull\"=1 AND dflt_value='0'") == 5);
    CHECK(db.scalar("SELECT resolve_sum + connect_sum + tls_sum + processing_sum + transfer_sum "
                    "FROM rollup") == 0);
  }
  // New samples add to the old hour's (zero) sums; a new hour gets its full sums.
  REQUIRE((*store)->enqueue(record({.run_id = 3, .scheduled = kT0 + 120s, .duration = 200ms})));
  REQUIRE((*store)->enqueue(record({.run_id = 4, .scheduled = kT0 + 1h, .duration = 400ms})));
  REQUIRE((*store)->enqueue(record({.run_id = 5, .scheduled = kT0 + 1h + 60s})));
  REQUIRE((*store)->flush());
  std::vector<RollupHour> hours;
  REQUIRE((*store)->scanRollups(kT0, kT0 + 2h, [&](const RollupHour& h) {
    hours.push_back(h);
    return true;
  }));
  REQUIRE(hours.size() == 2);
  CHECK(hours[0].runs == 3);
  CHECK(hours[0].phase_sum[0] == 1200us);  // run 3 only: runs 1 and 2 were summed before v3
  CHECK(hours[0].phase_sum[3] == 100ms);   // record() gives processing = duration / 2
  CHECK(hours[1].runs == 2);
  CHECK(hours[1].phase_sum[0] == 2 * 1200us);
  CHECK(hours[1].phase_sum[1] == 2 * 3400us);
  CHECK(hours[1].phase_sum[2] == 2 * 15000us);
  CHECK(hours[1].phase_sum[3] == 200ms + 60ms);
  CHECK(hours[1].phase_sum[4] == 2 * 2000us);
  CHECK((*store)->integrityCheck().value() == "ok");
}

TEST_CASE("a build that knows schema version 2 refuses a version 3 file") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  {
    auto store = SqliteResultStore::open(StoreOptions{.path = path});
    REQUIRE(store);
  }
  auto v2 = resultsStorageComponent();
  REQUIRE(v2.migrations.size() == 3);
  v2.migrations.pop_back();
  auto db = Db::open(path.string(), false, 1000);
  REQUIRE(db);
  auto st = (*db)->migrate({v2});
  REQUIRE_FALSE(st);
  CHECK_THAT(st.error().message, Catch::Contains("schema version 3 is newer than this build's 2"));
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

TEST_CASE("a version 2 database built by an older build opens, keeps its rows and gains new components") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  core::FakeClock clock{kT0};
  {
    // What a v2 build leaves behind: its schema, one series with a closed and an open run, a message.
    std::ofstream{path};  // an empty file is an empty database
    SqlitePeek db(path);
    db.exec(R"sql(
CREATE TABLE series(id INTEGER PRIMARY KEY, shop TEXT NOT NULL, env TEXT NOT NULL,
  check_name TEXT NOT NULL, step TEXT NOT NULL, UNIQUE(shop, env, check_name, step));
CREATE TABLE message(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE raw(series INTEGER NOT NULL, ts INTEGER NOT NULL, run_id INTEGER NOT NULL,
  flags INTEGER NOT NULL, reason INTEGER NOT NULL, message INTEGER, status INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL, lag INTEGER NOT NULL, duration INTEGER NOT NULL,
  resolve INTEGER NOT NULL, connect INTEGER NOT NULL, tls INTEGER NOT NULL,
  processing INTEGER NOT NULL, transfer INTEGER NOT NULL, bytes INTEGER NOT NULL,
  http_version INTEGER NOT NULL, cert_expiry INTEGER, covered INTEGER,
  PRIMARY KEY(series, ts)) WITHOUT ROWID;
CREATE TABLE rollup(series INTEGER NOT NULL, hour INTEGER NOT NULL, runs INTEGER NOT NULL,
  failed INTEGER NOT NULL, down_runs INTEGER NOT NULL, confirm_runs INTEGER NOT NULL,
  r1 INTEGER NOT NULL, r2 INTEGER NOT NULL, r3 INTEGER NOT NULL, r4 INTEGER NOT NULL,
  r5 INTEGER NOT NULL, r6 INTEGER NOT NULL, r7 INTEGER NOT NULL, r8 INTEGER NOT NULL,
  r9 INTEGER NOT NULL, r10 INTEGER NOT NULL, r11 INTEGER NOT NULL, covered INTEGER NOT NULL,
  maintenance INTEGER NOT NULL, downtime INTEGER NOT NULL, unmonitored INTEGER NOT NULL,
  hist BLOB NOT NULL, PRIMARY KEY(series, hour)) WITHOUT ROWID;
CREATE INDEX raw_message ON raw(message) WHERE message IS NOT NULL;
INSERT INTO series VALUES(1, 'acme', 'production', 'home', '');
INSERT INTO message VALUES(1, 'status 503');
INSERT INTO raw VALUES(1, 1800000000000000, 1, 16, 5, 1, 503, 60000, 1500, 80000,
  1000, 2000, 3000, 4000, 5000, 512, 11, NULL, 60000000);
INSERT INTO raw VALUES(1, 1800000060000000, 2, 8, 0, NULL, 200, 60000, 1500, 90000,
  1000, 2000, 3000, 4000, 5000, 512, 11, NULL, NULL);
INSERT INTO rollup VALUES(1, 500000, 2, 1, 1, 0, 0,0,0,0,1,0,0,0,0,0,0, 60000000, 0, 60000000, 0, x'');
PRAGMA user_version=2;
)sql");
  }
  StorageComponent notes{"notes", {"CREATE TABLE note(id INTEGER PRIMARY KEY, text TEXT NOT NULL)"}};
  auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock, .components = {notes}});
  REQUIRE(store);
  {
    SqlitePeek db(path);
    CHECK(db.scalar("PRAGMA user_version") == 3);
    CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('rollup') WHERE name='processing_sum'") == 1);
    CHECK(db.scalar("SELECT version FROM component_version WHERE name='notes'") == 1);
    CHECK(db.scalar("SELECT count(*) FROM note") == 0);
  }
  auto rows = (*store)->lastResults(series("home"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[1].counted_down);
  CHECK((*rows)[1].result.message == "status 503");
  CHECK((*rows)[1].result.failure == core::FailureReason::HttpStatus);
  CHECK((*rows)[1].result.phases.connect == 2000us);
  // Accounting continues from the v2 file's open run.
  REQUIRE((*store)->enqueue(record({.run_id = 3, .scheduled = kT0 + 120s})));
  REQUIRE((*store)->flush());
  auto a = (*store)->windowAggregate(series("home"), kT0, kT0 + 180s, kT0 + 180s);
  REQUIRE(a);
  CHECK(a->runs == 3);
  CHECK(a->covered == 180s);
  CHECK(a->downtime == 60s);
  auto rolled = (*store)->rangeAggregate(kT0, kT0 + 1h, kT0 + 180s);
  REQUIRE(rolled);
  CHECK((*rolled)[0].runs == 3);
  CHECK((*rolled)[0].covered == 180s);
  CHECK((*rolled)[0].failures_by_reason[static_cast<std::size_t>(core::FailureReason::HttpStatus)] == 1);
  CHECK((*store)->integrityCheck().value() == "ok");
}

TEST_CASE("every failure reason has its rollup column rN, N being the reason's stored value") {
  TempDir dir;
  auto path = dir.path() / "agent.db";
  core::FakeClock clock{kT0};
  auto store = SqliteResultStore::open(StoreOptions{.path = path, .clock = &clock});
  REQUIRE(store);
  // One failure of each reason, each in its own hour, read back per reason from the rollups.
  std::int64_t id = 0;
  for (auto reason : core::allFailureReasons()) {
    auto t = kT0 + std::chrono::hours{id};
    REQUIRE((*store)->enqueue(record({.run_id = ++id, .scheduled = t, .success = false, .reason = reason})));
  }
  REQUIRE((*store)->flush());
  SqlitePeek db(path);
  for (auto reason : core::allFailureReasons()) {
    auto n = static_cast<std::int64_t>(reason);
    INFO(core::toString(reason));
    CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('rollup') WHERE name='r' || ?1", n) == 1);
    CHECK(db.scalar("SELECT count(*) FROM raw WHERE reason=?1", n) == 1);
    auto from = kT0 + std::chrono::hours{n - 1};
    auto rolled = (*store)->rangeAggregate(from, from + 1h, kT0 + 24h);
    REQUIRE(rolled);
    std::array<std::int64_t, core::kFailureReasonCount> expected{};
    expected[static_cast<std::size_t>(n)] = 1;
    CHECK((*rolled)[0].failures_by_reason == expected);
  }
}
