// RuleEngine unit behaviour: target expansion, timer defaults, no data, reloads, peaks,
// suppression, restore and stats. The issue's end-to-end timelines are in rule_timelines_test.cpp.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "rules_test_support.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::rules::test {
namespace {

std::vector<std::string> alertNames(const RuleEngine& engine) {
  std::vector<std::string> out;
  for (const AlertRecord& a : engine.alerts()) {
    std::string name = a.rule + " " + a.target.str();
    if (a.target.key.env != "production") name += "@" + a.target.key.env;
    out.push_back(name);
  }
  return out;
}

bool between(SystemTime slot, int from_minute, int to_minute) {
  return slot >= at(from_minute) && slot < at(to_minute);
}

}  // namespace

TEST_CASE("rule targets expand from the configured checks, wildcards to every check of the shop") {
  core::FakeClock clock;
  RuleEngine engine(clock);
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home")),
                checkInfo(key("acme", "checkout"), 5min, {"cart", "pay"}),
                checkInfo(key("acme", "home", "staging")), checkInfo(key("beta", "home")),
                checkInfo(key("shopwatch", "canary-1"))};
  set.canaries = {key("shopwatch", "canary-1")};
  set.rules = {rule("all", "acme/*", "availability < 99%"),
               rule("home", "acme/home", "p95 > 800ms"),
               rule("cart", "acme/checkout/cart", "p95 > 2s"),
               rule("gone", "acme/checkout/nope", "p95 > 2s"),
               rule("agent", "shopwatch/*", "availability < 100%")};
  engine.configure(set);
  // Sorted by rule, then target (key: shop, env, check; then step); steps only when named; canaries
  // never.
  CHECK(alertNames(engine) == std::vector<std::string>{
                                  "agent-connectivity shopwatch/canary@agent",
                                  "all acme/checkout",
                                  "all acme/home",
                                  "all acme/home@staging",
                                  "cart acme/checkout/cart",
                                  "home acme/home",
                                  "home acme/home@staging",
                              });
  CHECK(engine.stats().alerts == 7);
  for (const AlertRecord& a : engine.alerts()) {
    CHECK(a.state == AlertState::Ok);
    CHECK(a.since == clock.now());
  }
}

TEST_CASE("for defaults to twice the interval and clear_for to at least 5 minutes") {
  SECTION("a 2-minute check: for 4m, clear_for 5m") {
    Timeline tl;
    RuleSet set;
    set.checks = {checkInfo(key("acme", "home"), 2min)};
    set.rules = {rule("fails", "acme/home", "failure_streak >= 1")};
    tl.engine().configure(set);
    tl.add({key("acme", "home"), 2min, kT0, [](SystemTime s) { return !between(s, 10, 18); }});
    tl.runUntil(at(40));
    CHECK(tl.log() == std::vector<std::string>{
                          "10:01 fails acme/home ok->pending",
                          "14:01 fails acme/home pending->firing",
                          "23:01 fails acme/home firing->ok",
                      });
  }
  SECTION("a 5-minute journey: for 10m, clear_for 10m") {
    Timeline tl;
    RuleSet set;
    set.checks = {checkInfo(key("acme", "checkout"), 5min, {"cart"})};
    set.rules = {rule("fails", "acme/checkout", "failure_streak >= 1")};
    tl.engine().configure(set);
    tl.add({key("acme", "checkout"), 5min, kT0, [](SystemTime s) { return !between(s, 10, 25); }});
    tl.runUntil(at(60));
    CHECK(tl.log() == std::vector<std::string>{
                          "10:01 fails acme/checkout ok->pending",
                          "20:01 fails acme/checkout pending->firing",
                          "35:01 fails acme/checkout firing->ok",
                      });
  }
}

TEST_CASE("a rule with for 0 fires at once in a single transition") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  set.rules = {rule("fails", "acme/home", "failure_streak >= 2", 0s, 0s)};
  tl.engine().configure(set);
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) { return !between(s, 3, 6); }});
  tl.runUntil(at(10));
  CHECK(tl.log() == std::vector<std::string>{
                        "4:01 fails acme/home ok->firing",
                        "6:01 fails acme/home firing->ok",
                    });
  CHECK(tl.transitions().at(0).alert.breach_since == at(4, 1));
  CHECK(tl.transitions().at(0).alert.value == 2);
}

