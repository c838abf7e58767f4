// Alert state in the agent's database: transitions written by writer jobs in the results'
// transaction, read back after a restart with every field of the record.
#include "shopwatch/agent/persistence/alert_state_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>

#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::agent::persistence;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;
using rules::AlertRecord;
using rules::AlertState;
using rules::AlertTransition;
using rules::Severity;

namespace {

// A component of this test only: what an `extra` hook writes (as [D]'s incidents will).
StorageComponent notesComponent() {
  return StorageComponent{"notes",
                          {"CREATE TABLE note(rule TEXT NOT NULL, seen_alert_rows INTEGER)"}};
}

StoreOptions options(const TempDir& dir, bool with_components = true) {
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  if (with_components)
    o.components = {alertStateComponent(), maintenanceComponent(), notesComponent()};
  o.flush_interval = std::chrono::seconds{60};  // batches form from what the test queues
  o.max_backoff = std::chrono::milliseconds{100};
  return o;
}

std::unique_ptr<SqliteResultStore> open(const StoreOptions& o) {
  auto store = SqliteResultStore::open(o);
  REQUIRE(store);
  return std::move(*store);
}

// Outcomes reported to done() on the writer thread.
struct Outcomes {
  std::mutex mu;
  std::vector<core::Status> seen;
  std::function<void(const core::Status&)> callback() {
    return [this](const core::Status& st) {
      std::lock_guard lk(mu);
      seen.push_back(st);
    };
  }
  std::vector<core::Status> get() {
    std::lock_guard lk(mu);
    return seen;
  }
};

std::vector<AlertRecord> alerts(SqliteResultStore& store) {
  std::vector<AlertRecord> out;
  REQUIRE(store.read([&](Db& db) -> core::Status {
    auto loaded = loadAlerts(db);
    if (!loaded) return loaded.error();
    out = std::move(*loaded);
    return {};
  }));
  return out;
}

std::vector<AlertHistoryRow> history(SqliteResultStore& store, core::SystemTime from,
                                     core::SystemTime to) {
  std::vector<AlertHistoryRow> out;
  REQUIRE(store.read([&](Db& db) -> core::Status {
    auto loaded = loadAlertHistory(db, from, to);
    if (!loaded) return loaded.error();
    out = std::move(*loaded);
    return {};
  }));
  return out;
}

rules::Target target(const std::string& check, const std::string& step = "",
                     const std::string& env = "production") {
  return rules::Target{core::CheckKey{"acme", env, check}, step};
}

AlertTransition transition(const AlertRecord& after, AlertState from, core::SystemTime at,
                           Severity from_severity = Severity::Warning, bool removed = false) {
  AlertTransition t;
  t.alert = after;
  t.from = from;
  t.from_severity = from_severity;
  t.at = at;
  t.removed = removed;
  return t;
}

void checkSame(const AlertRecord& a, const AlertRecord& b) {
  INFO(a.rule << " " << a.target.str());
  CHECK(a.rule == b.rule);
  CHECK(a.target == b.target);
  CHECK(a.severity == b.severity);
  CHECK(a.state == b.state);
  CHECK(a.since == b.since);
  CHECK(a.breach_since == b.breach_since);
  CHECK(a.healthy_since == b.healthy_since);
  CHECK(a.fired_at == b.fired_at);
  CHECK(a.resolved_at == b.resolved_at);
  CHECK(a.value == b.value);
  CHECK(a.peak == b.peak);
  CHECK(a.threshold == b.threshold);
  CHECK(a.expr == b.expr);
  CHECK(a.flapping == b.flapping);
  CHECK(a.flap_history == b.flap_history);
  CHECK(a.flap_samples == b.flap_samples);
  CHECK(a.suppressed_by == b.suppressed_by);
}

// home-slow on acme/home: pending at +1m, firing at +6m, ok at +20m.
struct HomeSlow {
  AlertRecord pending, firing, ok;
  HomeSlow() {
    pending.rule = "home-slow";
    pending.target = target("home");
    pending.severity = Severity::Warning;
    pending.state = AlertState::Pending;
    pending.since = kT0 + 1min;
    pending.breach_since = kT0 + 1min;
    pending.value = 912.5;
    pending.threshold = 800;
    pending.expr = "p95 > 800ms";
    pending.flap_history = 0b1;
    pending.flap_samples = 1;

    firing = pending;
    firing.state = AlertState::Firing;
    firing.since = kT0 + 6min;
    firing.fired_at = kT0 + 6min;
    firing.value = 1100.125;
    firing.peak = 1234.0625;
    // Every one of the 21 history bits set, and flapping: the bits survive as they are.
    firing.flapping = true;
    firing.flap_history = 0x1FFFFF;
    firing.flap_samples = 21;

    ok = firing;
    ok.state = AlertState::Ok;
    ok.since = kT0 + 20min;
    ok.breach_since.reset();
    ok.healthy_since = kT0 + 10min;
    ok.resolved_at = kT0 + 20min;
    ok.value.reset();  // no data in the window
    ok.flapping = false;
    ok.flap_history = 0x155555;
  }
};

AlertRecord suppressedCart() {
  AlertRecord a;
  a.rule = "checkout-down";
  a.target = target("checkout", "cart", "staging");
  a.severity = Severity::Critical;
  a.state = AlertState::Suppressed;
  a.since = kT0 + 2min;
  a.threshold = 1.0;
  a.expr = "availability < 100%";
  a.suppressed_by = "maintenance weekly-updates";
  return a;
}

AlertRecord searchDown() {
  AlertRecord a;
  a.rule = "search-down";
  a.target = target("search");
  a.severity = Severity::Info;
  a.state = AlertState::Firing;
  a.since = kT0 + 3min;
  a.fired_at = kT0 + 3min;
  a.value = 0.5;
  a.threshold = 0.99;
  a.expr = "availability < 99%";
  return a;
}

}  // namespace

