// SloTracker: error budgets, burn rates per window and the multi-window multi-burn-rate tiers,
// driven by scripted run timelines (times are explicit; nothing sleeps).

#include "shopwatch/rules/slo.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string_view>

using namespace std::chrono_literals;
using shopwatch::core::Micros;
using shopwatch::core::SystemTime;
using shopwatch::rules::BurnBreach;
using shopwatch::rules::RunOutcome;
using shopwatch::rules::Severity;
using shopwatch::rules::SloSpec;
using shopwatch::rules::SloStatus;
using shopwatch::rules::SloTracker;
using shopwatch::rules::Target;

namespace {

// 1'800'000'000 s is a whole hour (and minute) after the epoch: windows start exactly at a bucket.
const SystemTime kT0{std::chrono::seconds{1'800'000'000}};

SloSpec sloSpec(double objective, Micros period = 24h * 30,
                std::optional<Micros> latency = std::nullopt) {
  SloSpec s;
  s.name = "checkout-availability";
  s.objective = objective;
  s.period = period;
  s.latency_threshold = latency;
  return s;
}

Target checkout() { return Target{{"acme", "production", "checkout"}, ""}; }

/// A decided scheduled run (a failure here is one whose confirm also failed, as judgeRun decides).
RunOutcome run(SystemTime at, bool down, Micros duration = 300ms) {
  RunOutcome o;
  o.at = at;
  o.decided = true;
  o.down = down;
  o.success = !down;
  o.latency_sample = !down;
  o.duration = duration;
  return o;
}

std::optional<double> burnAt(const SloStatus& st, std::string_view window) {
  for (const auto& b : st.burn_rates) {
    if (b.window == window) return b.value;
  }
  FAIL("no burn rate for window " << window);
  return std::nullopt;
}

/// Runs every minute for the `minutes` minutes before `now` (the newest at now − 1 min); `bad(k)`
/// says whether the run k minutes before now failed.
template <typename Bad>
void everyMinuteBefore(SloTracker& t, SystemTime now, int minutes, Bad bad) {
  for (int k = minutes; k >= 1; --k) t.add(run(now - std::chrono::minutes{k}, bad(k)));
}

}  // namespace

TEST_CASE("burn tiers are the SRE Workbook table and burn rates are exported for seven windows") {
  const auto& tiers = shopwatch::rules::burnTiers();
  REQUIRE(tiers[0].label == "1h/5m");
  CHECK(tiers[0].long_window == 1h);
  CHECK(tiers[0].short_window == 5min);
  CHECK(tiers[0].factor == 14.4);
  CHECK(tiers[0].severity == Severity::Critical);
  CHECK(tiers[1].label == "6h/30m");
  CHECK(tiers[1].factor == 6.0);
  CHECK(tiers[1].severity == Severity::Critical);
  CHECK(tiers[2].label == "3d/6h");
  CHECK(tiers[2].long_window == 72h);
  CHECK(tiers[2].factor == 1.0);
  CHECK(tiers[2].severity == Severity::Warning);
  CHECK(tiers[3].label == "1d/2h");
  CHECK(tiers[3].short_window == 2h);
  CHECK(tiers[3].factor == 3.0);
  CHECK(tiers[3].severity == Severity::Warning);
  std::string names;
  for (const auto& [name, window] : shopwatch::rules::burnRateWindows())
    names += std::string(name) + " ";
  CHECK(names == "5m 30m 1h 2h 6h 1d 3d ");
}

TEST_CASE("a 99.5 percent SLO over 30 days has a budget of 216 one-minute runs") {
  // 30 days of one-minute runs = 43,200 events; 0.5 % of them = 216 bad runs (216 minutes).
  const SystemTime now = kT0 + 24h * 30;
  auto tracker = [&](int bad_runs) {
    SloTracker t(sloSpec(0.995), checkout(), 1min);
    // The failures are spread evenly: every (43200 / bad_runs)-th run.
    const int every = bad_runs > 0 ? 43200 / bad_runs : 0;
    everyMinuteBefore(t, now, 43200, [&](int k) { return every > 0 && k % every == 0; });
    return t;
  };

  SECTION("no failure leaves the whole budget") {
    const SloStatus st = tracker(0).status(now);
    CHECK(st.events == 43200);
    CHECK(st.bad == 0);
    REQUIRE(st.budget_remaining);
    CHECK(*st.budget_remaining == Approx(1.0));
    CHECK(st.objective == 0.995);
    CHECK(st.slo == "checkout-availability");
    CHECK(st.target == checkout());
  }
  SECTION("108 failed runs spend half of it") {
    const SloStatus st = tracker(108).status(now);
    CHECK(st.events == 43200);
    CHECK(st.bad == 108);
    CHECK(*st.budget_remaining == Approx(0.5));
  }
  SECTION("216 failed runs spend all of it") {
    const SloStatus st = tracker(216).status(now);
    CHECK(st.bad == 216);
    CHECK(*st.budget_remaining == Approx(0.0).margin(1e-12));
  }
  SECTION("432 failed runs overspend it twice") {
    const SloStatus st = tracker(432).status(now);
    CHECK(st.bad == 432);
    CHECK(*st.budget_remaining == Approx(-1.0));
  }
  SECTION("the period starts at the hour containing now minus 30 days") {
    SloTracker t = tracker(0);
    CHECK(t.status(now + 59min).events == 43200);    // still from kT0's hour
    CHECK(t.status(now + 1h).events == 43200 - 60);  // kT0's hour has left the period
  }
}

TEST_CASE("an SLO without events has no budget figure and no burn rates") {
  SloTracker t(sloSpec(0.995), checkout(), 1min);
  const SloStatus st = t.status(kT0);
  CHECK(st.events == 0);
  CHECK_FALSE(st.budget_remaining);
  REQUIRE(st.burn_rates.size() == 7);
  for (const auto& b : st.burn_rates) CHECK_FALSE(b.value);
  CHECK_FALSE(st.breach);
}

TEST_CASE("burn rates are computed per window from the runs each window holds") {
  // 99 %: budget 0.01. One-minute runs for 3 days; failures at 1, 2, 20, 50, 100 and 300 minutes,
  // 20 hours and 2 days before now, so each longer window holds one more.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  everyMinuteBefore(t, now, 4320, [](int k) {
    return k == 1 || k == 2 || k == 20 || k == 50 || k == 100 || k == 300 || k == 20 * 60 ||
           k == 48 * 60;
  });
  const SloStatus st = t.status(now);
  CHECK(*burnAt(st, "5m") == Approx(2.0 / 5 / 0.01));     // 40
  CHECK(*burnAt(st, "30m") == Approx(3.0 / 30 / 0.01));   // 10
  CHECK(*burnAt(st, "1h") == Approx(4.0 / 60 / 0.01));    // 6.67
  CHECK(*burnAt(st, "2h") == Approx(5.0 / 120 / 0.01));   // 4.17
  CHECK(*burnAt(st, "6h") == Approx(6.0 / 360 / 0.01));   // 1.67
  CHECK(*burnAt(st, "1d") == Approx(7.0 / 1440 / 0.01));  // 0.486
  CHECK(*burnAt(st, "3d") == Approx(8.0 / 4320 / 0.01));  // 0.185
  CHECK(st.events == 4320);
  CHECK(st.bad == 8);
  CHECK(*st.budget_remaining == Approx(1.0 - 8.0 / 4320 / 0.01));
  CHECK_FALSE(st.breach);  // every long window is below its factor