TEST_CASE("a window holding no runs is no data and holds the alert's state") {
  SECTION("a firing latency rule does not resolve while every run fails") {
    Timeline tl;
    RuleSet set;
    set.checks = {checkInfo(key("acme", "home"))};
    set.rules = {rule("slow", "acme/home", "p95 > 500ms", 2min, 2min, 5min)};
    tl.engine().configure(set);
    ScriptedCheck home{key("acme", "home"), 1min, kT0,
                       [](SystemTime s) { return !between(s, 13, 40); }};
    home.duration = [](SystemTime s) { return between(s, 10, 13) ? Micros{900ms} : Micros{100ms}; };
    tl.add(home);
    tl.runUntil(at(30));
    const auto held = tl.alert("slow", "acme/home").value();
    CHECK(held.state == AlertState::Firing);
    CHECK_FALSE(held.value.has_value());  // failed runs are no latency samples
    tl.runUntil(at(50));
    CHECK(tl.log() == std::vector<std::string>{
                          "10:01 slow acme/home ok->pending",
                          "12:01 slow acme/home pending->firing",
                          "42:01 slow acme/home firing->ok",
                      });
  }
  SECTION("a pending alert keeps its timer through no data and fires when data returns breached") {
    Timeline tl;
    RuleSet set;
    set.checks = {checkInfo(key("acme", "home"))};
    set.rules = {rule("down", "acme/home", "availability < 100%", 5min, 5min, 3min)};
    tl.engine().configure(set);
    tl.runUntil(at(10, 1));
    tl.feed(run(key("acme", "home"), at(10), false));
    // The run covers at most 2 intervals (until 12:00); from 15:00 the 3-minute window is empty.
    tl.runUntil(at(20, 1));
    const auto held = tl.alert("down", "acme/home").value();
    CHECK(held.state == AlertState::Pending);
    CHECK_FALSE(held.value.has_value());
    tl.feed(run(key("acme", "home"), at(20), false));
    CHECK(tl.log() == std::vector<std::string>{
                          "10:01 down acme/home ok->pending",
                          "20:01 down acme/home pending->firing",
                      });
  }
  SECTION("no_data counts from configure time before the first run") {
    Timeline tl;
    RuleSet set;
    set.checks = {checkInfo(key("acme", "home"))};
    set.rules = {rule("silent", "acme/home", "no_data > 3m", 0s)};
    tl.engine().configure(set);
    tl.add({key("acme", "home"), 1min, at(4)});
    tl.runUntil(at(12));
    CHECK(tl.log() == std::vector<std::string>{
                          "3:01 silent acme/home ok->firing",
                          "9:01 silent acme/home firing->ok",  // clear_for 5m from 4:01
                      });
    CHECK(tl.transitions().at(0).alert.value == 181);
  }
}

TEST_CASE("a reload keeps alert state and windows, and reports alerts that are gone") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home")), checkInfo(key("acme", "about"))};
  set.rules = {rule("fails", "acme/home", "failure_streak >= 1", 0s),
               rule("about-fails", "acme/about", "failure_streak >= 1", 0s)};
  tl.engine().configure(set);
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) { return s < at(5); }});
  tl.add({key("acme", "about"), 1min, kT0});
  tl.runUntil(at(8));
  REQUIRE(tl.log() == std::vector<std::string>{"5:01 fails acme/home ok->firing"});

  RuleSet changed = set;
  changed.rules[0] =
      rule("fails", "acme/home", "failure_streak >= 2", 0s, std::nullopt, 15min, Severity::Warning);
  tl.engine().configure(changed);
  tl.collect();
  auto kept = tl.alert("fails", "acme/home").value();
  CHECK(kept.state == AlertState::Firing);
  CHECK(kept.since == at(5, 1));
  CHECK(kept.severity == Severity::Warning);
  CHECK(kept.threshold == 2);
  CHECK(kept.expr == "failure_streak >= 2");
  tl.runUntil(at(9));
  CHECK(tl.alert("fails", "acme/home")->value == 4);  // the streak survived the reload

  RuleSet removed = changed;
  removed.rules.clear();
  tl.engine().configure(removed);
  tl.collect();
  CHECK(tl.log() == std::vector<std::string>{
                        "5:01 fails acme/home ok->firing",
                        "9:00 fails acme/home firing removed",
                    });
  CHECK(tl.transitions().back().removed);
  CHECK(tl.transitions().back().from == AlertState::Firing);
  CHECK(tl.engine().alerts().empty());  // about-fails was ok: dropped without a transition
}

