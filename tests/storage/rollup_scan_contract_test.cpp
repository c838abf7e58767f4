// scanRollups: the hourly rollup rows (start-up restore of long windows), one contract for both
// stores. MemoryResultStore computes the figures from its rows; SqliteResultStore reads what the
// writer rolled up incrementally. Same runs in, same RollupHour figures out.
#include <catch2/catch.hpp>
#include <array>
#include <memory>
#include <random>

#include "shopwatch/storage/latency_histogram.h"
#include "shopwatch/storage/memory_result_store.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

struct Subject {
  std::unique_ptr<TempDir> dir;
  core::FakeClock clock{kT0};
  std::unique_ptr<ResultStore> store;
};

std::unique_ptr<Subject> makeSubject(const std::string& name) {
  auto s = std::make_unique<Subject>();
  if (name == "sqlite") {
    s->dir = std::make_unique<TempDir>();
    StoreOptions o;
    o.path = s->dir->path() / "agent.db";
    o.clock = &s->clock;
    o.flush_interval = std::chrono::seconds{60};
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

std::vector<RollupHour> scanAll(ResultStore& store, core::SystemTime from, core::SystemTime to) {
  std::vector<RollupHour> out;
  auto st = store.scanRollups(from, to, [&](const RollupHour& h) {
    out.push_back(h);
    return true;
  });
  REQUIRE(st);
  return out;
}

using Buckets = std::vector<std::pair<core::Micros, std::uint64_t>>;

core::Micros rep(core::Micros v) {
  return LatencyHistogram::bucketValue(LatencyHistogram::bucketOf(v));
}

std::string describe(const RollupHour& h) {
  std::string s = h.series.key.path() + "/" + h.series.step + " @" +
                  std::to_string((core::toMicros(h.hour) - core::toMicros(kT0)) / 3'600'000'000) +
                  "h runs=" + std::to_string(h.runs) + " failed=" + std::to_string(h.failed) +
                  " down=" + std::to_string(h.down_runs) +
                  " covered=" + std::to_string(h.covered.count()) +
                  " maint=" + std::to_string(h.maintenance.count()) +
                  " downtime=" + std::to_string(h.downtime.count()) +
                  " unmonitored=" + std::to_string(h.unmonitored.count()) + " phases=";
  for (auto p : h.phase_sum) s += std::to_string(p.count()) + ",";
  s += " latency=";
  for (const auto& [v, n] : h.latency)
    s += std::to_string(v.count()) + "x" + std::to_string(n) + " ";
  return s;
}

void checkSame(const std::vector<RollupHour>& a, const std::vector<RollupHour>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("row " << i << ": " << describe(a[i]) << " vs " << describe(b[i]));
    CHECK(a[i].series == b[i].series);
    CHECK(a[i].hour == b[i].hour);
    CHECK(a[i].runs == b[i].runs);
    CHECK(a[i].failed == b[i].failed);
    CHECK(a[i].down_runs == b[i].down_runs);
    CHECK(a[i].covered == b[i].covered);
    CHECK(a[i].maintenance == b[i].maintenance);
    CHECK(a[i].downtime == b[i].downtime);
    CHECK(a[i].unmonitored == b[i].unmonitored);
    CHECK(a[i].phase_sum == b[i].phase_sum);
    CHECK(a[i].latency == b[i].latency);
  }
}

// Three hours of two checks and a journey step: confirms, a gap, maintenance, a saturated run, a
// superseded row, coverage crossing hour boundaries and an hour holding only a confirm row.
const std::vector<Run> kTimeline = {
    {.run_id = 1, .scheduled = kT0 + 3000s, .duration = 100ms},
    {.run_id = 2, .scheduled = kT0 + 3060s, .success = false, .confirm_pending = true},
    {.run_id = 2, .scheduled = kT0 + 3065s, .success = false, .confirm = true},
    {.run_id = 3, .scheduled = kT0 + 3120s, .duration = 200ms},
    // r3 covers 120 s (2 × interval), then unmonitored up to r4.
    {.run_id = 4, .scheduled = kT0 + 3570s, .success = false, .reason = core::FailureReason::Dns},
    {.run_id = 5, .scheduled = kT0 + 3630s, .in_maintenance = true, .duration = 300ms},
    {.run_id = 6, .scheduled = kT0 + 3690s, .duration = 5s, .saturated = true},
    {.run_id = 7, .scheduled = kT0 + 7300s, .duration = 100ms},
    {.run_id = 8, .scheduled = kT0 + 7250s, .success = false},  // superseded: counts for nothing
    {.check = "checkout",
     .step = "cart",
     .run_id = 20,
     .scheduled = kT0 + 3700s,
     .duration = 150ms},
    {.check = "checkout",
     .step = "cart",
     .run_id = 21,
     .scheduled = kT0 + 3760s,
     .duration = 150ms},
    {.check = "api",
     .run_id = 30,
     .scheduled = kT0 + 3590s,
     .success = false,
     .confirm_pending = true},
    {.check = "api", .run_id = 30, .scheduled = kT0 + 3605s, .success = false, .confirm = true},
};

// The phase sums of latency samples with these durations (storage_test_support.h's record() gives
// every run the phases 1.2 ms, 3.4 ms, 15 ms, duration / 2, 2 ms).
std::array<core::Micros, 5> phaseSums(const std::vector<core::Micros>& durations) {
  std::array<core::Micros, 5> out{};
  for (auto d : durations) {
    out[0] += 1200us;
    out[1] += 3400us;
    out[2] += 15000us;
    out[3] += d / 2;
    out[4] += 2000us;
  }
  return out;
}

}  // namespace

TEST_CASE("rollup hours carry runs, failures, covered time, maintenance, downtime and latency") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  INFO(impl);
  auto s = makeSubject(impl);
  write(*s->store, kTimeline);
  auto rows = scanAll(*s->store, kT0, kT0 + 3h);
  for (const auto& r : rows) UNSCOPED_INFO(describe(r));
  REQUIRE(rows.size() == 6);

  // Series in SeriesKey order (api, checkout/cart, home), hours ascending within each.
  CHECK(rows[0].series == series("api"));
  CHECK(rows[0].hour == kT0);
  CHECK(rows[0].runs == 1);
  CHECK(rows[0].failed == 1);
  CHECK(rows[0].down_runs == 1);  // its confirm failed too
  CHECK(rows[0].covered == 0s);   // the open last run: not rolled up yet
  CHECK(rows[0].latency.empty());
  CHECK(rows[0].unmonitored == 0s);
  CHECK(rows[0].phase_sum == phaseSums({}));  // a failure is no latency sample
  // The hour holding only the confirm row exists (as the writer's row does), with nothing to show.
  CHECK(rows[1].series == series("api"));
  CHECK(rows[1].hour == kT0 + 1h);
  CHECK(rows[1].runs == 0);
  CHECK(rows[1].covered == 0s);

  CHECK(rows[2].series == series("checkout", "cart"));
  CHECK(rows[2].hour == kT0 + 1h);
  CHECK(rows[2].runs == 2);
  CHECK(rows[2].covered == 60s);
  CHECK(rows[2].latency == Buckets{{rep(150ms), 2}});
  CHECK(rows[2].unmonitored == 0s);
  CHECK(rows[2].phase_sum == phaseSums({150ms, 150ms}));

  const auto& h0 = rows[3];
  CHECK(h0.series == series("home"));
  CHECK(h0.hour == kT0);
  CHECK(h0.runs == 4);
  CHECK(h0.failed == 2);
  CHECK(h0.down_runs == 2);
  CHECK(h0.covered == 60s + 60s + 120s + 30s);
  CHECK(h0.maintenance == 0s);
  CHECK(h0.downtime == 60s + 30s);
  CHECK(h0.latency == Buckets{{rep(100ms), 1}, {rep(200ms), 1}});
  CHECK(h0.unmonitored == 330s);  // r3's 2 × interval ends at 3240 s, r4 starts at 3570 s
  CHECK(h0.phase_sum == phaseSums({100ms, 200ms}));

  const auto& h1 = rows[4];
  CHECK(h1.hour == kT0 + 1h);
  CHECK(h1.runs == 2);
  CHECK(h1.failed == 0);
  CHECK(h1.down_runs == 0);
  CHECK(h1.covered == 30s + 60s + 120s);
  CHECK(h1.maintenance == 60s);
  CHECK(h1.downtime == 30s);
  CHECK(h1.latency == Buckets{{rep(300ms), 1}});  // the saturated run is no sample
  CHECK(h1.unmonitored == 3390s);                  // r6 covers up to 3810 s, r7 starts at 7300 s
  CHECK(h1.phase_sum == phaseSums({300ms}));       // the maintenance run is a sample, r6 is not

  const auto& h2 = rows[5];
  CHECK(h2.hour == kT0 + 2h);
  CHECK(h2.runs == 1);
  CHECK(h2.failed == 0);  // the superseded failure counts for nothing
  CHECK(h2.covered == 0s);
  CHECK(h2.latency == Buckets{{rep(100ms), 1}});
  CHECK(h2.unmonitored == 100s);  // the rest of the gap before r7, in r7's hour
  CHECK(h2.phase_sum == phaseSums({100ms}));
}

