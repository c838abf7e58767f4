#include <catch2/catch.hpp>
#include <optional>
#include <string>

// KpiWindow is private to shopwatch::rules (rules/src); its unit tests reach it directly.
#include "kpi_window.h"
#include "shopwatch/core/accounting.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/run_outcome.h"

using namespace shopwatch;
using namespace shopwatch::rules;
using namespace std::chrono_literals;
using detail::KpiWindow;

namespace {

const core::SystemTime t0{std::chrono::seconds{1'800'000'000}};

/// One run of acme/home (interval 60 s, confirm on), as the runtime would hand it over.
struct Run {
  core::SystemTime at{};
  std::int64_t id = 0;
  bool success = true;
  core::Micros duration = 100ms;
  bool confirm_pending = false;  ///< a failure that waits for its confirm re-check
  bool maintenance = false;
  bool saturated = false;
  std::optional<core::SystemTime> cert{};
};

core::RunRecord recordOf(const Run& run) {
  core::RunRecord r;
  r.key = core::CheckKey{"acme", "production", "home"};
  r.run_id = run.id;
  r.interval = 60s;
  r.scheduled = run.at;
  r.confirm_pending = !run.success && run.confirm_pending;
  r.in_maintenance = run.maintenance;
  r.result.success = run.success;
  r.result.duration = run.duration;
  r.result.phases.processing = run.duration / 2;
  r.result.saturated = run.saturated;
  r.result.cert_not_after = run.cert;
  return r;
}

RunOutcome outcome(const Run& run) {
  const auto record = recordOf(run);
  return outcomeOf(record, core::judgeRun(record));
}

/// The confirm re-check of run `id` (scheduled at `at`).
RunOutcome confirmOf(core::SystemTime at, std::int64_t id, bool success) {
  auto record = recordOf(Run{at, id, success});
  record.confirm = true;
  record.confirm_pending = false;
  return outcomeOf(record, core::judgeRun(record));
}

Expr expr(std::string_view text) { return parseExpr(text).value(); }

std::optional<double> kpi(const KpiWindow& w, std::string_view text, core::Micros window,
                          core::SystemTime now) {
  return w.value(expr(text), window, now);
}

core::SystemTime at(int seconds) { return t0 + std::chrono::seconds{seconds}; }

}  // namespace

TEST_CASE("a run outcome carries what the accounting decided") {
  Run run{at(60), 7, true, 250ms};
  run.cert = at(86'400);
  const RunOutcome ok = outcome(run);
  CHECK(ok.at == at(60));
  CHECK(ok.run_id == 7);
  CHECK(ok.interval == 60s);
  CHECK_FALSE(ok.confirm);
  CHECK(ok.counts);
  CHECK(ok.decided);
  CHECK_FALSE(ok.down);
  CHECK(ok.success);
  CHECK(ok.latency_sample);
  CHECK(ok.duration == 250ms);
  CHECK(ok.ttfb == 125ms);
  CHECK(ok.cert_not_after == at(86'400));

  const RunOutcome awaiting = outcome(Run{at(120), 8, false, 1s, true});
  CHECK_FALSE(awaiting.decided);
  CHECK_FALSE(awaiting.down);
  CHECK_FALSE(awaiting.success);
  CHECK_FALSE(awaiting.latency_sample);

  const RunOutcome failed_confirm = confirmOf(at(120), 8, false);
  CHECK(failed_confirm.confirm);
  CHECK(failed_confirm.at == at(120));
  CHECK(failed_confirm.decided);
  CHECK(failed_confirm.down);
  CHECK_FALSE(failed_confirm.latency_sample);

  Run maintained{at(180), 9, false};
  maintained.maintenance = true;
  const RunOutcome in_maintenance = outcome(maintained);
  CHECK(in_maintenance.maintenance);
  CHECK(in_maintenance.down);

  Run saturated{at(240), 10};
  saturated.saturated = true;
  CHECK_FALSE(outcome(saturated).latency_sample);

  auto cancelled = recordOf(Run{at(300), 11, false});
  cancelled.result.cancelled = true;
  const RunOutcome cut = outcomeOf(cancelled, core::judgeRun(cancelled));
  CHECK_FALSE(cut.counts);
  CHECK_FALSE(cut.decided);
  CHECK_FALSE(cut.down);
}

TEST_CASE("availability is time-weighted and leaves gaps longer than two intervals out") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));
  w.add(outcome(Run{at(60), 2}));
  w.add(outcome(Run{at(120), 3}));         // covers [120, 240): the rest of the gap is unmonitored
  w.add(outcome(Run{at(600), 4, false}));  // confirm off: down at once
  w.add(outcome(Run{at(660), 5}));

  // Covered 60 + 60 + 120 + 60 + 60 = 360 s, of which 60 s down.
  CHECK(kpi(w, "availability < 100%", 15min, at(720)).value() == Approx(300.0 / 360.0));
  CHECK(kpi(w, "error_rate > 0", 15min, at(720)).value() == Approx(0.2));
  // A 5-minute window [420, 720): the down run and the newest one.
  CHECK(kpi(w, "availability < 100%", 5min, at(720)).value() == Approx(0.5));
  // The newest run covers at most 2 × interval: [660, 780) by 900.
  CHECK(kpi(w, "availability < 100%", 5min, at(900)).value() == Approx(120.0 / 180.0));
  // A window starting inside a run's slot counts only the part inside: [630, 720) → 30 s down
  // of 90.
  CHECK(kpi(w, "availability < 100%", 90s, at(720)).value() == Approx(60.0 / 90.0));
}

TEST_CASE("a failed confirm turns its run down, until then the run is up and undecided") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));
  w.add(outcome(Run{at(60), 2, false, 1s, /*confirm_pending=*/true}));

  CHECK(kpi(w, "availability < 100%", 15min, at(70)).value() == 1.0);
  CHECK(kpi(w, "error_rate > 0", 15min, at(70)).value() == 0.0);  // 0 of 1 decided
  CHECK(kpi(w, "failure_streak >= 1", 15min, at(70)).value() == 0.0);
  CHECK(kpi(w, "success_streak >= 1", 15min, at(70)).value() == 1.0);

  w.add(confirmOf(at(60), 2, false));
  CHECK(w.samples() == 2);  // a confirm row is not a run of its own
  CHECK(kpi(w, "availability < 100%", 15min, at(70)).value() == Approx(60.0 / 70.0));
  CHECK(kpi(w, "error_rate > 0", 15min, at(70)).value() == 0.5);
  CHECK(kpi(w, "failure_streak >= 1", 15min, at(70)).value() == 1.0);
  CHECK(kpi(w, "success_streak >= 1", 15min, at(70)).value() == 0.0);

  // A second confirm for the same run changes nothing.
  w.add(confirmOf(at(60), 2, true));
  CHECK(kpi(w, "error_rate > 0", 15min, at(70)).value() == 0.5);

  w.add(outcome(Run{at(120), 3}));
  CHECK(kpi(w, "availability < 100%", 15min, at(150)).value() == Approx(90.0 / 150.0));
  CHECK(kpi(w, "success_streak >= 1", 15min, at(150)).value() == 1.0);
}

