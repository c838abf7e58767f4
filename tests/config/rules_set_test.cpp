// What the rule engine and `check-config -v` get from a loaded config: ruleSetOf(), target
// expansion, effective timers, and the rule, SLO and maintenance summaries.
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/rule_set.h"
#include "shopwatch/agent/config/rules_summary.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

TEST_CASE("ruleSetOf lists every check once with its interval, steps and parent") {
  auto result = load(R"(agent:
  client: acme
  canary: [https://one.example/]
shops:
  - name: acme
    base_url: https://shop.acme.example
    checks:
      - {name: home, url: /}
      - {name: search, url: /s, interval: 30s, depends_on: acme/home}
      - name: checkout
        interval: 5m
        steps: [{name: product, url: /p/1}, {name: cart, url: /cart}]
        cleanup: [{name: empty-cart, url: /cart/clear}]
  - name: acme
    env: staging
    base_url: https://staging.acme.example
    checks: [{name: home, url: /, interval: 2m}]
rules:
  - {name: each-down, check: acme/*, expr: "availability < 99%"}
  - {name: home-slow, check: acme/home, expr: p95 > 1s, for: 3m}
  - {name: cart-slow, check: acme/checkout/cart, expr: p95 > 2s}
slos: [{name: s, check: acme/home, objective: 99.9%}]
maintenance: [{name: m, shops: [all], every: daily 04:00, duration: 10m}]
)");
  const AgentConfig& config = loaded(result);
  const rules::RuleSet set = ruleSetOf(config);
  REQUIRE(set.rules.size() == 3);
  CHECK(set.rules[1].name == "home-slow");
  REQUIRE(set.slos.size() == 1);
  REQUIRE(set.maintenance.size() == 1);
  CHECK(set.maintenance[0].name == "m");

  REQUIRE(set.checks.size() == 5);
  CHECK(set.checks[0].key == core::CheckKey{"acme", "production", "home"});
  CHECK(set.checks[0].interval == 60s);
  CHECK(set.checks[0].steps.empty());
  CHECK_FALSE(set.checks[0].depends_on);
  CHECK(set.checks[1].key.check == "search");
  CHECK(set.checks[1].interval == 30s);
  CHECK(set.checks[1].depends_on == core::CheckKey{"acme", "production", "home"});
  CHECK(set.checks[2].key.check == "checkout");
  CHECK(set.checks[2].interval == 5min);
  CHECK(set.checks[2].steps == std::vector<std::string>{"product", "cart", "empty-cart"});
  CHECK(set.checks[3].key == core::CheckKey{"acme", "staging", "home"});
  CHECK(set.checks[3].interval == 2min);
  CHECK(set.checks[4].key == core::CheckKey{"shopwatch", "agent", "canary-1"});
  CHECK(set.checks[4].interval == 30s);
  CHECK(set.canaries == std::vector<core::CheckKey>{{"shopwatch", "agent", "canary-1"}});

  SECTION("targets expand over every env, never to canaries") {
    auto names = [](const std::vector<rules::Target>& targets) {
      std::vector<std::string> out;
      for (const auto& t : targets)
        out.push_back(t.key.path() + (t.step.empty() ? "" : "#" + t.step));
      return out;
    };
    CHECK(names(targetsOf(set, set.rules[0].target)) ==
          std::vector<std::string>{"acme/production/home", "acme/production/search",
                                   "acme/production/checkout", "acme/staging/home"});
    CHECK(names(targetsOf(set, set.rules[1].target)) ==
          std::vector<std::string>{"acme/production/home", "acme/staging/home"});
    CHECK(names(targetsOf(set, set.rules[2].target)) ==
          std::vector<std::string>{"acme/production/checkout#cart"});
    rules::TargetPattern canaries{"shopwatch", "*", ""};
    CHECK(targetsOf(set, canaries).empty());
  }
  SECTION("effective timers: as written, else from the interval") {
    CHECK(effectiveFor(set.rules[1], 60s) == 3min);
    CHECK(effectiveFor(set.rules[0], 60s) == 2min);
    CHECK(effectiveFor(set.rules[0], 5min) == 10min);
    CHECK(effectiveClearFor(set.rules[0], 60s) == 5min);
    CHECK(effectiveClearFor(set.rules[0], 5min) == 10min);
  }
}

TEST_CASE("check-config -v summaries show targets, timers, budgets and the next window") {
  auto result = load(readFixture("issue-c-rules.yaml"));
  const AgentConfig& config = loaded(result);
  auto rules_shown = ruleSummaries(config);
  REQUIRE(rules_shown.size() == 2);
  CHECK(rules_shown[0].name == "home-slow");
  CHECK(rules_shown[0].expr == "p95 > 800ms");
  CHECK(rules_shown[0].window == "15m");
  CHECK(rules_shown[0].severity == "warning");
  REQUIRE(rules_shown[0].targets.size() == 1);
  CHECK(rules_shown[0].targets[0].target == "acme/home (production)");
  CHECK(rules_shown[0].targets[0].for_duration == "5m");
  CHECK(rules_shown[0].targets[0].for_set);
  CHECK(rules_shown[0].targets[0].clear_for == "10m");
  REQUIRE(rules_shown[1].targets.size() == 1);
  CHECK(rules_shown[1].targets[0].target == "acme/checkout (production)");
  CHECK(rules_shown[1].targets[0].clear_for == "10m");  // max(2 x 5m, 5m)
  CHECK_FALSE(rules_shown[1].targets[0].clear_for_set);

  auto slos_shown = sloSummaries(config);
  REQUIRE(slos_shown.size() == 1);
  CHECK(slos_shown[0].objective == "99.5%");
  CHECK(slos_shown[0].period == "30d");
  CHECK(slos_shown[0].budget == "216 min");  // 0.5 % of 43200 minutes
  CHECK(slos_shown[0].latency == "2s");
  CHECK(slos_shown[0].targets == std::vector<std::string>{"acme/checkout (production)"});

  // Wednesday 4 March 2026; the next Sunday 02:00 in Vienna (CET, +01:00) is 01:00 UTC.
  auto windows = maintenanceSummaries(config, at("2026-03-04T12:00:00Z"));
  REQUIRE(windows.size() == 1);
  CHECK(windows[0].shops == "acme");
  CHECK(windows[0].schedule == "every sunday 02:00 Europe/Vienna");
  CHECK(windows[0].duration == "2h");
  CHECK(windows[0].next == "2026-03-08T01:00:00Z to 2026-03-08T03:00:00Z");
  // In progress: the window that is open now is the one shown.
  CHECK(maintenanceSummaries(config, at("2026-03-08T02:30:00Z"))[0].next ==
        "2026-03-08T01:00:00Z to 2026-03-08T03:00:00Z");
}

TEST_CASE("budgets, one-off windows and recurrences are formatted for people") {
  auto result = load(std::string(kShop) + R"(slos:
  - {name: s, check: acme/home, objective: 99.9%, period: 30d}
maintenance:
  - {name: once, shops: [all], start: "2026-03-01T02:00:00+01:00", duration: 1h}
)");
  const AgentConfig& config = loaded(result);
  CHECK(sloSummaries(config)[0].budget == "43.2 min");
  auto before = maintenanceSummaries(config, at("2026-02-01T00:00:00Z"));
  CHECK(before[0].shops == "all shops");
  CHECK(before[0].schedule == "once at 2026-03-01T01:00:00Z");
  CHECK(before[0].next == "2026-03-01T01:00:00Z to 2026-03-01T02:00:00Z");
  CHECK(maintenanceSummaries(config, at("2026-03-02T00:00:00Z"))[0].next == "none");

  rules::Recurrence r;
  r.kind = rules::Recurrence::Kind::NthWeekday;
  r.nth = -1;
  r.weekday = 5;
  r.minutes = 23 * 60 + 30;
  CHECK(formatRecurrence(r) == "last friday 23:30");
  r.kind = rules::Recurrence::Kind::MonthDay;
  r.day = 15;
  r.minutes = 3 * 60 + 5;
  CHECK(formatRecurrence(r) == "day 15 03:05");
  r.kind = rules::Recurrence::Kind::Daily;
  CHECK(formatRecurrence(r) == "daily 03:05");
}
