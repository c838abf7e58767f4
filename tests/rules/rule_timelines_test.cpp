// The scripted timelines: a FakeClock, checks every minute (journeys every 5 minutes),
// results arriving one second after their slot, a tick every second, and the exact ordered
// transitions.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rules_test_support.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::rules::test {
namespace {

bool downBetween(SystemTime slot, int from_minute, int to_minute) {
  return slot >= at(from_minute) && slot < at(to_minute);
}

const BurnRate& burnOf(const SloStatus& s, std::string_view window) {
  for (const BurnRate& b : s.burn_rates) {
    if (b.window == window) return b;
  }
  FAIL("no burn rate for window " << window);
  return s.burn_rates.front();
}

}  // namespace

TEST_CASE("a 7-minute outage pends, fires after for and resolves after clear_for") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"))};
  set.rules = {rule("checkout-down", "acme/checkout", "availability < 100%", 5min, 10min)};
  tl.engine().configure(set);
  tl.add(
      {key("acme", "checkout"), 1min, kT0, [](SystemTime s) { return !downBetween(s, 20, 27); }});
  tl.runUntil(at(60));

  // Availability is time-weighted: the failed run at 20:00 counts from its slot, so the second its
  // result arrives the window is below 100%. The window holds downtime until 27:00 + 15m.
  CHECK(tl.log() == std::vector<std::string>{
                        "20:01 checkout-down acme/checkout ok->pending",
                        "25:01 checkout-down acme/checkout pending->firing",
                        "52:00 checkout-down acme/checkout firing->ok",
                    });
  const AlertRecord fired = tl.transitions().at(1).alert;
  CHECK(fired.value.value() == Approx(1.0 - 301.0 / 900.0));  // 5m01s down of 15m
  const auto a = tl.alert("checkout-down", "acme/checkout").value();
  CHECK(a.apiState() == "resolved");
  CHECK(a.fired_at == at(25, 1));
  CHECK(a.resolved_at == at(52));
  CHECK(a.peak.value() == Approx(8.0 / 15.0));  // all 7 minutes inside the 15-minute window
}

TEST_CASE("a slow processing phase fires a ttfb_p95 rule and leaves availability alone") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  set.rules = {
      rule("home-slow", "acme/home", "ttfb_p95 > 500ms", 3min, 5min, 5min, Severity::Warning),
      rule("home-down", "acme/home", "availability < 100%", 5min, 10min)};
  tl.engine().configure(set);
  ScriptedCheck home{key("acme", "home")};
  home.ttfb = [](SystemTime s) { return downBetween(s, 10, 20) ? Micros{900ms} : Micros{100ms}; };
  home.duration = [](SystemTime s) {
    return downBetween(s, 10, 20) ? Micros{1200ms} : Micros{300ms};
  };
  tl.add(home);
  tl.runUntil(at(40));

  // A 5-minute window holds 5 runs, so p95 is their maximum: slow from the first slow run until the
  // window no longer holds the one at 19:00.
  CHECK(tl.log() == std::vector<std::string>{
                        "10:01 home-slow acme/home ok->pending",
                        "13:01 home-slow acme/home pending->firing",
                        "29:01 home-slow acme/home firing->ok",
                    });
  const auto a = tl.alert("home-slow", "acme/home").value();
  CHECK(a.peak.value() == Approx(0.9));
  CHECK(a.value.value() == Approx(0.1));
  CHECK(a.severity == Severity::Warning);
  CHECK(tl.alert("home-down", "acme/home")->state == AlertState::Ok);
}