  SECTION("a minute window ends at now's minute and starts at the minute containing now - w") {
    // 90 s later the 5m window is the minutes now-4m … now+1m: the run at now-5m has left it.
    const SloStatus later = t.status(now + 90s);
    CHECK(*burnAt(later, "5m") == Approx(2.0 / 4 / 0.01));
  }
}

TEST_CASE("the 1h/5m tier fires alone as critical on a sharp outage") {
  // 99 %: 9 failed one-minute runs in the last 9 minutes of 3 clean days. 1h: 9/60 = 0.15 > 0.144;
  // 5m: 5/5; 6h: 9/360 = 0.025 < 0.06, 1d and 3d far below their factors.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  everyMinuteBefore(t, now, 4320, [](int k) { return k <= 9; });
  const auto b = t.breach(now);
  REQUIRE(b);
  CHECK(b->tier->label == "1h/5m");
  CHECK(b->tier->severity == Severity::Critical);
  CHECK(b->long_burn == Approx(15.0));
  CHECK(b->short_burn == Approx(100.0));
  CHECK(b->short_window == 5min);
  CHECK(t.status(now).breach->tier == b->tier);

  SECTION("one failure fewer is below 14.4 over the hour and nothing fires") {
    SloTracker u(sloSpec(0.99), checkout(), 1min);
    everyMinuteBefore(u, now, 4320, [](int k) { return k <= 8; });  // 8/60 = 0.133
    CHECK_FALSE(u.breach(now));
  }
}