TEST_CASE("a passing confirm keeps its run up") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));
  w.add(outcome(Run{at(60), 2, false, 1s, true}));
  w.add(confirmOf(at(60), 2, true));

  CHECK(kpi(w, "availability < 100%", 15min, at(120)).value() == 1.0);
  CHECK(kpi(w, "error_rate > 0", 15min, at(120)).value() == 0.0);  // 0 of 2 decided
  CHECK(kpi(w, "success_streak >= 1", 15min, at(120)).value() == 2.0);
  // The failed scheduled row is no latency sample: only run 1 is timed.
  CHECK(kpi(w, "p99 > 1s", 15min, at(120)).value() == Approx(0.1));
  CHECK(kpi(w, "apdex(500ms) < 0.9", 15min, at(120)).value() == 1.0);
}

TEST_CASE("a confirm arriving after the next run is ignored and its run never counts") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));
  w.add(outcome(Run{at(60), 2, false, 1s, true}));
  w.add(outcome(Run{at(120), 3}));
  w.add(confirmOf(at(60), 2, false));  // late: run 3 already started

  CHECK(kpi(w, "availability < 100%", 15min, at(180)).value() == 1.0);
  CHECK(kpi(w, "error_rate > 0", 15min, at(180)).value() == 0.0);  // 0 of 2 decided
  // Run 2 never decided, so it neither broke nor extended the success streak.
  CHECK(kpi(w, "success_streak >= 1", 15min, at(180)).value() == 2.0);
}

