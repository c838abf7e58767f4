// The contract every ResultStore passes (DESIGN.md, "Accounting"), run against each implementation.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <tuple>

#include "shopwatch/storage/memory_result_store.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

struct Subject {
  std::string name;
  std::unique_ptr<TempDir> dir;
  core::FakeClock clock{kT0};
  std::unique_ptr<ResultStore> store;
};

std::unique_ptr<Subject> makeSubject(const std::string& name) {
  auto s = std::make_unique<Subject>();
  s->name = name;
  if (name == "sqlite") {
    s->dir = std::make_unique<TempDir>();
    StoreOptions o;
    o.path = s->dir->path() / "agent.db";
    o.clock = &s->clock;
    auto opened = SqliteResultStore::open(o);
    REQUIRE(opened);
    s->store = std::move(*opened);
  } else {
    s->store = std::make_unique<MemoryResultStore>();
  }
  return s;
}

void write(ResultStore& store, const std::vector<Run>& runs) {
  for (const auto& r : runs) REQUIRE(store.enqueue(record(r)));
  REQUIRE(store.flush());
}

Aggregate window(ResultStore& store, const SeriesKey& key, core::SystemTime from, core::SystemTime to,
                 core::SystemTime now) {
  auto a = store.windowAggregate(key, from, to, now);
  REQUIRE(a);
  return *a;
}

}  // namespace

TEST_CASE("a gap longer than twice the interval is unmonitored, the rest of it covered") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0},
                    {.run_id = 2, .scheduled = kT0 + 60s},
                    {.run_id = 3, .scheduled = kT0 + 300s}});
  auto a = window(*s->store, series("home"), kT0, kT0 + 360s, kT0 + 360s);
  CHECK(a.runs == 3);
  // 60 s + min(240, 120) s + the open last run's 60 s up to now.
  CHECK(a.covered == 240s);
  CHECK(a.unmonitored == 120s);
  CHECK(a.downtime == 0s);
  CHECK(a.availability() == Approx(1.0));
}

TEST_CASE("the open last run covers up to now, at most twice the interval, then time is unmonitored") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0, .success = false, .confirm_pending = false}});
  auto early = window(*s->store, series("home"), kT0, kT0 + 1h, kT0 + 45s);
  CHECK(early.covered == 45s);
  CHECK(early.downtime == 45s);
  CHECK(early.unmonitored == 0s);
  auto late = window(*s->store, series("home"), kT0, kT0 + 1h, kT0 + 200s);
  CHECK(late.covered == 120s);
  CHECK(late.unmonitored == 80s);
}

TEST_CASE("a failure counts only when its confirm re-check also fails") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {
                       // confirmed: counts
                       {.run_id = 1, .scheduled = kT0, .success = false, .confirm_pending = true},
                       {.run_id = 1, .scheduled = kT0 + 5s, .success = false, .confirm = true},
                       // not confirmed: the re-check passed
                       {.run_id = 2, .scheduled = kT0 + 60s, .success = false, .confirm_pending = true},
                       {.run_id = 2, .scheduled = kT0 + 65s, .success = true, .confirm = true},
                       // the confirm never came before the next scheduled run: does not count
                       {.run_id = 3, .scheduled = kT0 + 120s, .success = false, .confirm_pending = true},
                       {.run_id = 4, .scheduled = kT0 + 180s},
                       {.run_id = 3, .scheduled = kT0 + 185s, .success = false, .confirm = true},
                       // confirm disabled: counts directly
                       {.run_id = 5, .scheduled = kT0 + 240s, .success = false,
                        .reason = core::FailureReason::HttpStatus, .confirm_pending = false},
                       {.run_id = 6, .scheduled = kT0 + 300s},
                   });
  auto a = window(*s->store, series("home"), kT0, kT0 + 360s, kT0 + 360s);
  CHECK(a.runs == 6);
  CHECK(a.failed == 4);
  CHECK(a.down_runs == 2);
  CHECK(a.confirm_runs == 3);
  CHECK(a.failures_by_reason[static_cast<std::size_t>(core::FailureReason::Timeout)] == 3);
  CHECK(a.failures_by_reason[static_cast<std::size_t>(core::FailureReason::HttpStatus)] == 1);
  CHECK(a.covered == 360s);
  CHECK(a.downtime == 120s);
  CHECK(a.availability() == Approx(240.0 / 360.0));
  auto last = s->store->lastResults(series("home"), 3);
  REQUIRE(last);
  REQUIRE(last->size() == 3);
  CHECK((*last)[0].run_id == 6);
  CHECK((*last)[1].run_id == 5);
  CHECK((*last)[1].counted_down);
  CHECK((*last)[2].confirm);
  CHECK((*last)[2].run_id == 3);
}