TEST_CASE("alert transitions survive a restart with every field of the record") {
  TempDir dir;
  const auto o = options(dir);
  const HomeSlow home;
  Outcomes outcomes;
  {
    auto store = open(o);
    REQUIRE(store->submit(makeAlertTransitionJob(
        {transition(home.pending, AlertState::Ok, kT0 + 1min)}, {}, outcomes.callback())));
    REQUIRE(store->submit(makeAlertTransitionJob(
        {transition(suppressedCart(), AlertState::Ok, kT0 + 2min, Severity::Critical),
         transition(searchDown(), AlertState::Pending, kT0 + 3min, Severity::Info)},
        {}, outcomes.callback())));
    REQUIRE(store->submit(makeAlertTransitionJob(
        {transition(home.firing, AlertState::Pending, kT0 + 6min),
         transition(home.ok, AlertState::Firing, kT0 + 20min),
         // The rule left the config: its row goes, its history stays.
         transition(searchDown(), AlertState::Firing, kT0 + 25min, Severity::Info, true)},
        {}, outcomes.callback())));
    REQUIRE(store->flush());
    auto seen = outcomes.get();
    REQUIRE(seen.size() == 3);
    for (const auto& st : seen) CHECK(st.ok());
  }

  auto store = open(o);
  auto loaded = alerts(*store);
  REQUIRE(loaded.size() == 2);  // ordered by rule
  checkSame(loaded[0], suppressedCart());
  checkSame(loaded[1], home.ok);
  CHECK(loaded[1].apiState() == "resolved");

  auto rows = history(*store, kT0, kT0 + 1h);
  REQUIRE(rows.size() == 6);
  struct Expected {
    std::string rule;
    AlertState from, to;
    Severity from_severity, severity;
    core::SystemTime at;
    bool removed;
  };
  const std::vector<Expected> expected = {
      {"home-slow", AlertState::Ok, AlertState::Pending, Severity::Warning, Severity::Warning,
       kT0 + 1min, false},
      {"checkout-down", AlertState::Ok, AlertState::Suppressed, Severity::Critical,
       Severity::Critical, kT0 + 2min, false},
      {"search-down", AlertState::Pending, AlertState::Firing, Severity::Info, Severity::Info,
       kT0 + 3min, false},
      {"home-slow", AlertState::Pending, AlertState::Firing, Severity::Warning, Severity::Warning,
       kT0 + 6min, false},
      {"home-slow", AlertState::Firing, AlertState::Ok, Severity::Warning, Severity::Warning,
       kT0 + 20min, false},
      {"search-down", AlertState::Firing, AlertState::Firing, Severity::Info, Severity::Info,
       kT0 + 25min, true},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("history row " << i);
    const auto& t = rows[i].transition;
    CHECK(t.alert.rule == expected[i].rule);
    CHECK(t.from == expected[i].from);
    CHECK(t.alert.state == expected[i].to);
    CHECK(t.from_severity == expected[i].from_severity);
    CHECK(t.alert.severity == expected[i].severity);
    CHECK(t.at == expected[i].at);
    CHECK(t.alert.since == expected[i].at);
    CHECK(t.removed == expected[i].removed);
  }
  CHECK(rows[1].transition.alert.target == target("checkout", "cart", "staging"));
  CHECK(rows[3].transition.alert.value == 1100.125);
  CHECK(rows[3].transition.alert.threshold == 800);
  CHECK(rows[3].transition.alert.expr == "p95 > 800ms");
  CHECK_FALSE(rows[4].transition.alert.value);  // no data: NULL

  // [from, to): the transition at +6m is in, the one at +20m is not.
  auto middle = history(*store, kT0 + 6min, kT0 + 20min);
  REQUIRE(middle.size() == 1);
  CHECK(middle[0].transition.at == kT0 + 6min);
}