TEST_CASE("only the newest run's own confirm decides it") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1, false, 1s, true}));   // its confirm never arrives in time
  w.add(outcome(Run{at(60), 2, false, 1s, true}));  // awaiting its confirm
  w.add(confirmOf(at(0), 1, false));                // run 1's confirm, late: ignored
  CHECK(kpi(w, "availability < 100%", 15min, at(120)).value() == 1.0);
  CHECK_FALSE(kpi(w, "error_rate > 0", 15min, at(120)));  // nothing decided yet
  CHECK(kpi(w, "failure_streak >= 1", 15min, at(120)).value() == 0.0);

  w.add(confirmOf(at(60), 2, false));
  CHECK(kpi(w, "availability < 100%", 15min, at(120)).value() == 0.5);
  CHECK(kpi(w, "error_rate > 0", 15min, at(120)).value() == 1.0);  // 1 of 1 decided
  CHECK(kpi(w, "failure_streak >= 1", 15min, at(120)).value() == 1.0);
}

TEST_CASE("the error rate counts decided runs only") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1, false}));                           // confirm off: down
  w.add(outcome(Run{at(60), 2, false, 1s, true}));                // awaiting its confirm
  CHECK(kpi(w, "error_rate > 0", 15min, at(90)).value() == 1.0);  // 1 of 1, not 1 of 2
  w.add(confirmOf(at(60), 2, true));
  CHECK(kpi(w, "error_rate > 0", 15min, at(90)).value() == 0.5);
}

TEST_CASE("maintenance time is left out of availability, error rate and apdex") {
  KpiWindow w(15min);
  for (int i = 0; i < 10; ++i) {
    Run run{at(i * 60), i + 1, true};
    if (i >= 3 && i <= 5) {
      run.success = false;
      run.maintenance = true;
    }
    if (i == 7) run.success = false;
    w.add(outcome(run));
  }
  // Covered 600 s, maintenance 180 s, down 60 s outside maintenance.
  CHECK(kpi(w, "availability < 100%", 15min, at(600)).value() == Approx(360.0 / 420.0));
  CHECK(kpi(w, "error_rate > 0", 15min, at(600)).value() == Approx(1.0 / 7.0));
  CHECK(kpi(w, "apdex(500ms) < 0.9", 15min, at(600)).value() == Approx(6.0 / 7.0));
  // A window holding only maintenance has no data.
  CHECK_FALSE(kpi(w, "availability < 100%", 3min, at(360)));
  CHECK_FALSE(kpi(w, "error_rate > 0", 3min, at(360)));
  CHECK_FALSE(kpi(w, "apdex(500ms) < 0.9", 3min, at(360)));
}

