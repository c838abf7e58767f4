// Every problem of `rules:`, `slos:`, `maintenance:`, `depends_on:`, `agent.api_token` and
// `agent.canary` is an error at its FILE:LINE:COL with a message that says what to write instead.
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/target.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

std::vector<ConfigError> errorsOf(const std::string& text,
                                  std::map<std::string, std::string> env = {}) {
  auto result = loadConfigString(text, "acme.yaml", optionsWithEnv(std::move(env)));
  INFO(allErrors(result));
  CHECK_FALSE(result.config);
  CHECK_FALSE(result.errors.empty());
  return result.errors;
}

// kShop (rules_test_util.h) is lines 1-14: the section under test starts on line 15.
std::vector<ConfigError> errorsAfterShop(const std::string& section) {
  return errorsOf(std::string(kShop) + section);
}

void checkError(const ConfigError& e, int line, int column, const std::string& path,
                const std::string& message_part) {
  INFO(e.format());
  CHECK(e.file == "acme.yaml");
  CHECK(e.line == line);
  CHECK(e.column == column);
  CHECK(e.path == path);
  CHECK_THAT(e.message, Catch::Contains(message_part));
}

}  // namespace

TEST_CASE("an unknown key of a rule, an SLO or a window suggests the closest one") {
  auto errors = errorsAfterShop(R"(rules:
  - {name: r, check: acme/home, expr: p95 > 1s, windwo: 5m}
slos:
  - {name: s, check: acme/home, objectve: 99%}
maintenance:
  - {name: m, shops: [acme], every: daily 02:00, duraton: 1h}
)");
  REQUIRE(errors.size() == 5);
  checkError(errors[0], 16, 49, "rules[0].windwo", "unknown key `windwo`; did you mean `window`?");
  checkError(errors[1], 18, 5, "slos[0].objective", "missing required key `objective`");
  checkError(errors[2], 18, 33, "slos[0].objectve", "did you mean `objective`?");
  checkError(errors[3], 20, 5, "maintenance[0].duration", "missing required key `duration`");
  checkError(errors[4], 20, 50, "maintenance[0].duraton", "did you mean `duration`?");
}

TEST_CASE("the top level lists the new sections among its valid keys") {
  auto errors = errorsOf("agent: {client: acme}\nalerting: []\n");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 2, 1, "alerting",
             "valid keys: `agent`, `shops`, `retention`, `rules`, `slos`, `maintenance`, `backlog`, `web`, `sla` or `insights`");
}

TEST_CASE("a bad expression is reported at the bad token, with the parser's message") {
  const std::string expected = rules::parseExpr("p95 > fast").error().message;
  CHECK_THAT(expected, Catch::Contains("\"fast\""));
  SECTION("plain") {
    auto errors = errorsAfterShop(R"(rules:
  - name: home-slow
    check: acme/home
    expr: p95 > fast
)");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 18, 17, "rules[0].expr", expected);
    CHECK(errors[0].message == expected);
  }
  SECTION("quoted: the opening quote is not part of the text") {
    auto errors = errorsAfterShop(R"(rules:
  - {name: home-slow, check: acme/home, expr: "p95 > fast"}
)");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 16, 54, "rules[0].expr", expected);
  }
  SECTION("an unknown KPI") {
    auto errors = errorsAfterShop(R"(rules:
  - {name: r, check: acme/home, expr: p96 > 1s}
)");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 16, 39, "rules[0].expr", "p96");
  }
}