TEST_CASE("the peak is the worst value of the firing, in the expression's direction") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  set.rules = {rule("slow", "acme/home", "p95 > 500ms", 0s, 0s, 1min),
               rule("apdex", "acme/home", "apdex(500ms) < 1", 0s, 0s, 1min)};
  tl.engine().configure(set);
  ScriptedCheck home{key("acme", "home")};
  home.duration = [](SystemTime s) {
    if (s == at(3)) return Micros{600ms};
    if (s == at(4)) return Micros{2500ms};  // frustrated
    if (s == at(5)) return Micros{700ms};
    return Micros{100ms};
  };
  tl.add(home);
  tl.runUntil(at(5, 30));
  const auto slow = tl.alert("slow", "acme/home").value();
  CHECK(slow.state == AlertState::Firing);
  CHECK(slow.value.value() == Approx(0.7));
  CHECK(slow.peak.value() == Approx(2.5));
  const auto apdex = tl.alert("apdex", "acme/home").value();
  CHECK(apdex.value.value() == Approx(0.5));  // tolerating
  CHECK(apdex.peak.value() == Approx(0.0));   // the frustrated run: lower is worse
}

TEST_CASE("a suppressed alert pends from the end of its suppression, a firing one stays firing") {
  Timeline tl;
  AdHocWindow window;
  window.id = 7;
  window.start = at(5);
  window.end = at(20);
  window.reason = "deploy";
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home")), checkInfo(key("beta", "home"))};
  set.rules = {rule("fails", "acme/home", "failure_streak >= 1", 3min),
               rule("beta-fails", "beta/home", "failure_streak >= 1", 0s)};
  tl.engine().configure(set);
  tl.engine().setCalendar(std::make_shared<const MaintenanceCalendar>(
      std::vector<MaintenanceSpec>{}, std::vector<AdHocWindow>{window}));
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) { return s < at(10); }});
  tl.add({key("beta", "home"), 1min, kT0, [](SystemTime s) { return s < at(2); }});
  tl.runUntil(at(15));
  CHECK(tl.alert("fails", "acme/home")->suppressed_by == "maintenance api-7");
  CHECK(tl.alert("beta-fails", "beta/home")->state == AlertState::Firing);
  tl.runUntil(at(30));
  CHECK(tl.log() == std::vector<std::string>{
                        "2:01 beta-fails beta/home ok->firing",
                        "10:01 fails acme/home ok->suppressed",
                        "20:00 fails acme/home suppressed->pending",
                        "23:00 fails acme/home pending->firing",
                    });
  CHECK(tl.transitions().at(2).alert.breach_since == at(20));
  CHECK(tl.transitions().at(2).alert.suppressed_by.empty());
}

TEST_CASE("restored alerts keep their timers and restoring queues no transitions") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home"))};
  set.rules = {rule("down", "acme/home", "availability < 100%", 2min, 10min)};
  tl.engine().configure(set);
  tl.add({key("acme", "home"), 1min, kT0, [](SystemTime s) { return !between(s, 10, 20); }});
  tl.runUntil(at(15, 30));
  REQUIRE(tl.log() == std::vector<std::string>{"10:01 down acme/home ok->pending",
                                               "12:01 down acme/home pending->firing"});
  std::vector<AlertRecord> persisted = tl.engine().alerts();
  AlertRecord stranger = persisted.front();
  stranger.rule = "no-such-rule";
  persisted.push_back(stranger);

  RuleEngine& engine = tl.restart();
  engine.configure(set);
  engine.restoreAlerts(persisted);
  for (const core::RunRecord& r : tl.stored()) engine.restoreRun(r, core::judgeRun(r));
  engine.tick();
  CHECK(engine.takeTransitions().empty());
  CHECK(engine.alerts().size() == 1);
  const auto a = tl.alert("down", "acme/home").value();
  CHECK(a.state == AlertState::Firing);
  CHECK(a.since == at(12, 1));
  CHECK(a.fired_at == at(12, 1));
  CHECK(a.breach_since == at(10, 1));

  tl.runUntil(at(50));
  // Downtime leaves the 15-minute window at 35:00; clear_for 10m.
  CHECK(tl.log() == std::vector<std::string>{"10:01 down acme/home ok->pending",
                                             "12:01 down acme/home pending->firing",
                                             "45:00 down acme/home firing->ok"});
}

