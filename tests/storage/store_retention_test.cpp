#include <catch2/catch.hpp>

#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

TEST_CASE("retention deletes raw rows and rollups older than their tier, in small chunks") {
  TempDir dir;
  core::FakeClock clock{kT0};
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.clock = &clock;
  o.retention_chunk = 7;  // many chunks: exercises the chunk loop
  o.retention_raw = std::chrono::hours{24 * 14};
  o.retention_rollups = std::chrono::hours{24 * 400};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  // Two days of runs every 10 minutes, 20 days ago, and the last hour.
  std::int64_t id = 0;
  for (auto t = kT0 - std::chrono::hours{24 * 20}; t < kT0 - std::chrono::hours{24 * 18}; t += 10min) {
    REQUIRE(store.enqueue(record({.check = "old", .run_id = ++id, .scheduled = t, .interval = 10min})));
  }
  for (auto t = kT0 - 1h; t < kT0; t += 10min) {
    REQUIRE(store.enqueue(record({.check = "new", .run_id = ++id, .scheduled = t, .interval = 10min})));
  }
  REQUIRE(store.flush());
  auto old_window = std::pair{kT0 - std::chrono::hours{24 * 21}, kT0 - std::chrono::hours{24 * 17}};
  auto before = store.rangeAggregate(old_window.first, old_window.second, kT0);
  REQUIRE(before);
  REQUIRE(before->size() == 2);
  CHECK((*before)[1].series == series("old"));
  CHECK((*before)[1].runs == 288);

  REQUIRE(store.runRetention());
  auto old_rows = store.lastResults(series("old"), 1000);
  REQUIRE(old_rows);
  CHECK(old_rows->empty());
  auto new_rows = store.lastResults(series("new"), 1000);
  REQUIRE(new_rows);
  CHECK(new_rows->size() == 6);
  auto after = store.rangeAggregate(old_window.first, old_window.second, kT0);
  REQUIRE(after);
  CHECK((*after)[1].runs == 288);  // rollups outlive raw rows
  CHECK((*after)[1].covered == (*before)[1].covered - 20min);  // the deleted open run no longer counts

  clock.advance(std::chrono::hours{24 * 400} - std::chrono::hours{24 * 17});
  REQUIRE(store.runRetention());
  auto gone = store.rangeAggregate(old_window.first, old_window.second, clock.now());
  REQUIRE(gone);
  CHECK((*gone)[1].runs == 0);
  CHECK((*gone)[1].covered == 0min);
  auto recent = store.rangeAggregate(kT0 - 1h, kT0, clock.now());
  REQUIRE(recent);
  CHECK((*recent)[0].runs == 6);  // rollups younger than 400 days stay
  CHECK(store.integrityCheck().value() == "ok");
}