TEST_CASE("a rule's target must parse and match a loaded check or journey step") {
  auto errors = errorsAfterShop(R"(rules:
  - {name: a, check: acme/Home, expr: p95 > 1s}
  - {name: b, check: acme/hom, expr: p95 > 1s}
  - {name: c, check: acme/checkout/crat, expr: p95 > 1s}
  - {name: d, check: acme/home/cart, expr: p95 > 1s}
  - {name: e, check: acmee/*, expr: p95 > 1s}
  - {name: f, check: shop/home, expr: p95 > 1s}
)");
  REQUIRE(errors.size() == 6);
  checkError(errors[0], 16, 22, "rules[0].check",
             rules::parseTargetPattern("acme/Home").error().message);
  checkError(errors[1], 17, 22, "rules[1].check",
             "no check `acme/hom` in this config; did you mean `acme/home`?");
  checkError(errors[2], 18, 22, "rules[2].check",
             "journey `acme/checkout` has no step `crat`; did you mean `acme/checkout/cart`?");
  checkError(errors[3], 19, 22, "rules[3].check",
             "`acme/home` is not a journey, so it has no step `cart`");
  checkError(errors[4], 20, 22, "rules[4].check",
             "no shop `acmee` in this config; did you mean `acme/*`?");
  checkError(errors[5], 21, 22, "rules[5].check", "no check `shop/home` in this config");
  CHECK(errors[5].message.find("did you mean") == std::string::npos);
}

TEST_CASE("a target naming a check that has errors of its own is not reported twice") {
  auto errors = errorsOf(R"(agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: home, url: "https://acme.example/", interval: 30}
rules:
  - {name: r, check: acme/home, expr: p95 > 1s}
  - {name: w, check: acme/*, expr: p95 > 1s}
slos:
  - {name: s, check: acme/home, objective: 99%}
)");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 5, 62, "shops[0].checks[0].interval", "missing unit");
}

TEST_CASE("rule keys are checked: required keys, window range, timers, severity") {
  auto errors = errorsAfterShop(R"(rules:
  - {check: acme/home}
  - {name: w, check: acme/home, expr: p95 > 1s, window: 8d}
  - {name: z, check: acme/home, expr: p95 > 1s, window: 0s}
  - {name: f, check: acme/home, expr: p95 > 1s, for: 30, clear_for: 8d}
  - {name: s, check: acme/home, expr: p95 > 1s, severity: urgent}
  - {name: Upper, check: acme/home, expr: p95 > 1s}
  - just-a-string
)");
  REQUIRE(errors.size() == 9);
  checkError(errors[0], 16, 5, "rules[0].name", "missing required key `name`");
  checkError(errors[1], 16, 5, "rules[0].expr", "missing required key `expr` (e.g. `p95 > 800ms`)");
  checkError(errors[2], 17, 57, "rules[1].window", "must be between 1s and 7d, got 8d");
  checkError(errors[3], 18, 57, "rules[2].window", "must be greater than zero");
  checkError(errors[4], 19, 54, "rules[3].for", "missing unit");
  checkError(errors[5], 19, 69, "rules[3].clear_for", "must be between 0s and 7d, got 8d");
  checkError(errors[6], 20, 59, "rules[4].severity",
             "invalid severity `urgent` (use `info`, `warning` or `critical`)");
  checkError(errors[7], 21, 12, "rules[5].name", "invalid name `Upper`");
  checkError(errors[8], 22, 5, "rules[6]", "expected a map");
}

TEST_CASE("rule and SLO names share one namespace") {
  auto errors = errorsAfterShop(R"(rules:
  - {name: home, check: acme/home, expr: p95 > 1s}
  - {name: home, check: acme/home, expr: p99 > 1s}
slos:
  - {name: home, check: acme/home, objective: 99%}
)");
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 17, 12, "rules[1].name",
             "duplicate name `home`: rules and SLOs share one namespace (first defined as rule "
             "at 16:12)");
  checkError(errors[1], 19, 12, "slos[0].name", "first defined as rule at 16:12");
}

TEST_CASE("the sections must be lists of maps") {
  auto errors = errorsAfterShop("rules: {name: r}\nslos: 3\nmaintenance: weekly\n");
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 15, 8, "rules", "expected a list of rules");
  checkError(errors[1], 16, 7, "slos", "expected a list of SLOs");
  checkError(errors[2], 17, 14, "maintenance", "expected a list of maintenance windows");
}

TEST_CASE("an SLO objective must leave an error budget and be written as a ratio") {
  auto errors = errorsAfterShop(R"(slos:
  - {name: a, check: acme/home, objective: 100%}
  - {name: b, check: acme/home, objective: 99.5}
  - {name: c, check: acme/home, objective: 0%}
  - {name: d, check: acme/home, objective: high}
  - {name: e, check: acme/home, objective: 1}
)");
  REQUIRE(errors.size() == 5);
  checkError(errors[0], 16, 44, "slos[0].objective",
             "objective `100%` leaves no error budget: an SLO must allow some failure (use less "
             "than 100%, e.g. 99.9%)");
  checkError(errors[1], 17, 44, "slos[1].objective",
             "objective `99.5` is not a ratio: write `99.5%` or a number below 1");
  checkError(errors[2], 18, 44, "slos[2].objective", "objective must be above 0%");
  checkError(errors[3], 19, 44, "slos[3].objective", "expected a ratio such as `99.5%`");
  checkError(errors[4], 20, 44, "slos[4].objective", "leaves no error budget");
}

TEST_CASE("an SLO's period, latency and target are checked") {
  auto errors = errorsAfterShop(R"(slos:
  - {name: a, check: acme/home, objective: 99%, period: 30m}
  - {name: b, check: acme/home, objective: 99%, latency: {}}
  - {name: c, check: acme/home, objective: 99%, latency: {treshold: 2s}}
  - {name: d, check: acme/checkout/crat, objective: 99%}
  - {name: e, check: acme/home, objective: 99%, period: 401d, latency: {threshold: fast}}
)");
  REQUIRE(errors.size() == 7);
  checkError(errors[0], 16, 57, "slos[0].period", "must be between 1h and 400d, got 30m");
  checkError(errors[1], 17, 58, "slos[1].latency.threshold", "missing required key `threshold`");
  checkError(errors[2], 18, 58, "slos[2].latency.threshold", "missing required key `threshold`");
  checkError(errors[3], 18, 59, "slos[2].latency.treshold", "did you mean `threshold`?");
  checkError(errors[4], 19, 22, "slos[3].check",
             "journey `acme/checkout` has no step `crat`; did you mean `acme/checkout/cart`?");
  checkError(errors[5], 20, 57, "slos[4].period", "must be between 1h and 400d, got 401d");
  checkError(errors[6], 20, 84, "slos[4].latency.threshold", "invalid duration");
}

TEST_CASE("a maintenance window is recurring or one-off, never both or neither") {
  auto errors = errorsAfterShop(R"(maintenance:
  - name: both
    shops: [acme]
    every: sunday 02:00
    start: "2026-03-01T02:00:00+01:00"
    duration: 2h
  - {name: neither, shops: [acme], duration: 2h}
)");
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 19, 5, "maintenance[0].start", "`every` and `start` exclude each other");
  checkError(errors[1], 21, 5, "maintenance[1].every",
             "missing `every` (recurring, e.g. `sunday 02:00`) or `start` (one-off, RFC 3339)");
}

TEST_CASE("maintenance calendars, starts, durations and time zones are checked at their value") {
  auto errors = errorsAfterShop(R"(maintenance:
  - {name: a, shops: [acme], every: sundy 02:00, duration: 2h}
  - {name: b, shops: [acme], start: "2026-03-01T02:00:00", duration: 2h}
  - {name: c, shops: [acme], every: daily 02:00, duration: 30s}
  - {name: d, shops: [acme], every: daily 02:00, duration: 32d}
  - {name: e, shops: [acme], every: daily 02:00, duration: 1h, timezone: Europe/Viena}
)");
  REQUIRE(errors.size() == 5);
  checkError(errors[0], 16, 37, "maintenance[0].every",
             rules::parseRecurrence("sundy 02:00").error().message);
  CHECK_THAT(errors[0].message, Catch::Contains("sundy"));
  checkError(errors[1], 17, 37, "maintenance[1].start",
             "invalid start `2026-03-01T02:00:00`: use RFC 3339 with a UTC offset");
  checkError(errors[2], 18, 60, "maintenance[2].duration", "must be between 1m and 31d, got 30s");
  checkError(errors[3], 19, 60, "maintenance[3].duration", "must be between 1m and 31d, got 32d");
  checkError(errors[4], 20, 74, "maintenance[4].timezone",
             rules::validateTimezone("Europe/Viena").error().message);
  CHECK_THAT(errors[4].message, Catch::Contains("Europe/Viena"));
}

TEST_CASE("maintenance shops must exist, `all` stands alone, names are unique") {
  auto errors = errorsAfterShop(R"(maintenance:
  - {name: a, shops: [acmee], every: daily 02:00, duration: 1h}
  - {name: b, shops: [all, acme], every: daily 02:00, duration: 1h}
  - {name: c, shops: acme, every: daily 02:00, duration: 1h}
  - {name: d, shops: [acme, acme], every: daily 02:00, duration: 1h}
  - {name: a, shops: [acme], every: daily 03:00, duration: 1h}
  - {name: api-7, shops: [acme], every: daily 03:00, duration: 1h}
)");
  REQUIRE(errors.size() == 6);
  checkError(errors[0], 16, 23, "maintenance[0].shops[0]",
             "no shop `acmee` in this config; did you mean `acme`?");
  checkError(errors[1], 17, 23, "maintenance[1].shops[0]",
             "`all` means every shop: it stands alone");
  checkError(errors[2], 18, 22, "maintenance[2].shops", "expected a non-empty list of shop names");
  checkError(errors[3], 19, 29, "maintenance[3].shops[1]", "shop `acme` is listed twice");
  checkError(errors[4], 20, 12, "maintenance[4].name",
             "duplicate maintenance window `a` (first defined at 16:12)");
  checkError(errors[5], 21, 12, "maintenance[5].name", "`api-` names are reserved");
}

TEST_CASE("the api token must be a secret reference, never a literal") {
  SECTION("literal") {
    auto errors = errorsOf("agent: {client: acme, api_token: hunter2-but-longer}\n");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 1, 34, "agent.api_token",
               "api_token must come from ${env:NAME} or ${file:PATH}, never the YAML itself");
    // The message never repeats the literal it rejected.
    CHECK(errors[0].message.find("hunter2") == std::string::npos);
  }
  SECTION("a reference inside other text is a literal too") {
    auto errors = errorsOf("agent: {client: acme, api_token: \"Bearer ${env:T}\"}\n", {{"T", "x"}});
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 1, 34, "agent.api_token", "never the YAML itself");
  }
  SECTION("unset variable") {
    auto errors = errorsOf("agent: {client: acme, api_token: \"${env:NOPE}\"}\n");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 1, 34, "agent.api_token", "NOPE");
  }
  SECTION("empty") {
    auto errors = errorsOf("agent: {client: acme, api_token: \"${env:T}\"}\n", {{"T", ""}});
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 1, 34, "agent.api_token",
               "api_token is empty: `${env:T}` expands to nothing");
  }
}

TEST_CASE("canaries must be http(s) URLs in a list, shop `shopwatch` is the agent's") {
  auto errors = errorsOf(R"(agent:
  client: acme
  canary: [https://ok.example/, ftp://files.example/, "https://"]
shops:
  - name: shopwatch
    checks: [{name: home, url: "https://acme.example/"}]
)");
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 3, 33, "agent.canary[1]", "is not an http:// or https:// URL");
  checkError(errors[1], 3, 55, "agent.canary[2]", "has no host");
  checkError(errors[2], 5, 11, "shops[0].name",
             "shop name `shopwatch` is reserved for the agent's own checks (agent.canary)");
  auto scalar = errorsOf("agent: {client: acme, canary: https://ok.example/}\n");
  REQUIRE(scalar.size() == 1);
  checkError(scalar[0], 1, 31, "agent.canary", "expected a list of http(s) URLs");
}

TEST_CASE("depends_on must name one existing check, not itself, not a shop or a step") {
  auto errors = errorsOf(R"(agent: {client: acme}
shops:
  - name: acme
    defaults: {depends_on: acme/home}
    checks:
      - {name: home, url: "https://acme.example/"}
      - {name: a, url: "https://acme.example/a", depends_on: acme/hom}
      - {name: b, url: "https://acme.example/b", depends_on: acme/b}
      - {name: c, url: "https://acme.example/c", depends_on: acme/*}
      - {name: d, url: "https://acme.example/d", depends_on: acme/home/cart}
      - {name: e, url: "https://acme.example/e", depends_on: [acme/home]}
)");
  REQUIRE(errors.size() == 6);
  checkError(errors[0], 4, 16, "shops[0].defaults.depends_on",
             "`depends_on` cannot be a default: each check sets its own");
  checkError(errors[1], 7, 62, "shops[0].checks[1].depends_on",
             "depends_on: no check `acme/hom` in this config; did you mean `acme/home`?");
  checkError(errors[2], 8, 62, "shops[0].checks[2].depends_on", "a check cannot depend on itself");
  checkError(errors[3], 9, 62, "shops[0].checks[3].depends_on",
             "depends_on names one check (`shop/check`), not `acme/*`");
  checkError(errors[4], 10, 62, "shops[0].checks[4].depends_on",
             "depends_on names one check (`shop/check`), not `acme/home/cart`");
  checkError(errors[5], 11, 62, "shops[0].checks[5].depends_on", "expected a check");
}

TEST_CASE("depends_on cycles are errors naming the cycle, once") {
  auto errors = errorsOf(R"(agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: a, url: "https://acme.example/a", depends_on: acme/b}
      - {name: b, url: "https://acme.example/b", depends_on: acme/c}
      - {name: c, url: "https://acme.example/c", depends_on: acme/a}
      - {name: d, url: "https://acme.example/d", depends_on: acme/a}
rules:
  - {name: down, check: acme/*, expr: "availability < 99%"}
)");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 5, 62, "shops[0].checks[0].depends_on",
             "depends_on forms a cycle: acme/a -> acme/b -> acme/c -> acme/a");
}

TEST_CASE("depends_on across envs must be unambiguous") {
  auto errors = errorsOf(R"(agent: {client: acme}
shops:
  - {name: edge, env: eu, checks: [{name: cdn, url: "https://eu.cdn.example/"}]}
  - {name: edge, env: us, checks: [{name: cdn, url: "https://us.cdn.example/"}]}
  - name: acme
    checks:
      - {name: home, url: "https://acme.example/", depends_on: edge/cdn}
)");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 7, 64, "shops[2].checks[0].depends_on",
             "depends_on `edge/cdn` is ambiguous: it exists in envs `eu` and `us` but not in "
             "`production` (this check's env)");
}