TEST_CASE("a flapping target holds its alert instead of toggling, until flapping stops") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  // Defaults at a 1-minute interval: for 2m, clear_for 5m.
  set.rules = {rule("home-fails", "acme/home", "failure_streak >= 1")};
  tl.engine().configure(set);
  // Fails at 10, 12, …, 38 and passes in between: every pair of samples differs for 30 minutes.
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) {
            if (!downBetween(s, 10, 40)) return true;
            return ((s - at(10)) / 1min) % 2 == 1;
          }});

  tl.runUntil(at(12, 30));
  CHECK_FALSE(tl.alert("home-fails", "acme/home")->flapping);  // 3 changes: 18.4 %
  tl.runUntil(at(13, 30));
  CHECK(tl.alert("home-fails", "acme/home")->flapping);                      // 4 changes: 24.2 %
  CHECK(tl.alert("home-fails", "acme/home")->state == AlertState::Pending);  // held, not ok

  tl.runUntil(at(45));
  // Healthy since 39:01 for more than clear_for, but still flapping: it holds.
  CHECK(tl.alert("home-fails", "acme/home")->state == AlertState::Firing);
  CHECK(tl.alert("home-fails", "acme/home")->flapping);
  tl.runUntil(at(58));
  CHECK(tl.alert("home-fails", "acme/home")->flapping);  // 2 changes left: 7.6 %, in between

  tl.runUntil(at(70));
  // At 58:01 one change is left (the oldest pair, 3.75 % ≤ 5 %): flapping stops and the alert,
  // healthy for 19 minutes, resolves in the same evaluation.
  CHECK(tl.log() == std::vector<std::string>{
                        "10:01 home-fails acme/home ok->pending",
                        "11:01 home-fails acme/home pending->ok",
                        "12:01 home-fails acme/home ok->pending",
                        "14:01 home-fails acme/home pending->firing",
                        "58:01 home-fails acme/home firing->ok",
                    });
  const auto a = tl.alert("home-fails", "acme/home").value();
  CHECK_FALSE(a.flapping);
  CHECK(a.flap_samples == 21);
  CHECK(a.flap_history == 0);  // the newest 21 samples (49 … 69) are all healthy
}

TEST_CASE("one failed run of a 5-minute journey does not page a 99.5% SLO") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"), 5min, {"cart", "pay"})};
  set.slos = {slo("checkout-availability", "acme/checkout", 0.995)};
  tl.engine().configure(set);
  tl.add({key("acme", "checkout"), 5min, kT0, [](SystemTime s) { return s != at(60); }});

  tl.runUntil(at(60, 1));
  const auto status = tl.engine().slos().at(0);
  // 1 bad of 13 runs in the hour burns 15.4× the budget (> 14.4×), and 1 of the 4 runs in the
  // stretched 15-minute short window even more — but a tier needs 2 bad runs in its long window.
  CHECK(burnOf(status, "1h").value.value() == Approx((1.0 / 13.0) / 0.005));
  CHECK_FALSE(status.breach.has_value());

  tl.runUntil(at(180, 1));
  CHECK(tl.log().empty());
  const auto end = tl.engine().slos().at(0);
  CHECK(end.events == 37);
  CHECK(end.bad == 1);
  CHECK(end.budget_remaining.value() == Approx(1.0 - (1.0 / 37.0) / 0.005));
  const auto a = tl.alert("checkout-availability", "acme/checkout").value();
  CHECK(a.state == AlertState::Ok);
  CHECK_FALSE(a.fired_at.has_value());
}

TEST_CASE(
    "two failed runs of a 5-minute journey page on the 1h/5m tier, then step down and resolve") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"), 5min, {"cart", "pay"})};
  set.slos = {slo("checkout-availability", "acme/checkout", 0.995)};
  tl.engine().configure(set);
  tl.add({key("acme", "checkout"), 5min, kT0,
          [](SystemTime s) { return s != at(60) && s != at(65); }});

  tl.runUntil(at(65, 1));
  REQUIRE(tl.log() == std::vector<std::string>{
                          "65:01 checkout-availability acme/checkout ok->firing",
                      });
  const AlertRecord paged = tl.transitions().at(0).alert;
  CHECK(paged.severity == Severity::Critical);
  CHECK(paged.expr == "burn rate > 14.4x over 1h and 5m");
  CHECK(paged.threshold == Approx(14.4));
  CHECK(paged.value.value() == Approx((2.0 / 13.0) / 0.005));  // the 1h burn
  const auto breach = tl.engine().slos().at(0).breach.value();
  CHECK(breach.tier->label == "1h/5m");
  CHECK(breach.short_window == 15min);  // stretched to 3 runs
  CHECK(breach.short_burn == Approx((2.0 / 4.0) / 0.005));

  // 81:00: the 15-minute short window has lost both failures; the 6h/30m tier (also critical)
  // still holds — the text follows the tier, no transition.
  tl.runUntil(at(90));
  CHECK(tl.log().size() == 1);
  const auto mid = tl.alert("checkout-availability", "acme/checkout").value();
  CHECK(mid.expr == "burn rate > 6x over 6h and 30m");
  CHECK(mid.severity == Severity::Critical);

  tl.runUntil(at(430));
  // 96:00: the 30-minute window has lost them too; the 3d/6h ticket tier holds (severity change).
  // 426:00 (7:06): the 6-hour short window no longer holds the failure at 1:05: no tier.
  CHECK(tl.log() ==
        std::vector<std::string>{
            "65:01 checkout-availability acme/checkout ok->firing",
            "96:00 checkout-availability acme/checkout firing->firing [critical->warning]",
            "426:00 checkout-availability acme/checkout firing->ok",
        });
  const AlertRecord stepped = tl.transitions().at(1).alert;
  CHECK(stepped.expr == "burn rate > 1x over 3d and 6h");
  CHECK(stepped.threshold == Approx(1.0));
  CHECK(tl.transitions().at(1).from_severity == Severity::Critical);
  const auto end = tl.engine().slos().at(0);
  CHECK(end.events == 86);  // 0:00 … 7:05
  CHECK(end.bad == 2);
  CHECK(end.budget_remaining.value() == Approx(1.0 - (2.0 / 86.0) / 0.005));
}