TEST_CASE("percentiles are nearest-rank over the latency samples of the window") {
  KpiWindow w(30min);
  // 20 passing runs whose durations are 10 ms … 200 ms in a shuffled order.
  for (int i = 0; i < 20; ++i) {
    const auto ms = std::chrono::milliseconds{((i * 7) % 20 + 1) * 10};
    w.add(outcome(Run{at(i * 60), i + 1, true, ms}));
  }
  Run saturated{at(20 * 60), 21, true, 5s};
  saturated.saturated = true;
  w.add(outcome(saturated));                         // timing not trustworthy: left out
  w.add(outcome(Run{at(21 * 60), 22, false, 10s}));  // failed: left out
  const auto now = at(22 * 60);

  CHECK(kpi(w, "p50 > 1s", 30min, now).value() == Approx(0.100));  // rank 10
  CHECK(kpi(w, "p90 > 1s", 30min, now).value() == Approx(0.180));  // rank 18
  CHECK(kpi(w, "p95 > 1s", 30min, now).value() == Approx(0.190));  // rank 19
  CHECK(kpi(w, "p99 > 1s", 30min, now).value() == Approx(0.200));  // rank 20
  CHECK(kpi(w, "ttfb_p95 > 1s", 30min, now).value() == Approx(0.095));

  // [1020, 1320): runs 17–21, of which 200, 70 and 140 ms are samples.
  CHECK(kpi(w, "p50 > 1s", 5min, now).value() == Approx(0.140));
  CHECK(kpi(w, "p95 > 1s", 5min, now).value() == Approx(0.200));
  CHECK(kpi(w, "p50 > 1s", 30min, now).value() == Approx(0.100));  // both windows stay right

  // A new run shifts the 5-minute window to [1080, 1380): 70, 140 and 1 ms.
  w.add(outcome(Run{at(22 * 60), 23, true, 1ms}));
  CHECK(kpi(w, "p50 > 1s", 5min, at(23 * 60)).value() == Approx(0.070));
  CHECK(kpi(w, "p99 > 1s", 5min, at(23 * 60)).value() == Approx(0.140));
  w.setRetain(5min);
  w.prune(at(23 * 60));
  CHECK(kpi(w, "p50 > 1s", 5min, at(23 * 60)).value() == Approx(0.070));
  CHECK(kpi(w, "p50 > 1s", 2min, at(23 * 60)).value() == Approx(0.001));
}

TEST_CASE("a percentile after pruning never reuses the samples of the old front") {
  KpiWindow w(15min);
  for (int i = 0; i < 4; ++i) {
    w.add(outcome(Run{at(i * 60), i + 1, true, std::chrono::milliseconds{(i + 1) * 10}}));
  }
  // [−1, 180): 10, 20, 30 ms.
  CHECK(kpi(w, "p99 > 1s", 181s, at(180)).value() == Approx(0.030));
  w.setRetain(2min);
  w.prune(at(180));  // drops the 10 ms run
  REQUIRE(w.samples() == 3);
  // [59, 240): 20, 30, 40 ms — the same positions in the deque as before, other samples.
  CHECK(kpi(w, "p99 > 1s", 181s, at(240)).value() == Approx(0.040));
  CHECK(kpi(w, "p50 > 1s", 181s, at(240)).value() == Approx(0.030));
}

TEST_CASE("apdex counts satisfied, tolerating and frustrated runs") {
  KpiWindow w(15min);
  int id = 0;
  auto add = [&](Run run) {
    run.id = ++id;
    run.at = at(id * 60);
    w.add(outcome(run));
  };
  add(Run{{}, 0, true, 100ms});   // satisfied
  add(Run{{}, 0, true, 500ms});   // satisfied (≤ T)
  add(Run{{}, 0, true, 600ms});   // tolerating
  add(Run{{}, 0, true, 2s});      // tolerating (≤ 4T)
  add(Run{{}, 0, true, 2100ms});  // frustrated
  add(Run{{}, 0, false, 50ms});   // down: frustrated
  Run saturated{{}, 0, true, 100ms};
  saturated.saturated = true;
  add(saturated);  // no trustworthy timing: left out
  Run maintained{{}, 0, true, 100ms};
  maintained.maintenance = true;
  add(maintained);                     // maintenance: left out
  add(Run{{}, 0, false, 50ms, true});  // awaiting its confirm: not decided yet

  // (2 + 2/2) / 6
  CHECK(kpi(w, "apdex(500ms) < 0.9", 15min, at(600)).value() == Approx(0.5));
  // With T = 2 s: 100, 500, 600 ms, 2 s satisfied, 2.1 s tolerating, the down run frustrated.
  CHECK(kpi(w, "apdex(2s) < 0.9", 15min, at(600)).value() == Approx(4.5 / 6.0));
  w.add(confirmOf(at(9 * 60), 9, false));  // now decided down: frustrated too
  CHECK(kpi(w, "apdex(500ms) < 0.9", 15min, at(600)).value() == Approx(3.0 / 7.0));
}