TEST_CASE("the 6h/30m tier fires alone as critical on a steady burn") {
  // 99 %: one failed run every 10 minutes over the last 6 hours: 6h 36/360 = 0.1 > 0.06,
  // 30m 3/30 = 0.1 > 0.06; the 1h window 6/60 = 0.1 < 0.144; 1d 36/1440 < 0.03; 3d 36/4320 < 0.01.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  everyMinuteBefore(t, now, 4320, [](int k) { return k <= 360 && k % 10 == 5; });
  const auto b = t.breach(now);
  REQUIRE(b);
  CHECK(b->tier->label == "6h/30m");
  CHECK(b->tier->severity == Severity::Critical);
  CHECK(b->long_burn == Approx(10.0));
  CHECK(b->short_burn == Approx(10.0));
  CHECK(b->short_window == 30min);
}

TEST_CASE("the 3d/6h tier fires alone as a warning on a slow burn") {
  // 99 %: one failed run every 50 minutes for 3 days: 3d 86/4320 = 0.0199 > 0.01, 6h 7/360 > 0.01;
  // 1d 29/1440 = 0.0201 < 0.03, and the critical tiers far below.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  everyMinuteBefore(t, now, 4320, [](int k) { return k % 50 == 25; });
  const auto b = t.breach(now);
  REQUIRE(b);
  CHECK(b->tier->label == "3d/6h");
  CHECK(b->tier->severity == Severity::Warning);
  CHECK(b->long_burn == Approx(86.0 / 4320 / 0.01));
  CHECK(b->short_burn == Approx(7.0 / 360 / 0.01));
  CHECK(b->short_window == 6h);
}

TEST_CASE("the 1d/2h tier fires alone as a warning when the 3d window is well below budget") {
  // 99 %: one failed run every 25 minutes over the last day: 1d 58/1440 = 0.040 > 0.03, 2h 5/120 =
  // 0.042 > 0.03. Two days ago a rollup hour of 100,000 good events keeps 3d at 58/104320 < 0.01.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  t.addHour(now - 60h, 100'000, 0);
  everyMinuteBefore(t, now, 4320, [](int k) { return k <= 1440 && k % 25 == 12; });
  const auto b = t.breach(now);
  REQUIRE(b);
  CHECK(b->tier->label == "1d/2h");
  CHECK(b->tier->severity == Severity::Warning);
  CHECK(b->long_burn == Approx(58.0 / 1440 / 0.01));
  CHECK(b->short_burn == Approx(5.0 / 120 / 0.01));

  SECTION("without the padding both warning tiers hold and the first in table order wins") {
    SloTracker u(sloSpec(0.99), checkout(), 1min);
    everyMinuteBefore(u, now, 4320, [](int k) { return k <= 1440 && k % 25 == 12; });
    REQUIRE(u.breach(now));
    CHECK(u.breach(now)->tier->label == "3d/6h");
  }
}

TEST_CASE("a critical tier wins over a warning tier that also holds") {
  // 99 %: 3 clean days, then every run of the last 30 minutes failed: every tier holds.
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  everyMinuteBefore(t, now, 4320, [](int k) { return k <= 30; });
  const auto b = t.breach(now);
  REQUIRE(b);
  CHECK(b->tier->label == "1h/5m");
  CHECK(b->tier->severity == Severity::Critical);
}

TEST_CASE("one failed run of a 5-minute journey never pages and two within the hour do") {
  // 99.5 % over 30 days; a journey every 5 minutes for two clean days, then one failed run at F.
  const SystemTime f = kT0 + 48h;
  SloTracker t(sloSpec(0.995), checkout(), 5min);
  for (SystemTime at = kT0; at < f; at += 5min) t.add(run(at, false));
  t.add(run(f, true));

  // One minute after F: the hour holds 12 runs (F-55m … F), 1 bad: 8.3 % = 16.7x the budget, above
  // 14.4; the short window stretched to 15 minutes holds 3 runs (F-10m, F-5m, F) — but one bad run
  // is not enough for any tier.
  const SloStatus st = t.status(f + 1min);
  CHECK(*burnAt(st, "1h") == Approx(1.0 / 12 / 0.005));
  CHECK_FALSE(st.breach);
  for (SystemTime at = f + 5min; at <= f + 3h; at += 5min) {
    t.add(run(at, false));
    INFO("minutes after the failure: " << (at - f) / 1min);
    CHECK_FALSE(t.breach(at + 1min));
  }

  SECTION("a second failure 15 minutes later pages: critical on the 1h/5m tier") {
    SloTracker u(sloSpec(0.995), checkout(), 5min);
    for (SystemTime at = kT0; at < f; at += 5min) u.add(run(at, false));
    u.add(run(f, true));
    u.add(run(f + 5min, false));
    u.add(run(f + 10min, false));
    CHECK_FALSE(u.breach(f + 11min));
    u.add(run(f + 15min, true));
    // 1h (F-44m … F+16m): 12 runs (F-40m … F+15m), 2 bad; 15m (F+1m … F+16m): 3 runs, 1 bad.
    const auto b = u.breach(f + 16min);
    REQUIRE(b);
    CHECK(b->tier->label == "1h/5m");
    CHECK(b->tier->severity == Severity::Critical);
    CHECK(b->long_burn == Approx(2.0 / 12 / 0.005));
    CHECK(b->short_burn == Approx(1.0 / 3 / 0.005));
    CHECK(b->short_window == 15min);
  }
}