TEST_CASE("a rollup scan covers whole hours from its start up to its end and can stop early") {
  auto impl = GENERATE(as<std::string>{}, "sqlite", "memory");
  INFO(impl);
  auto s = makeSubject(impl);
  write(*s->store, kTimeline);
  // From inside hour 0 (it is included), to the start of hour 2 (excluded).
  auto rows = scanAll(*s->store, kT0 + 30min, kT0 + 2h);
  REQUIRE(rows.size() == 5);
  CHECK(rows[4].series == series("home"));
  CHECK(rows[4].hour == kT0 + 1h);
  // One microsecond into hour 2 takes it in.
  CHECK(scanAll(*s->store, kT0 + 1h + 59min, kT0 + 2h + 1us).size() == 4);
  CHECK(scanAll(*s->store, kT0 + 3h, kT0 + 4h).empty());
  CHECK(scanAll(*s->store, core::SystemTime::min(), core::SystemTime::max()).size() == 6);

  int visited = 0;
  REQUIRE(s->store->scanRollups(kT0, kT0 + 3h, [&](const RollupHour&) { return ++visited < 2; }));
  CHECK(visited == 2);
}

TEST_CASE("both stores give the same rollup hours for the same random timeline") {
  std::mt19937 rng(GENERATE(1u, 2u, 3u, 4u));
  auto sqlite = makeSubject("sqlite");
  auto memory = makeSubject("memory");
  std::vector<Run> runs;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"home", ""}, {"checkout", "pay"}, {"search", ""}};
  for (const auto& [check, step] : names) {
    auto t = kT0 + std::chrono::seconds{rng() % 3600};
    std::int64_t id = 0;
    for (int i = 0; i < 400; ++i) {
      const auto interval = std::chrono::seconds{30 + 30 * static_cast<int>(rng() % 3)};
      Run r{.check = check, .step = step, .run_id = ++id, .scheduled = t, .interval = interval};
      const auto roll = rng() % 100;
      r.success = roll >= 20;
      r.reason = r.success ? core::FailureReason::None : core::FailureReason::Connect;
      r.confirm_pending = !r.success && rng() % 2 == 0;
      r.in_maintenance = rng() % 10 == 0;
      r.saturated = rng() % 15 == 0;
      r.duration = std::chrono::milliseconds{20 + static_cast<int>(rng() % 3000)};
      runs.push_back(r);
      if (r.confirm_pending && rng() % 4 != 0) {
        Run c = r;
        c.confirm = true;
        c.confirm_pending = false;
        c.scheduled = t + 5s;
        c.success = rng() % 2 == 0;
        runs.push_back(c);
      }
      if (rng() % 40 == 0) {  // a backward clock step: a superseded row
        Run back = r;
        back.run_id = ++id;
        back.confirm_pending = false;
        back.scheduled = t - std::chrono::seconds{1 + rng() % 100};
        runs.push_back(back);
      }
      // Mostly on time, sometimes late, sometimes a long gap (agent stopped).
      const auto gap = rng() % 20 == 0 ? std::chrono::seconds{rng() % 7200} : interval;
      t += gap + std::chrono::milliseconds{rng() % 900};
    }
  }
  write(*sqlite->store, runs);
  write(*memory->store, runs);
  const auto from = kT0 + 2h + 17min;
  const auto to = kT0 + 20h;
  auto a = scanAll(*sqlite->store, from, to);
  auto b = scanAll(*memory->store, from, to);
  REQUIRE(a.size() > 20);
  checkSame(a, b);

  // The hours add up to what rangeAggregate reports over the same whole hours.
  auto range = sqlite->store->rangeAggregate(from, to, kT0 + 30h);
  REQUIRE(range);
  for (const auto& agg : *range) {
    std::int64_t runs_sum = 0;
    std::int64_t failed_sum = 0;
    std::int64_t down_sum = 0;
    std::uint64_t samples = 0;
    core::Micros processing{0};
    for (const auto& h : a) {
      if (h.series != agg.series) continue;
      runs_sum += h.runs;
      failed_sum += h.failed;
      down_sum += h.down_runs;
      std::int64_t hour_samples = 0;
      for (const auto& [v, n] : h.latency) hour_samples += static_cast<std::int64_t>(n);
      samples += static_cast<std::uint64_t>(hour_samples);
      processing += h.phase_sum[3];
      CHECK(h.phase_sum[0] == hour_samples * 1200us);  // every sample's resolve is 1.2 ms
    }
    CHECK(processing > 0us);
    CHECK(runs_sum == agg.runs);
    CHECK(failed_sum == agg.failed);
    CHECK(down_sum == agg.down_runs);
    CHECK(static_cast<std::int64_t>(samples) == agg.latency_samples);
  }
}

TEST_CASE("a histogram lists its buckets' representatives and counts in ascending order") {
  LatencyHistogram h;
  h.add(200ms, 3);
  h.add(50us);
  h.add(201ms);  // same bucket as 200 ms
  h.add(2s);
  Buckets seen;
  h.forEach([&](core::Micros v, std::uint64_t n) { seen.emplace_back(v, n); });
  CHECK(seen == Buckets{{50us, 1}, {rep(200ms), 4}, {rep(2s), 1}});
  LatencyHistogram decoded;
  REQUIRE(decoded.mergeEncoded(h.encode()));
  Buckets again;
  decoded.forEach([&](core::Micros v, std::uint64_t n) { again.emplace_back(v, n); });
  CHECK(again == seen);
}