TEST_CASE("streaks count consecutive decided runs, newest back") {
  KpiWindow w(15min);
  CHECK_FALSE(kpi(w, "failure_streak >= 3", 15min, at(0)));
  CHECK_FALSE(kpi(w, "success_streak >= 3", 15min, at(0)));
  const bool script[] = {true, true, false, false, false};
  for (int i = 0; i < 5; ++i) w.add(outcome(Run{at(i * 60), i + 1, script[i]}));
  CHECK(kpi(w, "failure_streak >= 3", 15min, at(300)).value() == 3.0);
  CHECK(kpi(w, "success_streak >= 3", 15min, at(300)).value() == 0.0);

  w.add(outcome(Run{at(300), 6}));
  CHECK(kpi(w, "failure_streak >= 3", 15min, at(360)).value() == 0.0);
  CHECK(kpi(w, "success_streak >= 3", 15min, at(360)).value() == 1.0);

  w.add(outcome(Run{at(360), 7, false, 1s, true}));  // awaiting its confirm: no move
  CHECK(kpi(w, "success_streak >= 3", 15min, at(370)).value() == 1.0);
  CHECK(kpi(w, "failure_streak >= 3", 15min, at(370)).value() == 0.0);
  w.add(confirmOf(at(360), 7, false));
  CHECK(kpi(w, "failure_streak >= 3", 15min, at(370)).value() == 1.0);
  CHECK(kpi(w, "success_streak >= 3", 15min, at(370)).value() == 0.0);

  // Streaks ignore the window and survive pruning.
  w.setRetain(1min);
  w.prune(at(3600));
  CHECK(w.samples() == 1);
  CHECK(kpi(w, "failure_streak >= 3", 1min, at(3600)).value() == 1.0);
}

TEST_CASE("no_data is the time since the newest run's slot") {
  KpiWindow w(15min);
  CHECK_FALSE(kpi(w, "no_data > 5m", 15min, at(0)));
  CHECK_FALSE(w.lastRunAt());
  w.add(outcome(Run{at(0), 1, false, 1s, true}));
  CHECK(w.lastRunAt() == at(0));
  CHECK(kpi(w, "no_data > 5m", 15min, at(90)).value() == 90.0);
  w.add(confirmOf(at(0), 1, true));  // a confirm row is not a newer run
  CHECK(kpi(w, "no_data > 5m", 15min, at(90)).value() == 90.0);
  w.add(outcome(Run{at(60), 2}));
  CHECK(kpi(w, "no_data > 5m", 15min, at(90)).value() == 30.0);
  CHECK(kpi(w, "no_data > 5m", 15min, at(3660)).value() == 3600.0);
}