TEST_CASE("a tier needs at least two bad events in its long window") {
  // A check that has only just started: three runs, one bad, is a third of the events — far above
  // every factor, yet one bad run never fires.
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  t.add(run(kT0, false));
  t.add(run(kT0 + 1min, true));
  t.add(run(kT0 + 2min, false));
  const SloStatus st = t.status(kT0 + 2min + 30s);
  CHECK(*burnAt(st, "5m") == Approx(1.0 / 3 / 0.01));
  CHECK(*burnAt(st, "1h") == Approx(1.0 / 3 / 0.01));
  CHECK_FALSE(st.breach);
  t.add(run(kT0 + 3min, true));
  const auto b = t.breach(kT0 + 3min + 30s);
  REQUIRE(b);
  CHECK(b->tier->label == "1h/5m");
  CHECK(b->long_burn == Approx(2.0 / 4 / 0.01));
}

TEST_CASE("the short window is stretched to cover three runs of a slow check") {
  // Two failed runs, then one good run, of a 5-minute check. The plain 5m window (F-4m … F+1m)
  // holds only the good run; stretched to 15 minutes it holds all three, so the page does not reset
  // on the first good run.
  const SystemTime f = kT0 + 6h;
  auto feed = [&](SloTracker& t) {
    for (SystemTime at = kT0; at < f - 10min; at += 5min) t.add(run(at, false));
    t.add(run(f - 10min, true));
    t.add(run(f - 5min, true));
    t.add(run(f, false));
  };
  SloTracker slow(sloSpec(0.995), checkout(), 5min);
  feed(slow);
  const auto b = slow.breach(f + 1min);
  REQUIRE(b);
  CHECK(b->tier->label == "1h/5m");
  CHECK(b->short_window == 15min);
  CHECK(b->short_burn == Approx(2.0 / 3 / 0.005));
  CHECK(*burnAt(slow.status(f + 1min), "5m") == Approx(0.0));

  SECTION("the same runs judged with a 1-minute interval keep the 5m window and do not page") {
    // 1h/5m: the 5m window holds only the good run. 6h/30m: 2 of 72 runs = 5.6x < 6. Only the
    // ticket tier 3d/6h holds (2 of 73 runs over the 3 days, 5.5x > 1).
    SloTracker fast(sloSpec(0.995), checkout(), 1min);
    feed(fast);
    const auto c = fast.breach(f + 1min);
    REQUIRE(c);
    CHECK(c->tier->label == "3d/6h");
    CHECK(c->tier->severity == Severity::Warning);
  }
  SECTION("a 30-minute interval stretches every short window to 90 minutes") {
    SloTracker slower(sloSpec(0.995), checkout(), 30min);
    feed(slower);
    const auto c = slower.breach(f + 1min);
    REQUIRE(c);
    CHECK(c->short_window == 90min);
  }
}

TEST_CASE("with a latency threshold a slow passing run is a bad event") {
  SloTracker t(sloSpec(0.995, 24h * 30, Micros{2s}), checkout(), 1min);
  t.add(run(kT0, false, 2500ms));        // slow: bad
  t.add(run(kT0 + 1min, false, 2s));     // exactly the threshold: good
  t.add(run(kT0 + 2min, false, 300ms));  // good
  RunOutcome confirm = run(kT0 + 3min, false, 4s);
  confirm.confirm = true;  // a passing confirm decides its run up; never a latency event
  t.add(confirm);
  RunOutcome failed = run(kT0 + 4min, true, 300ms);
  t.add(failed);  // down: bad
  SloStatus st = t.status(kT0 + 5min);
  CHECK(st.events == 5);
  CHECK(st.bad == 2);

  SloTracker plain(sloSpec(0.995), checkout(), 1min);
  plain.add(run(kT0, false, 2500ms));
  CHECK(plain.status(kT0 + 1min).bad == 0);
}

