// `rules:`, `slos:`, `maintenance:`, `depends_on:`, `agent.api_token` and `agent.canary` as the
// loader produces them: the issue's example field by field, defaults, every target and calendar
// form, the canary checks, depends_on resolution and the warnings.
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/config_reference.h"
#include "shopwatch/core/redact.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

TEST_CASE("the issue's rules, SLO and maintenance example loads exactly as written") {
  auto result = load(readFixture("issue-c-rules.yaml"));
  const AgentConfig& config = loaded(result);
  INFO(allWarnings(result));
  CHECK(result.warnings.empty());

  REQUIRE(config.rules.size() == 2);
  const rules::RuleSpec& slow = config.rules[0];
  CHECK(slow.name == "home-slow");
  CHECK(slow.target.shop == "acme");
  CHECK(slow.target.check == "home");
  CHECK(slow.target.step.empty());
  CHECK(slow.expr.kpi == rules::Kpi::P95);
  CHECK(slow.expr.op == rules::CompareOp::Greater);
  CHECK(slow.expr.threshold == Approx(0.8));
  CHECK(slow.expr.text == "p95 > 800ms");
  CHECK(slow.window == 15min);
  CHECK(slow.for_duration == core::Micros{5min});
  CHECK(slow.clear_for == core::Micros{10min});
  CHECK(slow.severity == rules::Severity::Warning);

  const rules::RuleSpec& down = config.rules[1];
  CHECK(down.name == "checkout-down");
  CHECK(down.target.str() == "acme/checkout");
  CHECK(down.expr.kpi == rules::Kpi::Availability);
  CHECK(down.expr.op == rules::CompareOp::Less);
  CHECK(down.expr.threshold == Approx(1.0));
  CHECK(down.window == 15min);
  CHECK(down.for_duration == core::Micros{5min});
  CHECK_FALSE(down.clear_for);
  CHECK(down.severity == rules::Severity::Critical);

  REQUIRE(config.slos.size() == 1);
  const rules::SloSpec& slo = config.slos[0];
  CHECK(slo.name == "checkout-availability");
  CHECK(slo.target.str() == "acme/checkout");
  CHECK(slo.objective == 0.995);
  CHECK(slo.period == std::chrono::hours{24 * 30});
  CHECK(slo.latency_threshold == core::Micros{2s});

  REQUIRE(config.maintenance.size() == 1);
  const rules::MaintenanceSpec& window = config.maintenance[0];
  CHECK(window.name == "weekly-updates");
  CHECK(window.shops == std::vector<std::string>{"acme"});
  REQUIRE(window.every);
  CHECK(window.every->kind == rules::Recurrence::Kind::Weekly);
  CHECK(window.every->weekday == 0);
  CHECK(window.every->minutes == 120);
  CHECK_FALSE(window.start);
  CHECK(window.duration == 2h);
  CHECK(window.timezone == "Europe/Vienna");
  CHECK(window.reason.empty());

  CHECK(config.depends_on.empty());
  CHECK(config.canaries.empty());
  CHECK(config.agent.api_token.empty());
}

TEST_CASE("a rule and an SLO without optional keys get the documented defaults") {
  auto result = load(std::string(kShop) + R"(rules:
  - {name: home-down, check: acme/home, expr: "availability < 99%"}
slos:
  - {name: home-slo, check: acme/home, objective: 0.999}
)");
  const AgentConfig& config = loaded(result);
  REQUIRE(config.rules.size() == 1);
  CHECK(config.rules[0].window == 15min);
  CHECK_FALSE(config.rules[0].for_duration);
  CHECK_FALSE(config.rules[0].clear_for);
  CHECK(config.rules[0].severity == rules::Severity::Warning);
  CHECK(config.rules[0].expr.threshold == Approx(0.99));
  REQUIRE(config.slos.size() == 1);
  CHECK(config.slos[0].objective == 0.999);
  CHECK(config.slos[0].period == std::chrono::hours{24 * 30});
  CHECK_FALSE(config.slos[0].latency_threshold);
}