TEST_CASE("maintenance time is subtracted from covered time and from downtime") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0, .success = false, .in_maintenance = true},
                    {.run_id = 2, .scheduled = kT0 + 60s, .in_maintenance = true},
                    {.run_id = 3, .scheduled = kT0 + 120s, .success = false},
                    {.run_id = 4, .scheduled = kT0 + 180s},
                    {.run_id = 5, .scheduled = kT0 + 240s}});
  auto a = window(*s->store, series("home"), kT0, kT0 + 300s, kT0 + 300s);
  CHECK(a.covered == 300s);
  CHECK(a.maintenance == 120s);
  CHECK(a.downtime == 60s);
  CHECK(a.availability() == Approx(120.0 / 180.0));
}

TEST_CASE("unmonitored time enters availability only as the policy says") {
  Aggregate a;
  a.covered = 100s;
  a.downtime = 10s;
  a.unmonitored = 100s;
  CHECK(a.availability(UnmonitoredPolicy::Exclude) == Approx(0.9));
  CHECK(a.availability(UnmonitoredPolicy::Up) == Approx(190.0 / 200.0));
  CHECK(a.availability(UnmonitoredPolicy::Down) == Approx(90.0 / 200.0));
  CHECK_FALSE(Aggregate{}.availability());
}

TEST_CASE("coverage spanning an hour boundary is split across hours") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0 + 3570s, .success = false},
                    {.run_id = 2, .scheduled = kT0 + 3630s},
                    {.run_id = 3, .scheduled = kT0 + 4000s}});
  auto now = kT0 + 2h;
  auto first = s->store->rangeAggregate(kT0, kT0 + 1h, now);
  REQUIRE(first);
  REQUIRE(first->size() == 1);
  CHECK((*first)[0].covered == 30s);
  CHECK((*first)[0].downtime == 30s);
  CHECK((*first)[0].runs == 1);
  auto second = s->store->rangeAggregate(kT0 + 1h, kT0 + 2h, now);
  REQUIRE(second);
  CHECK((*second)[0].covered == 30s + 120s + 120s);
  CHECK((*second)[0].downtime == 30s);
  CHECK((*second)[0].unmonitored == (4000s - 3750s) + (7200s - 4120s));
  CHECK((*second)[0].runs == 2);
}

TEST_CASE("a superseded scheduled row changes neither runs, failures nor percentiles") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  INFO(impl);
  // Rows at or before the open run (a backward clock step) are stored raw only: the aggregates must
  // equal those of the same series written without them, in raw windows and in (rollup) ranges.
  auto with = makeSubject(impl);
  auto without = makeSubject(impl);
  const std::vector<Run> kept = {{.run_id = 1, .scheduled = kT0, .duration = 100ms},
                                 {.run_id = 2, .scheduled = kT0 + 60s, .duration = 200ms}};
  const std::vector<Run> superseded = {
      {.run_id = 3, .scheduled = kT0 + 30s, .success = false, .reason = core::FailureReason::HttpStatus},
      {.run_id = 4, .scheduled = kT0 + 60s, .duration = 9s},
      {.run_id = 5, .scheduled = kT0 + 10s, .success = false, .reason = core::FailureReason::Timeout,
       .confirm_pending = true}};
  const Run after{.run_id = 6, .scheduled = kT0 + 120s, .duration = 300ms};
  write(*with->store, kept);
  write(*with->store, superseded);
  write(*with->store, {after});
  write(*without->store, kept);
  write(*without->store, {after});
  REQUIRE(with->store->lastResults(series("home"), 10)->size() == 6);  // all stored raw

  const auto now = kT0 + 1h;
  auto raw = window(*with->store, series("home"), kT0, kT0 + 1h, now);
  auto raw_ref = window(*without->store, series("home"), kT0, kT0 + 1h, now);
  auto range = with->store->rangeAggregate(kT0, kT0 + 1h, now);
  auto range_ref = without->store->rangeAggregate(kT0, kT0 + 1h, now);
  REQUIRE(range);
  REQUIRE(range_ref);
  REQUIRE(range->size() == 1);
  REQUIRE(range_ref->size() == 1);
  CHECK(raw.runs == 3);
  CHECK(raw.failed == 0);
  CHECK(raw.down_runs == 0);
  CHECK(raw.latency_samples == 3);
  REQUIRE(raw.p99);
  CHECK(*raw.p99 <= 300ms);
  for (const auto& [a, b] : {std::pair{raw, raw_ref}, std::pair{(*range)[0], (*range_ref)[0]}}) {
    CHECK(a.runs == b.runs);
    CHECK(a.failed == b.failed);
    CHECK(a.down_runs == b.down_runs);
    CHECK(a.confirm_runs == b.confirm_runs);
    CHECK(a.failures_by_reason == b.failures_by_reason);
    CHECK(a.covered == b.covered);
    CHECK(a.downtime == b.downtime);
    CHECK(a.unmonitored == b.unmonitored);
    CHECK(a.latency_samples == b.latency_samples);
    CHECK(a.p50 == b.p50);
    CHECK(a.p99 == b.p99);
  }
  CHECK((*range)[0].runs == 3);
  CHECK((*range)[0].failed == 0);
  CHECK((*range)[0].latency_samples == 3);
}