TEST_CASE("an outage inside a maintenance window is suppressed and pends only after the window") {
  Timeline tl;
  MaintenanceSpec deploy;
  deploy.name = "deploy";
  deploy.shops = {"acme"};
  deploy.start = at(10);
  deploy.duration = 30min;
  auto calendar = std::make_shared<const MaintenanceCalendar>(std::vector<MaintenanceSpec>{deploy},
                                                              std::vector<AdHocWindow>{});
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"))};
  set.rules = {rule("checkout-streak", "acme/checkout", "failure_streak >= 3", 5min, 10min),
               rule("checkout-down", "acme/checkout", "availability < 100%", 5min, 10min)};
  tl.engine().configure(set);
  tl.engine().setCalendar(calendar);
  ScriptedCheck checkout{key("acme", "checkout"), 1min, kT0,
                         [](SystemTime s) { return !downBetween(s, 20, 50); }};
  // As the runtime stores them: runs inside the window carry the maintenance flag.
  checkout.in_maintenance = [calendar](SystemTime s) { return calendar->active("acme", s); };
  tl.add(checkout);

  tl.runUntil(at(30));
  const auto streak = tl.alert("checkout-streak", "acme/checkout").value();
  CHECK(streak.state == AlertState::Suppressed);
  CHECK(streak.suppressed_by == "maintenance deploy");
  // While suppressed, the window counts the maintenance runs, so the alert shows what it holds back
  // (suppressed at 0 %, not ok); once the window ends they are left out again.
  const auto down = tl.alert("checkout-down", "acme/checkout").value();
  CHECK(down.state == AlertState::Suppressed);
  REQUIRE(down.value.has_value());
  CHECK(*down.value == Approx(5.0 / 15.0));  // 15m window at 30:00: 15..19 up, 20..29 down

  tl.runUntil(at(80));
  // The window ends at 40:00: the streak rule pends from then (for counts from the end of the
  // suppression); availability sees the first run after the window.
  CHECK(tl.log() == std::vector<std::string>{
                        "20:01 checkout-down acme/checkout ok->suppressed",
                        "22:01 checkout-streak acme/checkout ok->suppressed",
                        "40:00 checkout-streak acme/checkout suppressed->pending",
                        "40:01 checkout-down acme/checkout suppressed->pending",
                        "45:00 checkout-streak acme/checkout pending->firing",
                        "45:01 checkout-down acme/checkout pending->firing",
                        "60:01 checkout-streak acme/checkout firing->ok",
                        "75:00 checkout-down acme/checkout firing->ok",
                    });
}