TEST_CASE("undecided runs and runs in maintenance are not events") {
  SloTracker t(sloSpec(0.995), checkout(), 1min);
  RunOutcome awaiting = run(kT0, true);
  awaiting.decided = false;  // a scheduled failure waiting for its confirm
  t.add(awaiting);
  RunOutcome in_maintenance = run(kT0 + 1min, true);
  in_maintenance.maintenance = true;
  t.add(in_maintenance);
  CHECK(t.status(kT0 + 2min).events == 0);
  CHECK_FALSE(t.status(kT0 + 2min).budget_remaining);

  RunOutcome confirm_failed = run(kT0, true);
  confirm_failed.confirm = true;  // the confirm of the first run failed too: its run is down
  t.add(confirm_failed);
  const SloStatus st = t.status(kT0 + 2min);
  CHECK(st.events == 1);
  CHECK(st.bad == 1);
}

TEST_CASE("events older than the period are dropped") {
  SloTracker t(sloSpec(0.995, 24h), checkout(), 1min);  // a 1-day period
  t.add(run(kT0, true));
  CHECK(t.status(kT0 + 24h).bad == 1);  // from the hour containing kT0: still in
  CHECK(t.status(kT0 + 24h + 59min).bad == 1);
  CHECK(t.status(kT0 + 25h).events == 0);  // its hour has left the period
  CHECK_FALSE(t.status(kT0 + 25h).breach);

  t.add(run(kT0 + 30h, false));
  t.add(run(kT0, true));  // older than the hour ring now holds: dropped, not counted anywhere
  CHECK(t.status(kT0 + 30h + 1min).events == 1);
  CHECK(t.status(kT0 + 30h + 1min).bad == 0);
  CHECK(t.status(kT0 + 1min).events == 0);  // the ring moved on: kT0's buckets were reused
}

TEST_CASE("runs added out of order within the ring count the same") {
  const SystemTime now = kT0 + 12h;
  SloTracker forward(sloSpec(0.99), checkout(), 1min);
  SloTracker backward(sloSpec(0.99), checkout(), 1min);
  for (int k = 720; k >= 1; --k) forward.add(run(now - std::chrono::minutes{k}, k % 7 == 0));
  for (int k = 1; k <= 720; ++k) backward.add(run(now - std::chrono::minutes{k}, k % 7 == 0));
  const SloStatus a = forward.status(now);
  const SloStatus b = backward.status(now);
  CHECK(a.events == b.events);
  CHECK(a.bad == b.bad);
  for (std::size_t i = 0; i < a.burn_rates.size(); ++i) {
    CHECK(a.burn_rates[i].value == b.burn_rates[i].value);
  }
}

TEST_CASE("rollup hours count in windows longer than 6 hours only") {
  const SystemTime now = kT0 + 72h;
  SloTracker t(sloSpec(0.99), checkout(), 1min);
  t.addHour(now - 2h, 100, 10);
  const SloStatus st = t.status(now);
  for (std::string_view w : {"5m", "30m", "1h", "2h", "6h"}) {
    INFO(w);
    CHECK_FALSE(burnAt(st, w));
  }
  CHECK(*burnAt(st, "1d") == Approx(0.1 / 0.01));
  CHECK(*burnAt(st, "3d") == Approx(0.1 / 0.01));
  CHECK(st.events == 100);
  CHECK(st.bad == 10);
  CHECK(*st.budget_remaining == Approx(1.0 - 10.0));
  CHECK_FALSE(st.breach);  // every tier's short window is a minute window, and it is empty
}

TEST_CASE("a 30-day SLO tracker holds about 8.5 KiB") {
  SloTracker t(sloSpec(0.995), checkout(), 1min);
  const std::size_t buckets = (361 + 721) * 8;  // minute + hour buckets of two 32-bit counts
  CHECK(t.memoryBytes() >= buckets);
  CHECK(t.memoryBytes() < buckets + 1024);
  CHECK(100 * t.memoryBytes() < 1024 * 1024);  // 100 such SLOs: under 1 MiB of the 25 MB budget
}