TEST_CASE("stored results keep every listed field and come back newest first") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.check = "checkout", .step = "cart", .run_id = 7, .scheduled = kT0, .success = false,
                     .reason = core::FailureReason::Assertion, .confirm_pending = true},
                    {.check = "checkout", .step = "cart", .run_id = 8, .scheduled = kT0 + 60s},
                    {.check = "home", .run_id = 9, .scheduled = kT0}});
  auto keys = s->store->series();
  REQUIRE(keys);
  CHECK(*keys == std::vector<SeriesKey>{series("checkout", "cart"), series("home")});
  auto rows = s->store->lastResults(series("checkout", "cart"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  const auto& open = (*rows)[0];
  const auto& failed = (*rows)[1];
  CHECK(open.run_id == 8);
  CHECK_FALSE(open.covered);
  CHECK(failed.covered == 60s);
  auto expected = record({.check = "checkout", .step = "cart", .run_id = 7, .scheduled = kT0, .success = false,
                          .reason = core::FailureReason::Assertion, .confirm_pending = true});
  CHECK(failed.series == series("checkout", "cart"));
  CHECK(failed.confirm_pending);
  CHECK_FALSE(failed.counted_down);
  CHECK(failed.interval == 60s);
  CHECK(failed.scheduled == kT0);
  CHECK(failed.result.started == expected.result.started);
  CHECK_FALSE(failed.result.success);
  CHECK(failed.result.failure == core::FailureReason::Assertion);
  CHECK(failed.result.message == expected.result.message);
  CHECK(failed.result.status_code == 0);
  CHECK(failed.result.duration == expected.result.duration);
  CHECK(failed.result.phases.resolve == expected.result.phases.resolve);
  CHECK(failed.result.phases.connect == expected.result.phases.connect);
  CHECK(failed.result.phases.tls == expected.result.phases.tls);
  CHECK(failed.result.phases.processing == expected.result.phases.processing);
  CHECK(failed.result.phases.transfer == expected.result.phases.transfer);
  CHECK(failed.result.bytes == expected.result.bytes);
  CHECK(failed.result.http_version == "1.1");
  CHECK(failed.result.cert_not_after == expected.result.cert_not_after);
  CHECK(open.result.message.empty());
  auto none = s->store->lastResults(series("nothing"), 5);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("hourly rollups equal raw-row figures with percentiles within 2 percent") {
  auto s = makeSubject("sqlite");
  MemoryResultStore reference;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(11.0, 0.7);
  std::uniform_real_distribution<double> u(0, 1);
  const std::vector<std::pair<std::string, std::string>> checks = {
      {"home", ""}, {"search", ""}, {"checkout", ""}, {"checkout", "cart"}, {"checkout", "pay"}};
  std::int64_t run_id = 0;
  std::vector<core::RunRecord> all;
  for (const auto& [check, step] : checks) {
    auto interval = check == "search" ? 300s : 60s;
    auto t = kT0 + std::chrono::seconds{static_cast<int>(u(rng) * 60)};
    bool maintenance = false;
    while (t < kT0 + 72h) {
      // The agent is down for a while: once at a fixed time, and now and then.
      if (t >= kT0 + 30h && t < kT0 + 30h + interval) t += 95min;
      if (u(rng) < 0.002) t += std::chrono::seconds{static_cast<int>(u(rng) * 7200)};
      if (u(rng) < 0.01) maintenance = !maintenance;
      Run r{.check = check, .step = step, .run_id = ++run_id, .scheduled = t, .interval = interval,
            .in_maintenance = maintenance,
            .duration = core::Micros{static_cast<std::int64_t>(latency(rng))}};
      r.success = u(rng) > 0.05;
      r.confirm_pending = !r.success && u(rng) < 0.8;
      all.push_back(record(r));
      if (r.confirm_pending) {
        Run c = r;
        c.confirm = true;
        c.scheduled = t + 5s;
        c.success = u(rng) < 0.5;
        all.push_back(record(c));
      }
      t += interval + std::chrono::microseconds{static_cast<std::int64_t>(u(rng) * 2'000'000)};
    }
  }
  for (const auto& r : all) {
    REQUIRE(s->store->enqueue(core::RunRecord(r)));
    REQUIRE(reference.enqueue(core::RunRecord(r)));
  }
  REQUIRE(s->store->flush());
  auto now = kT0 + 73h;
  for (auto [from, to] : {std::pair{kT0, kT0 + 72h}, std::pair{kT0 + 5h, kT0 + 6h},
                          std::pair{kT0 + 24h, kT0 + 48h}, std::pair{kT0 + 71h, kT0 + 74h}}) {
    auto rolled = s->store->rangeAggregate(from, to, now);
    auto ref = reference.rangeAggregate(from, to, now);
    REQUIRE(rolled);
    REQUIRE(ref);
    REQUIRE(rolled->size() == checks.size());
    REQUIRE(ref->size() == checks.size());
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const auto& a = (*rolled)[i];
      auto raw = s->store->windowAggregate(a.series, from, to, now);
      REQUIRE(raw);
      for (const auto* b : {&*raw, &(*ref)[i]}) {
        INFO(a.series.key.check << "/" << a.series.step);
        CHECK(a.series == b->series);
        CHECK(a.runs == b->runs);
        CHECK(a.failed == b->failed);
        CHECK(a.down_runs == b->down_runs);
        CHECK(a.confirm_runs == b->confirm_runs);
        CHECK(a.failures_by_reason == b->failures_by_reason);
        CHECK(a.covered == b->covered);
        CHECK(a.maintenance == b->maintenance);
        CHECK(a.downtime == b->downtime);
        CHECK(a.unmonitored == b->unmonitored);
        CHECK(a.latency_samples == b->latency_samples);
        for (auto [x, y] : {std::pair{a.p50, b->p50}, std::pair{a.p90, b->p90}, std::pair{a.p95, b->p95},
                            std::pair{a.p99, b->p99}}) {
          if (!x && !y) continue;  // no passing run in this window
          REQUIRE(x);
          REQUIRE(y);
          CHECK(std::abs(static_cast<double>(x->count() - y->count())) / static_cast<double>(y->count()) <= 0.02);
        }
      }
      if (from == kT0 && to == kT0 + 72h) {
        CHECK(a.covered > 0s);
        CHECK(a.downtime > 0s);
        CHECK(a.maintenance > 0s);
        CHECK(a.unmonitored > 0s);
      }
    }
  }
}

TEST_CASE("coverage continues across a restart of the sqlite store and the gap is unmonitored") {
  TempDir dir;
  core::FakeClock clock{kT0};
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.clock = &clock;
  {
    auto store = SqliteResultStore::open(o);
    REQUIRE(store);
    write(**store, {{.run_id = 1, .scheduled = kT0, .success = false, .confirm_pending = true}});
  }
  {
    auto store = SqliteResultStore::open(o);
    REQUIRE(store);
    write(**store, {{.run_id = 1, .scheduled = kT0 + 5s, .success = false, .confirm = true},
                    {.run_id = 2, .scheduled = kT0 + 600s}});
  }
  auto store = SqliteResultStore::openReadOnly(o.path);
  REQUIRE(store);
  auto a = (*store)->windowAggregate(series("home"), kT0, kT0 + 660s, kT0 + 660s);
  REQUIRE(a);
  CHECK(a->covered == 180s);
  CHECK(a->downtime == 120s);
  CHECK(a->unmonitored == 480s);
  auto rolled = (*store)->rangeAggregate(kT0, kT0 + 660s, kT0 + 660s);
  REQUIRE(rolled);
  CHECK((*rolled)[0].covered == 180s);
  CHECK((*rolled)[0].downtime == 120s);
  CHECK((*rolled)[0].unmonitored == 480s);  // time after `now` is the future, not unmonitored
  CHECK_FALSE((*store)->enqueue(record({})));
}

TEST_CASE("a full queue refuses results without blocking and counts them as dropped") {
  TempDir dir;
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.queue_capacity = 10;
  o.max_batch = 1000;
  o.flush_interval = std::chrono::seconds{60};
  auto store = SqliteResultStore::open(o);
  REQUIRE(store);
  int accepted = 0;
  for (int i = 0; i < 15; ++i) accepted += (*store)->enqueue(record({.run_id = i, .scheduled = kT0 + i * 60s}));
  CHECK(accepted >= 10);
  CHECK((*store)->stats().dropped_total == static_cast<std::uint64_t>(15 - accepted));
  REQUIRE((*store)->flush());
  CHECK((*store)->stats().written_total == static_cast<std::uint64_t>(accepted));
  CHECK((*store)->integrityCheck().value() == "ok");
}

TEST_CASE("a cancelled run is never stored and is not counted as dropped") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0}});
  auto cancelled = record({.run_id = 2, .scheduled = kT0 + 60s, .success = false});
  cancelled.result.cancelled = true;
  cancelled.result.failure = core::FailureReason::None;
  CHECK_FALSE(s->store->enqueue(std::move(cancelled)));
  REQUIRE(s->store->flush());
  CHECK(s->store->stats().dropped_total == 0);
  CHECK(s->store->stats().written_total == 1);
  auto rows = s->store->lastResults(series("home"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].run_id == 1);
  // The open run still covers up to now: the cancelled run closed nothing.
  auto a = window(*s->store, series("home"), kT0, kT0 + 90s, kT0 + 90s);
  CHECK(a.runs == 1);
  CHECK(a.covered == 90s);
}