TEST_CASE("a parent outage fires the parent and holds its dependent child as suppressed") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"), 1min, {}, key("acme", "edge")),
                checkInfo(key("acme", "edge"))};
  set.rules = {rule("down", "acme/*", "availability < 100%", 5min, 10min)};
  tl.engine().configure(set);
  // The child's results arrive before the parent's: the engine still judges the parent first.
  tl.add({key("acme", "checkout"), 1min, kT0,
          [](SystemTime s) { return !downBetween(s, 20, 30) && !downBetween(s, 70, 80); }});
  tl.add({key("acme", "edge"), 1min, kT0, [](SystemTime s) { return !downBetween(s, 20, 30); }});

  tl.runUntil(at(40));
  const auto child = tl.alert("down", "acme/checkout").value();
  CHECK(child.state == AlertState::Suppressed);
  CHECK(child.suppressed_by == "parent acme/edge");

  tl.runUntil(at(110));
  CHECK(tl.log() == std::vector<std::string>{
                        "20:01 down acme/checkout ok->pending",
                        "20:01 down acme/edge ok->pending",
                        "25:01 down acme/edge pending->firing",
                        "25:01 down acme/checkout pending->suppressed",
                        "55:00 down acme/edge firing->ok",
                        "55:00 down acme/checkout suppressed->ok",
                        // The child alone: nothing holds it.
                        "70:01 down acme/checkout ok->pending",
                        "75:01 down acme/checkout pending->firing",
                        "105:00 down acme/checkout firing->ok",
                    });
}

TEST_CASE("when every canary fails all alerts are suppressed and agent-connectivity fires") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("shopwatch", "canary-1")), checkInfo(key("shopwatch", "canary-2")),
                checkInfo(key("acme", "home")), checkInfo(key("beta", "home"))};
  set.canaries = {key("shopwatch", "canary-1"), key("shopwatch", "canary-2")};
  set.rules = {rule("home-down", "acme/home", "availability < 100%", 5min, 5min, 5min),
               rule("home-streak", "acme/home", "failure_streak >= 2", 2min, 5min),
               rule("beta-down", "beta/*", "availability < 100%", 5min, 5min, 5min),
               rule("canaries", "shopwatch/*", "availability < 100%")};  // never a target
  tl.engine().configure(set);
  tl.add({key("shopwatch", "canary-1"), 1min, kT0,
          [](SystemTime s) { return !downBetween(s, 20, 30); }});
  tl.add({key("shopwatch", "canary-2"), 1min, kT0,
          [](SystemTime s) { return !downBetween(s, 20, 40); }});
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) { return !downBetween(s, 20, 30); }});
  tl.add({key("beta", "home"), 1min, kT0, [](SystemTime s) { return !downBetween(s, 20, 30); }});

  tl.runUntil(at(25));
  const auto agent = tl.alert(std::string(kConnectivityRule), "shopwatch/canary", "agent").value();
  CHECK(agent.state == AlertState::Firing);
  CHECK(agent.severity == Severity::Critical);
  CHECK(agent.expr == "every canary fails");
  CHECK(agent.value.value() == 2);
  CHECK(tl.alert("home-down", "acme/home")->suppressed_by ==
        "agent connectivity: every canary fails");
  CHECK(tl.engine().alerts().size() == 4);  // no alert on the canaries themselves

  tl.runUntil(at(45));
  // canary-1 passes at 30:00: connectivity is back at once. The runs the checks made while the host
  // was cut off are left out of their windows, so the first run after it decides: the shops are up
  // and nothing pends on the stale outage.
  CHECK(tl.log() == std::vector<std::string>{
                        "20:01 agent-connectivity shopwatch/canary@agent ok->firing",
                        "20:01 home-down acme/home ok->suppressed",
                        "20:01 beta-down beta/home ok->suppressed",
                        "21:01 home-streak acme/home ok->suppressed",
                        "30:01 agent-connectivity shopwatch/canary@agent firing->ok",
                        "30:01 home-down acme/home suppressed->ok",
                        "30:01 home-streak acme/home suppressed->ok",
                        "30:01 beta-down beta/home suppressed->ok",
                    });
}