TEST_CASE("the extra hook writes with the transition, and its failure rolls back only that job") {
  TempDir dir;
  const auto o = options(dir);
  auto store = open(o);
  Outcomes outcomes;
  // Records the alert rows the hook's transaction sees, then writes a note (and fails if told).
  auto hook = [](bool fail) {
    return [fail](Db& db, const std::vector<AlertTransition>& ts) -> core::Status {
      auto count = db.statement("SELECT count(*) FROM alert WHERE rule=?1");
      if (!count) return count.error();
      std::int64_t seen = 0;
      {
        Statement::ResetOnExit reset(**count);
        auto row = (*count)->bind(1, ts.front().alert.rule).step();
        if (!row) return row.error();
        seen = (*count)->i64(0);
      }
      auto note = db.statement("INSERT INTO note(rule, seen_alert_rows) VALUES(?1, ?2)");
      if (!note) return note.error();
      if (auto st = (*note)->bind(1, ts.front().alert.rule).bind(2, seen).run(); !st) return st;
      if (fail) return core::makeError(core::ErrorCode::Invalid, "incident rejected");
      return {};
    };
  };
  const HomeSlow home;
  for (std::int64_t id = 1; id <= 2; ++id)
    REQUIRE(store->enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::minutes{id}})));
  REQUIRE(store->submit(makeAlertTransitionJob(
      {transition(home.pending, AlertState::Ok, kT0 + 1min)}, hook(false), outcomes.callback())));
  for (std::int64_t id = 3; id <= 4; ++id)
    REQUIRE(store->enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::minutes{id}})));
  REQUIRE(store->submit(makeAlertTransitionJob(
      {transition(searchDown(), AlertState::Pending, kT0 + 3min, Severity::Info)}, hook(true),
      outcomes.callback())));
  REQUIRE(store->enqueue(record({.run_id = 5, .scheduled = kT0 + 5min})));
  REQUIRE(store->flush());
  CHECK_FALSE(store->stats().degraded);

  auto seen = outcomes.get();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].ok());
  REQUIRE_FALSE(seen[1].ok());
  CHECK(seen[1].error().code == core::ErrorCode::Invalid);
  CHECK(seen[1].error().message == "incident rejected");

  // The results around both jobs committed; the failed job's alert, history and note did not.
  auto rows = store->lastResults(series("home"), 10);
  REQUIRE(rows);
  CHECK(rows->size() == 5);
  auto loaded = alerts(*store);
  REQUIRE(loaded.size() == 1);
  checkSame(loaded[0], home.pending);
  auto hist = history(*store, kT0, kT0 + 1h);
  REQUIRE(hist.size() == 1);
  CHECK(hist[0].transition.alert.rule == "home-slow");
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM note") == 1);
  // The hook ran after the job's alert row was written, in the same transaction.
  CHECK(db.scalar("SELECT seen_alert_rows FROM note WHERE rule='home-slow'") == 1);
}