TEST_CASE("a saturated run is stored with its flag and stays out of latency figures") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.run_id = 1, .scheduled = kT0, .duration = 100ms},
                    {.run_id = 2, .scheduled = kT0 + 60s, .duration = 9s, .saturated = true},
                    {.run_id = 3, .scheduled = kT0 + 120s, .duration = 200ms},
                    {.run_id = 4, .scheduled = kT0 + 180s, .success = false, .saturated = true}});
  auto rows = s->store->lastResults(series("home"), 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 4);
  CHECK((*rows)[0].result.saturated);
  CHECK_FALSE((*rows)[1].result.saturated);
  CHECK((*rows)[2].result.saturated);
  CHECK_FALSE((*rows)[3].result.saturated);
  const auto now = kT0 + 240s;
  auto raw = window(*s->store, series("home"), kT0, kT0 + 1h, now);
  auto range = s->store->rangeAggregate(kT0, kT0 + 1h, now);
  REQUIRE(range);
  REQUIRE(range->size() == 1);
  for (const auto& a : {raw, (*range)[0]}) {
    CHECK(a.runs == 4);  // availability still counts them
    CHECK(a.failed == 1);
    CHECK(a.down_runs == 1);
    CHECK(a.latency_samples == 2);
    REQUIRE(a.p99);
    CHECK(*a.p99 <= 205ms);
  }
}