TEST_CASE("rules may come before the shops they name, and for and clear_for may be zero") {
  auto result = load(R"(rules:
  - {name: r, check: acme/home, expr: failure_streak >= 3, for: 0s, clear_for: 0s, severity: info}
)" + std::string(kShop));
  const AgentConfig& config = loaded(result);
  REQUIRE(config.rules.size() == 1);
  CHECK(config.rules[0].for_duration == core::Micros{0});
  CHECK(config.rules[0].clear_for == core::Micros{0});
  CHECK(config.rules[0].severity == rules::Severity::Info);
}

TEST_CASE("a rule may watch a journey step, a cleanup step or every check of a shop") {
  auto result = load(std::string(kShop) + R"(rules:
  - {name: cart-slow, check: acme/checkout/cart, expr: p95 > 2s}
  - {name: cleanup-failing, check: acme/checkout/empty-cart, expr: "error_rate > 10%"}
  - {name: all-down, check: acme/*, expr: "availability < 99.9%", window: 1h}
slos:
  - {name: cart-slo, check: acme/checkout/cart, objective: 99%}
)");
  const AgentConfig& config = loaded(result);
  REQUIRE(config.rules.size() == 3);
  CHECK(config.rules[0].target.step == "cart");
  CHECK(config.rules[1].target.step == "empty-cart");
  CHECK(config.rules[2].target.wildcard());
  CHECK(config.rules[2].window == 1h);
  CHECK(config.slos[0].target.step == "cart");
  CHECK(config.slos[0].objective == 0.99);
}

TEST_CASE("maintenance windows take every calendar form, all shops and one-off starts") {
  auto result = load(std::string(kShop) + R"(maintenance:
  - {name: monthly, shops: [all], every: day 1 03:00, duration: 90m, reason: "hoster patches"}
  - {name: first-monday, shops: [acme], every: first monday 02:00, duration: 1h, timezone: UTC}
  - {name: migration, shops: [acme], start: "2026-03-01T02:00:00+01:00", duration: 4h}
)");
  const AgentConfig& config = loaded(result);
  REQUIRE(config.maintenance.size() == 3);
  const auto& monthly = config.maintenance[0];
  CHECK(monthly.shops.empty());
  REQUIRE(monthly.every);
  CHECK(monthly.every->kind == rules::Recurrence::Kind::MonthDay);
  CHECK(monthly.every->day == 1);
  CHECK(monthly.every->minutes == 180);
  CHECK(monthly.duration == 90min);
  CHECK(monthly.timezone == "UTC");
  CHECK(monthly.reason == "hoster patches");
  const auto& first = config.maintenance[1];
  REQUIRE(first.every);
  CHECK(first.every->kind == rules::Recurrence::Kind::NthWeekday);
  CHECK(first.every->nth == 1);
  CHECK(first.every->weekday == 1);
  const auto& migration = config.maintenance[2];
  CHECK_FALSE(migration.every);
  REQUIRE(migration.start);
  CHECK(*migration.start == at("2026-03-01T01:00:00Z"));
  CHECK(migration.duration == 4h);
}

TEST_CASE("the api token comes from the environment or a file and is redacted as a secret") {
  TempDir dir;
  const std::string token_file = dir.write("token", "file-t0ken\n");
  SECTION("from the environment") {
    auto result = load("agent: {client: acme, api_token: \"${env:SHOPWATCH_TOKEN}\"}\n",
                       {{"SHOPWATCH_TOKEN", "s3cr3t-t0ken"}});
    const AgentConfig& config = loaded(result);
    CHECK(config.agent.api_token == "s3cr3t-t0ken");
    CHECK(config.secrets == std::vector<std::string>{"s3cr3t-t0ken"});
    CHECK(core::redact("Bearer s3cr3t-t0ken", config.secrets) == "Bearer <redacted>");
  }
  SECTION("from a file") {
    auto result = load("agent: {client: acme, api_token: \"${file:" + token_file + "}\"}\n");
    const AgentConfig& config = loaded(result);
    CHECK(config.agent.api_token == "file-t0ken");
    CHECK(config.secrets == std::vector<std::string>{"file-t0ken"});
  }
  SECTION("unset: the write routes stay closed") {
    auto result = load("agent: {client: acme}\n");
    const AgentConfig& config = loaded(result);
    CHECK(config.agent.api_token.empty());
    CHECK(config.secrets.empty());
  }
}

TEST_CASE("canary URLs become checks of the agent's own shop with fixed defaults") {
  auto result = load(R"(agent:
  client: acme
  canary: [https://www.google.com/generate_204, "http://1.1.1.1/"]
)");
  const AgentConfig& config = loaded(result);
  CHECK(config.agent.canary ==
        std::vector<std::string>{"https://www.google.com/generate_204", "http://1.1.1.1/"});
  CHECK(config.checks.empty());
  REQUIRE(config.canaries.size() == 2);
  const core::Check& first = *config.canaries[0];
  CHECK(first.key == core::CheckKey{"shopwatch", "agent", "canary-1"});
  CHECK(config.canaries[1]->key == core::CheckKey{"shopwatch", "agent", "canary-2"});
  REQUIRE(first.http());
  const core::HttpRequest& request = first.http()->request;
  CHECK(request.method == "GET");
  CHECK(request.url == "https://www.google.com/generate_204");
  CHECK(request.timeout == 10s);
  CHECK(request.user_agent == "shopwatch");
  CHECK(request.follow_redirects);
  CHECK(first.http()->expect.status.empty());  // any 2xx
  CHECK(first.schedule.interval == 30s);
  CHECK(first.schedule.timeout == 10s);
  CHECK(first.schedule.confirm);
  CHECK(first.schedule.confirm_delay == 5s);
}

TEST_CASE("depends_on resolves the parent in the child's env, else the only env that has it") {
  auto result = load(R"(agent: {client: acme}
shops:
  - name: edge
    checks:
      - {name: cdn, url: "https://cdn.acme.example/"}
  - name: acme
    checks:
      - {name: home, url: "https://acme.example/", depends_on: edge/cdn}
      - {name: search, url: "https://acme.example/s", depends_on: acme/home}
  - name: acme
    env: staging
    checks:
      - {name: home, url: "https://staging.acme.example/", depends_on: edge/cdn}
      - {name: search, url: "https://staging.acme.example/s", depends_on: acme/home}
      - name: checkout
        depends_on: acme/home
        steps: [{name: cart, url: "https://staging.acme.example/cart"}]
rules:
  - {name: down, check: edge/cdn, expr: "availability < 99%"}
  - {name: home-down, check: acme/home, expr: failure_streak >= 2}
)");
  const AgentConfig& config = loaded(result);
  using Key = core::CheckKey;
  const std::map<Key, Key> expected = {
      {Key{"acme", "production", "home"}, Key{"edge", "production", "cdn"}},
      {Key{"acme", "production", "search"}, Key{"acme", "production", "home"}},
      {Key{"acme", "staging", "home"}, Key{"edge", "production", "cdn"}},
      {Key{"acme", "staging", "search"}, Key{"acme", "staging", "home"}},
      {Key{"acme", "staging", "checkout"}, Key{"acme", "staging", "home"}},
  };
  CHECK(config.depends_on == expected);
}

TEST_CASE("a rule window that holds at most one run is a warning at the window") {
  auto result = load(std::string(kShop) + R"(rules:
  - {name: short, check: acme/checkout, expr: "availability < 99%", window: 8m}
  - {name: long-enough, check: acme/checkout, expr: "availability < 99%", window: 10m}
  - {name: streak, check: acme/checkout, expr: failure_streak >= 2, window: 1m}
  - {name: wide, check: acme/*, expr: p95 > 2s, window: 9m}
)");
  loaded(result);
  INFO(allWarnings(result));
  REQUIRE(result.warnings.size() == 2);
  const ConfigError& first = result.warnings[0];
  CHECK(first.line == 16);
  CHECK(first.column == 77);
  CHECK(first.path == "rules[0].window");
  CHECK(first.message ==
        "window 8m holds at most one run of `acme/checkout` (interval 5m): use at least 10m");
  CHECK(result.warnings[1].line == 19);
  CHECK(result.warnings[1].path == "rules[3].window");
  CHECK_THAT(result.warnings[1].message, Catch::Contains("`acme/checkout`"));
}

TEST_CASE("the default window is checked too, warned at the rule's check") {
  auto result = load(R"(agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: slow, url: "https://acme.example/", interval: 10m}
rules:
  - {name: r, check: acme/slow, expr: "error_rate > 5%"}
)");
  loaded(result);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].line == 7);
  CHECK(result.warnings[0].column == 22);
  CHECK(result.warnings[0].path == "rules[0].check");
  CHECK_THAT(result.warnings[0].message,
             Catch::Contains("window 15m holds at most one run") && Catch::Contains("20m"));
}

TEST_CASE("depends_on whose parent no availability rule watches is a warning") {
  const std::string shops = R"(agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: home, url: "https://acme.example/"}
      - {name: search, url: "https://acme.example/s", depends_on: acme/home}
)";
  SECTION("no rule at all") {
    auto result = load(shops);
    loaded(result);
    REQUIRE(result.warnings.size() == 1);
    CHECK(result.warnings[0].line == 6);
    CHECK(result.warnings[0].column == 67);
    CHECK(result.warnings[0].path == "shops[0].checks[1].depends_on");
    CHECK_THAT(result.warnings[0].message,
               Catch::StartsWith("depends_on has no effect: no rule on `acme/home`"));
  }
  SECTION("only a latency rule") {
    auto result = load(shops + "rules: [{name: r, check: acme/home, expr: p95 > 1s}]\n");
    loaded(result);
    CHECK(result.warnings.size() == 1);
  }
  SECTION("a rule on a step of the parent does not count") {
    auto result = load(shops + "rules: [{name: r, check: acme/*, expr: p95 > 1s}]\n");
    loaded(result);
    CHECK(result.warnings.size() == 1);
  }
  SECTION("an availability rule on the parent, also through a wildcard") {
    auto result = load(shops + "rules: [{name: r, check: acme/*, expr: \"availability < 99%\"}]\n");
    loaded(result);
    CHECK(result.warnings.empty());
  }
  SECTION("no_data counts") {
    auto result = load(shops + "rules: [{name: r, check: acme/home, expr: no_data > 5m}]\n");
    loaded(result);
    CHECK(result.warnings.empty());
  }
  SECTION("an SLO on the parent") {
    auto result = load(shops + "slos: [{name: s, check: acme/home, objective: 99.9%}]\n");
    loaded(result);
    CHECK(result.warnings.empty());
  }
}

TEST_CASE("the key reference documents the rules, SLO and maintenance keys") {
  auto has = [](std::string_view section, std::string_view key) {
    for (const auto& row : keyReference()) {
      if (row.section == section && row.key == key) return true;
    }
    return false;
  };
  for (const char* key : {"rules", "slos", "maintenance"}) CHECK(has("", key));
  for (const char* key : {"name", "check", "expr", "window", "for", "clear_for", "severity"})
    CHECK(has("rules[]", key));
  for (const char* key : {"name", "check", "objective", "period", "latency"})
    CHECK(has("slos[]", key));
  CHECK(has("slos[].latency", "threshold"));
  for (const char* key : {"name", "shops", "every", "start", "duration", "timezone", "reason"})
    CHECK(has("maintenance[]", key));
  CHECK(has("agent", "api_token"));
  CHECK(has("agent", "canary"));
  CHECK(has("check", "depends_on"));
}