TEST_CASE("a transition job retried after its batch rolled back writes its rows once") {
  TempDir dir;
  const auto o = options(dir);
  auto store = open(o);
  Outcomes outcomes;
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto failing = std::make_shared<std::atomic<bool>>(true);
  // Unavailable while `failing` (as a lost lock would be): the whole batch rolls back, and every
  // attempt (the writer's own and the flush's) starts from scratch.
  auto flaky = [calls, failing](Db& db, const std::vector<AlertTransition>& ts) -> core::Status {
    auto note = db.statement("INSERT INTO note(rule) VALUES(?1)");
    if (!note) return note.error();
    if (auto st = (*note)->bind(1, ts.front().alert.rule).run(); !st) return st;
    ++*calls;
    if (*failing) return core::makeError(core::ErrorCode::Unavailable, "disk busy");
    return {};
  };
  const HomeSlow home;
  REQUIRE(store->enqueue(record({.run_id = 1, .scheduled = kT0})));
  REQUIRE(store->submit(
      makeAlertTransitionJob({transition(home.pending, AlertState::Ok, kT0 + 1min),
                              transition(home.firing, AlertState::Pending, kT0 + 6min)},
                             flaky, outcomes.callback())));
  CHECK_FALSE(store->flush());
  CHECK(store->stats().degraded);
  CHECK(outcomes.get().empty());
  {
    SqlitePeek db(o.path);
    CHECK(db.scalar("SELECT count(*) FROM alert_history") == 0);
    CHECK(db.scalar("SELECT count(*) FROM raw") == 0);
  }
  const int failed_attempts = *calls;
  CHECK(failed_attempts >= 1);
  *failing = false;
  REQUIRE(store->flush());
  CHECK(*calls == failed_attempts + 1);
  auto seen = outcomes.get();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].ok());
  CHECK(history(*store, kT0, kT0 + 1h).size() == 2);
  auto loaded = alerts(*store);
  REQUIRE(loaded.size() == 1);
  checkSame(loaded[0], home.firing);
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT count(*) FROM note") == 1);
  CHECK(db.scalar("SELECT count(*) FROM raw") == 1);
}

TEST_CASE("a results database created before the components gains them and keeps its results") {
  TempDir dir;
  {
    auto store = open(options(dir, false));
    for (std::int64_t id = 1; id <= 4; ++id)
      REQUIRE(store->enqueue(record({.run_id = id, .scheduled = kT0 + std::chrono::minutes{id}})));
    REQUIRE(store->flush());
  }
  {
    SqlitePeek db(dir.path() / "agent.db");
    CHECK(db.scalar(
              "SELECT count(*) FROM sqlite_schema WHERE name IN ('alert','maintenance_window')") ==
          0);
  }
  const auto o = options(dir);
  auto store = open(o);
  auto rows = store->lastResults(series("home"), 10);
  REQUIRE(rows);
  CHECK(rows->size() == 4);
  auto a = store->windowAggregate(series("home"), kT0, kT0 + 4min, kT0 + 4min);
  REQUIRE(a);
  CHECK(a->covered == 3min);
  CHECK(alerts(*store).empty());
  REQUIRE(store->read([](Db& db) -> core::Status {
    auto id = maxWindowId(db);
    if (!id) return id.error();
    CHECK(*id == 0);
    return {};
  }));
  Outcomes outcomes;
  const HomeSlow home;
  REQUIRE(store->submit(makeAlertTransitionJob(
      {transition(home.pending, AlertState::Ok, kT0 + 1min)}, {}, outcomes.callback())));
  REQUIRE(store->flush());
  REQUIRE(alerts(*store).size() == 1);
  SqlitePeek db(o.path);
  CHECK(db.scalar("SELECT version FROM component_version WHERE name='alerts'") == 1);
  CHECK(db.scalar("SELECT version FROM component_version WHERE name='maintenance'") == 1);
  CHECK(db.scalar("PRAGMA user_version") == 3);  // the results schema (v3: phase sums)
}