TEST_CASE("a failed run keeps the phases it completed") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  auto tls = record({.run_id = 1, .scheduled = kT0, .success = false, .reason = core::FailureReason::Tls});
  tls.result.message = "certificate has expired";
  tls.result.phases = core::Phases{1100us, 2300us, 0us, 0us, 0us};
  tls.result.duration = 4ms;
  REQUIRE(s->store->enqueue(std::move(tls)));
  REQUIRE(s->store->flush());
  auto rows = s->store->lastResults(series("home"), 1);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  const auto& r = (*rows)[0].result;
  CHECK(r.failure == core::FailureReason::Tls);
  CHECK(r.phases.resolve == 1100us);
  CHECK(r.phases.connect == 2300us);
  CHECK(r.phases.tls == 0us);
  CHECK(r.duration == 4ms);
}

TEST_CASE("scan streams the rows of its window ordered by series then time, and stops when asked") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  // Written interleaved across series; read back grouped by series.
  write(*s->store, {{.check = "search", .run_id = 1, .scheduled = kT0},
                    {.check = "home", .run_id = 2, .scheduled = kT0 + 10s},
                    {.check = "search", .run_id = 3, .scheduled = kT0 + 60s, .success = false,
                     .confirm_pending = true},
                    {.check = "search", .run_id = 3, .scheduled = kT0 + 65s, .success = false,
                     .confirm = true},
                    {.check = "home", .run_id = 4, .scheduled = kT0 + 70s},
                    {.check = "checkout", .step = "cart", .run_id = 5, .scheduled = kT0 + 30s},
                    {.check = "home", .run_id = 6, .scheduled = kT0 + 130s},
                    {.check = "search", .run_id = 7, .scheduled = kT0 + 120s}});
  std::vector<std::pair<std::string, std::int64_t>> seen;
  auto st = s->store->scan(kT0 + 10s, kT0 + 130s, [&](const StoredResult& r) {
    seen.emplace_back(r.series.key.check + (r.series.step.empty() ? "" : "/" + r.series.step), r.run_id);
    return true;
  });
  REQUIRE(st);
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"checkout/cart", 5}, {"home", 2}, {"home", 4}, {"search", 3}, {"search", 3}, {"search", 7}};
  CHECK(seen == expected);

  // The rows carry what lastResults gives.
  std::vector<StoredResult> confirm;
  REQUIRE(s->store->scan(kT0 + 65s, kT0 + 66s, [&](const StoredResult& r) {
    confirm.push_back(r);
    return true;
  }));
  REQUIRE(confirm.size() == 1);
  CHECK(confirm[0].confirm);
  CHECK(confirm[0].series == series("search"));
  CHECK(confirm[0].result.message == "request timed out after 10s");
  auto last = s->store->lastResults(series("search"), 10);
  REQUIRE(last);
  CHECK((*last)[1].counted_down == false);
  CHECK((*last)[2].counted_down == true);  // the run the confirm decided

  int visits = 0;
  REQUIRE(s->store->scan(kT0, kT0 + 1h, [&](const StoredResult&) { return ++visits < 3; }));
  CHECK(visits == 3);
  int none = 0;
  REQUIRE(s->store->scan(kT0 + 1h, kT0 + 2h, [&](const StoredResult&) { return ++none > 0; }));
  CHECK(none == 0);
}