TEST_CASE("cert_days is measured from the newest run that saw a certificate") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));
  CHECK_FALSE(kpi(w, "cert_days < 14", 15min, at(0)));

  Run with_cert{at(60), 2};
  with_cert.cert = at(60 + 14 * 86'400 + 12 * 3600);
  w.add(outcome(with_cert));
  CHECK(kpi(w, "cert_days < 14", 15min, at(60)).value() == Approx(14.5));

  w.add(outcome(Run{at(120), 3, false}));  // no certificate this time (a connect failure)
  CHECK(kpi(w, "cert_days < 14", 15min, at(60 + 86'400)).value() == Approx(13.5));

  Run renewed{at(180), 4};
  renewed.cert = at(180 + 3 * 86'400);
  w.add(outcome(renewed));
  CHECK(kpi(w, "cert_days < 14", 15min, at(180 + 86'400)).value() == Approx(2.0));
  CHECK(kpi(w, "cert_days < 14", 15min, at(180 + 4 * 86'400)).value() == Approx(-1.0));
}

TEST_CASE("prune keeps the run that straddles the window start") {
  KpiWindow w(15min);
  for (int i = 0; i < 30; ++i) w.add(outcome(Run{at(i * 60), i + 1, i != 14 && i != 15}));
  const auto now = at(1830);  // window [930, 1830): run 15 covers [900, 960)
  const double expected = (900.0 - 30.0) / 900.0;
  CHECK(kpi(w, "availability < 100%", 15min, now).value() == Approx(expected));
  CHECK(w.samples() == 30);

  const auto before = w.memoryBytes();
  w.prune(now);
  CHECK(w.samples() == 15);  // runs 15 … 29
  CHECK(kpi(w, "availability < 100%", 15min, now).value() == Approx(expected));
  CHECK(kpi(w, "error_rate > 0", 15min, now).value() == 0.0);  // run 15's slot is before the window
  CHECK(w.memoryBytes() < before);

  // The newest run is kept however old it is.
  w.prune(at(100'000));
  CHECK(w.samples() == 1);
  CHECK(w.lastRunAt() == at(29 * 60));
}

TEST_CASE("a window without runs has no value") {
  KpiWindow fresh(15min);
  const auto now = at(3600);
  for (const char* text : {"availability < 100%", "error_rate > 0", "p50 > 1s", "p95 > 1s",
                           "ttfb_p95 > 1s", "apdex(500ms) < 0.9", "cert_days < 14",
                           "failure_streak >= 1", "success_streak >= 1", "no_data > 5m"}) {
    INFO(text);
    CHECK_FALSE(kpi(fresh, text, 15min, now));
  }

  KpiWindow w(15min);
  w.add(outcome(Run{at(0), 1}));  // covers [0, 120), long before the window
  for (const char* text : {"availability < 100%", "error_rate > 0", "p50 > 1s", "ttfb_p95 > 1s",
                           "apdex(500ms) < 0.9"}) {
    INFO(text);
    CHECK_FALSE(kpi(w, text, 15min, now));
  }
  CHECK(kpi(w, "no_data > 5m", 15min, now).value() == 3600.0);
  CHECK(kpi(w, "success_streak >= 1", 15min, now).value() == 1.0);
}

TEST_CASE("superseded and cancelled rows are ignored") {
  KpiWindow w(15min);
  w.add(outcome(Run{at(60), 1}));
  w.add(outcome(Run{at(60), 2, false}));  // same slot: superseded
  w.add(outcome(Run{at(0), 3, false}));   // older slot: superseded
  auto cancelled = recordOf(Run{at(120), 4, false});
  cancelled.result.cancelled = true;
  w.add(outcomeOf(cancelled, core::judgeRun(cancelled)));
  CHECK(w.samples() == 1);
  CHECK(kpi(w, "availability < 100%", 15min, at(150)).value() == 1.0);
  CHECK(kpi(w, "failure_streak >= 1", 15min, at(150)).value() == 0.0);
}

TEST_CASE("the memory estimate grows with the samples held") {
  KpiWindow w(2h);
  const auto empty = w.memoryBytes();
  CHECK(empty >= sizeof(KpiWindow));
  for (int i = 0; i < 100; ++i) w.add(outcome(Run{at(i * 60), i + 1}));
  CHECK(w.memoryBytes() >= empty + 100 * 5 * sizeof(std::int64_t));
  CHECK(w.memoryBytes() < empty + 100 * 128);
}