TEST_CASE("rollup hours feed SLO periods scaled by maintenance, with slow runs as bad events") {
  core::FakeClock clock;
  RuleEngine engine(clock);
  RuleSet set;
  set.checks = {checkInfo(key("acme", "checkout"))};
  set.slos = {slo("checkout-availability", "acme/checkout", 0.99),
              slo("checkout-fast", "acme/checkout", 0.99, Micros{2s})};
  engine.configure(set);
  HourRollup hour;
  hour.target = Target{key("acme", "checkout"), ""};
  hour.hour = kT0 - 10h;
  hour.runs = 60;
  hour.down_runs = 3;
  hour.covered = 60min;
  hour.maintenance = 15min;
  hour.latency = {{Micros{1s}, 40}, {Micros{3s}, 17}};
  engine.restoreHour(hour);
  HourRollup elsewhere = hour;
  elsewhere.target = Target{key("acme", "other"), ""};
  engine.restoreHour(elsewhere);  // not watched: ignored
  CHECK(engine.takeTransitions().empty());

  const auto slos = engine.slos();
  REQUIRE(slos.size() == 2);
  CHECK(slos[0].slo == "checkout-availability");
  CHECK(slos[0].events == 45);  // 60 runs × 45/60 minutes outside maintenance
  CHECK(slos[0].bad == 3);
  CHECK(slos[1].slo == "checkout-fast");
  CHECK(slos[1].events == 45);
  CHECK(slos[1].bad == 20);  // 3 down + 17 slower than 2s
}

TEST_CASE("raw and period spans follow the longest windows, SLOs and intervals") {
  core::FakeClock clock;
  RuleEngine engine(clock);
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home")), checkInfo(key("acme", "checkout"), 5min)};
  set.rules = {rule("a", "acme/home", "p95 > 1s", std::nullopt, std::nullopt, 1h),
               rule("b", "acme/*", "availability < 99%")};
  engine.configure(set);
  CHECK(engine.rawSpan() == 1h + 10min);
  CHECK(engine.periodSpan() == Micros{0});
  set.slos = {slo("s", "acme/checkout", 0.999, std::nullopt, 24h * 28)};
  engine.configure(set);
  CHECK(engine.rawSpan() == 6h + 10min);
  CHECK(engine.periodSpan() == 24h * 28);
}

TEST_CASE("stats count alerts, the runs held by windows and their memory") {
  Timeline tl;
  RuleSet set;
  set.checks = {checkInfo(key("acme", "home")), checkInfo(key("acme", "about"))};
  set.rules = {rule("down", "acme/*", "availability < 100%"),
               rule("streak", "acme/home", "failure_streak >= 3")};
  set.slos = {slo("home", "acme/home", 0.999)};
  tl.engine().configure(set);
  const EngineStats empty = tl.engine().stats();
  CHECK(empty.alerts == 4);
  CHECK(empty.samples == 0);
  CHECK(empty.memory_bytes > 0);
  tl.add({key("acme", "home")});
  tl.add({key("acme", "about")});
  tl.runUntil(at(30));
  const EngineStats full = tl.engine().stats();
  CHECK(full.alerts == 4);
  // 15-minute windows keep the runs from 15:00 (the one covering the window's start) to 29:00.
  CHECK(full.samples == 2 * 15);
  CHECK(full.memory_bytes >= empty.memory_bytes);
}

}  // namespace shopwatch::rules::test