TEST_CASE("latestPerSeries gives the newest rows of every series, newest first within a series") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  auto s = makeSubject(impl);
  INFO(impl);
  write(*s->store, {{.check = "search", .run_id = 1, .scheduled = kT0},
                    {.check = "home", .run_id = 2, .scheduled = kT0 + 10s},
                    {.check = "search", .run_id = 3, .scheduled = kT0 + 60s, .success = false,
                     .confirm_pending = true},
                    {.check = "search", .run_id = 3, .scheduled = kT0 + 65s, .success = false,
                     .confirm = true},
                    {.check = "home", .run_id = 4, .scheduled = kT0 + 70s},
                    {.check = "checkout", .step = "cart", .run_id = 5, .scheduled = kT0 + 30s}});
  auto latest = s->store->latestPerSeries(2);
  REQUIRE(latest);
  std::vector<std::tuple<std::string, std::int64_t, bool>> got;
  for (const auto& r : *latest) {
    got.emplace_back(r.series.key.check + (r.series.step.empty() ? "" : "/" + r.series.step), r.run_id,
                     r.confirm);
  }
  const std::vector<std::tuple<std::string, std::int64_t, bool>> expected = {
      {"checkout/cart", 5, false}, {"home", 4, false}, {"home", 2, false},
      {"search", 3, true},         {"search", 3, false}};
  CHECK(got == expected);
  // Timestamps are the original ones, so a restore shows when each run happened.
  CHECK((*latest)[1].scheduled == kT0 + 70s);
  CHECK((*latest)[3].result.started == kT0 + 65s);
  CHECK((*latest)[4].counted_down);
  auto record_back = toRunRecord((*latest)[4]);
  CHECK(record_back.key == core::CheckKey{"acme", "production", "search"});
  CHECK(record_back.run_id == 3);
  CHECK(record_back.confirm_pending);
  CHECK(s->store->latestPerSeries(0)->empty());
  auto all = s->store->latestPerSeries(100);
  REQUIRE(all);
  CHECK(all->size() == 6);
}