TEST_CASE("a restart mid-pending fires at the original timer") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"))};
  set.rules = {rule("checkout-down", "acme/checkout", "availability < 100%", 5min, 10min)};
  tl.engine().configure(set);
  tl.add(
      {key("acme", "checkout"), 1min, kT0, [](SystemTime s) { return !downBetween(s, 20, 40); }});
  tl.runUntil(at(22, 30));
  REQUIRE(tl.log() == std::vector<std::string>{"20:01 checkout-down acme/checkout ok->pending"});
  const std::vector<AlertRecord> persisted = tl.engine().alerts();

  // The agent is down for a minute (the 23:00 run never happens), then starts again.
  RuleEngine& engine = tl.restart();
  tl.clock().set(at(23, 30));
  engine.configure(set);
  engine.restoreAlerts(persisted);
  const SystemTime from = tl.now() - engine.rawSpan();
  for (const core::RunRecord& r : tl.stored()) {
    if (r.scheduled >= from) engine.restoreRun(r, core::judgeRun(r));
  }
  CHECK(engine.takeTransitions().empty());
  const auto restored = tl.alert("checkout-down", "acme/checkout").value();
  CHECK(restored.state == AlertState::Pending);
  CHECK(restored.since == at(20, 1));
  CHECK(restored.breach_since == at(20, 1));

  tl.runUntil(at(30));
  CHECK(tl.log() == std::vector<std::string>{
                        "20:01 checkout-down acme/checkout ok->pending",
                        "25:01 checkout-down acme/checkout pending->firing",
                    });
}

namespace {

/// Runs a check on shop acme that fails every half hour of `sunday` (00:00Z … 03:30Z; one failure
/// per 21 samples never flaps) with a rule that fires at once and resolves at the next passing run,
/// under `sunday 02:00` for 2h in Europe/Vienna; returns the transitions with offsets from 00:00Z.
/// The suppression's end (a tick) pins the window exactly.
std::vector<std::string> viennaSunday(std::chrono::sys_days sunday) {
  const SystemTime midnight{std::chrono::duration_cast<Micros>(sunday.time_since_epoch())};
  Timeline tl(midnight - 30min, midnight);
  MaintenanceSpec weekly;
  weekly.name = "weekly-updates";
  weekly.shops = {"acme"};
  auto every = parseRecurrence("sunday 02:00");
  REQUIRE(every.ok());
  weekly.every = *every;
  weekly.duration = 2h;
  weekly.timezone = "Europe/Vienna";
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  set.rules = {rule("home-fails", "acme/home", "failure_streak >= 1", 0s, 0s)};
  tl.engine().configure(set);
  tl.engine().setCalendar(std::make_shared<const MaintenanceCalendar>(
      std::vector<MaintenanceSpec>{weekly}, std::vector<AdHocWindow>{}));
  tl.add({key("acme", "home"), 1min, midnight - 30min,
          [midnight](SystemTime s) { return s < midnight || ((s - midnight) / 1min) % 30 != 0; }});
  tl.runUntil(midnight + 4h);
  return tl.log();
}

std::vector<std::string> halfHours(int from_minute, int to_minute) {
  std::vector<std::string> out;
  for (int m = from_minute; m < to_minute; m += 30) {
    out.push_back(offset(kT0 + std::chrono::minutes{m} + 1s) + " home-fails acme/home ok->firing");
    out.push_back(offset(kT0 + std::chrono::minutes{m + 1} + 1s) +
                  " home-fails acme/home firing->ok");
  }
  return out;
}

}  // namespace

TEST_CASE("a sunday 02:00 Vienna window suppresses the right UTC hours across both DST changes") {
  using std::chrono::last;
  using std::chrono::Sunday;
  using std::chrono::year;

  SECTION("last Sunday of March 2026: 02:00 CET does not exist, the window starts at 01:00Z") {
    const std::chrono::sys_days sunday{year{2026} / std::chrono::March / Sunday[last]};
    REQUIRE(sunday == std::chrono::sys_days{year{2026} / 3 / 29});
    std::vector<std::string> expected = halfHours(0, 60);
    expected.push_back("60:01 home-fails acme/home ok->suppressed");
    expected.push_back("180:00 home-fails acme/home suppressed->ok");
    for (const auto& line : halfHours(180, 240)) expected.push_back(line);
    CHECK(viennaSunday(sunday) == expected);
  }
  SECTION("last Sunday of October 2026: 02:00 is ambiguous, the earlier (CEST) one is 00:00Z") {
    const std::chrono::sys_days sunday{year{2026} / std::chrono::October / Sunday[last]};
    REQUIRE(sunday == std::chrono::sys_days{year{2026} / 10 / 25});
    std::vector<std::string> expected{"0:01 home-fails acme/home ok->suppressed",
                                      "120:00 home-fails acme/home suppressed->ok"};
    for (const auto& line : halfHours(120, 240)) expected.push_back(line);
    CHECK(viennaSunday(sunday) == expected);
  }
}

}  // namespace shopwatch::rules::test
