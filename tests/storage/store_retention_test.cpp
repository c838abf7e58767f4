#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
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

namespace {

core::RunRecord failure(const std::string& check, std::int64_t run_id, core::SystemTime t, std::string message) {
  auto r = record({.check = check, .run_id = run_id, .scheduled = t, .interval = 10min, .success = false});
  r.result.message = std::move(message);
  return r;
}

}  // namespace

TEST_CASE("retention deletes the messages only deleted raw rows used and keeps shared ones") {
  TempDir dir;
  core::FakeClock clock{kT0};
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.clock = &clock;
  o.retention_chunk = 3;
  o.retention_raw = std::chrono::hours{24 * 14};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  std::int64_t id = 0;
  // Old failures: each with its own message, plus one message shared with a recent failure.
  for (int i = 0; i < 20; ++i) {
    auto t = kT0 - std::chrono::hours{24 * 20} + i * 10min;
    REQUIRE(store.enqueue(failure("old", ++id, t, "body mismatch in run " + std::to_string(i))));
  }
  REQUIRE(store.enqueue(failure("old", ++id, kT0 - std::chrono::hours{24 * 19}, "connection refused")));
  REQUIRE(store.enqueue(failure("new", ++id, kT0 - 20min, "connection refused")));
  REQUIRE(store.enqueue(failure("new", ++id, kT0 - 10min, "recent only")));
  REQUIRE(store.flush());
  SqlitePeek db(o.path);
  REQUIRE(db.scalar("SELECT count(*) FROM message") == 22);

  REQUIRE(store.runRetention());
  CHECK(db.scalar("SELECT count(*) FROM raw") == 2);
  CHECK(db.scalar("SELECT count(*) FROM message") == 2);
  CHECK(db.text("SELECT group_concat(text, '|') FROM (SELECT text FROM message ORDER BY text)") ==
        "connection refused|recent only");
  CHECK(db.scalar("SELECT count(*) FROM raw WHERE message IS NOT NULL AND "
                  "message NOT IN (SELECT id FROM message)") == 0);

  // The writer's text-to-id cache must not hand out a deleted id: a message seen before retention
  // comes back with its text.
  REQUIRE(store.enqueue(failure("new", ++id, kT0, "body mismatch in run 3")));
  REQUIRE(store.enqueue(failure("new", ++id, kT0 + 10min, "connection refused")));
  REQUIRE(store.flush());
  auto rows = store.lastResults(series("new"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 4);
  CHECK((*rows)[0].result.message == "connection refused");
  CHECK((*rows)[1].result.message == "body mismatch in run 3");
  CHECK((*rows)[2].result.message == "recent only");
  CHECK((*rows)[3].result.message == "connection refused");
  CHECK(db.scalar("SELECT count(*) FROM message") == 3);
  CHECK(store.integrityCheck().value() == "ok");
}

TEST_CASE("a long retention cycle runs in slices and results are written between them") {
  TempDir dir;
  core::FakeClock clock{kT0};
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.clock = &clock;
  o.retention_chunk = 1;                // one row per transaction ...
  o.retention_slice = core::Micros{0};  // ... and one transaction per slice
  o.retention_raw = std::chrono::hours{24 * 14};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  constexpr int kOld = 20000;
  std::int64_t id = 0;
  for (int i = 0; i < kOld; ++i) {
    auto t = kT0 - std::chrono::hours{24 * 30} + i * 1min;
    REQUIRE(store.enqueue(record({.check = "old", .run_id = ++id, .scheduled = t})));
  }
  REQUIRE(store.flush());
  SqlitePeek db(o.path);
  REQUIRE(db.scalar("SELECT count(*) FROM raw") == kOld);

  std::atomic<bool> retention_done{false};
  core::Status retention_status;
  std::jthread retention([&] {
    retention_status = store.runRetention();
    retention_done = true;
  });
  // Wait until the cycle has visibly started.
  while (!retention_done && db.scalar("SELECT count(*) FROM raw") == kOld) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(store.enqueue(record({.check = "new", .run_id = ++id, .scheduled = kT0})));
  REQUIRE(store.flush());
  const bool written_during_retention = !retention_done;
  auto fresh = store.lastResults(series("new"), 1);
  REQUIRE(fresh);
  CHECK(fresh->size() == 1);
  retention.join();
  REQUIRE(retention_status);
  CHECK(written_during_retention);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 1);
}

TEST_CASE("stopping the store during a retention cycle answers the waiting runRetention") {
  TempDir dir;
  core::FakeClock clock{kT0};
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.clock = &clock;
  o.retention_chunk = 1;
  o.retention_slice = core::Micros{0};
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  for (int i = 0; i < 5000; ++i) {
    auto t = kT0 - std::chrono::hours{24 * 30} + i * 1min;
    REQUIRE(store.enqueue(record({.check = "old", .run_id = i + 1, .scheduled = t})));
  }
  REQUIRE(store.flush());
  std::jthread retention([&] { (void)store.runRetention(); });
  SqlitePeek db(o.path);
  while (db.scalar("SELECT count(*) FROM raw") == 5000) std::this_thread::sleep_for(1ms);
  store.stop();
  retention.join();  // would hang if the stopped writer left the request unanswered
  CHECK(db.scalar("SELECT count(*) FROM raw") > 0);
}
