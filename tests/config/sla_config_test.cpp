// `sla:` and `agent.timezone` ([E]) as the loader produces them: the example field by
// field, the defaults, every value form, and one FILE:LINE:COL error for each bad value.
#include <algorithm>
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/config_reference.h"
#include "shopwatch/agent/config/sla_settings.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

namespace {

// Lines 1-19: shop `acme` (checks home, checkout) in production, `acme` in staging with `search`,
// shop `beta` with `home`. The `sla:` text given starts at line 20.
std::string withSla(const std::string& sla, const std::string& agent_extra = "") {
  return "agent:\n"
         "  client: acme\n" +
         agent_extra +
         "shops:\n"
         "  - name: acme\n"
         "    base_url: https://shop.acme.example\n"
         "    checks:\n"
         "      - {name: home, url: /}\n"
         "      - {name: checkout, url: /checkout}\n"
         "  - name: acme\n"
         "    env: staging\n"
         "    base_url: https://staging.acme.example\n"
         "    checks:\n"
         "      - {name: search, url: /search}\n"
         "  - name: beta\n"
         "    base_url: https://beta.example\n"
         "    checks:\n"
         "      - {name: home, url: /}\n"
         "# line 18\n"
         "# line 19\n" +
         sla;
}

constexpr int kSlaLine = 20;

}  // namespace

TEST_CASE("the issue's sla example and agent.timezone load exactly as written") {
  auto result = load(readFixture("issue-e-sla.yaml"));
  const AgentConfig& config = loaded(result);
  INFO(allWarnings(result));
  CHECK(result.warnings.empty());
  CHECK(config.agent.timezone == "Europe/Vienna");
  REQUIRE(config.sla.size() == 1);
  const SlaTerms& sla = config.sla[0];
  CHECK(sla.shops == std::vector<std::string>{"acme"});
  CHECK(sla.target == Approx(0.999).epsilon(1e-12));
  CHECK(sla.target_text == "99.9%");
  CHECK(sla.checks == std::vector<std::string>{"acme/home", "acme/checkout"});
  CHECK(sla.maintenance == SlaMaintenance::Exclude);
  CHECK(sla.unmonitored == SlaUnmonitored::Exclude);
  CHECK(sla.apdex_t == 500ms);
  CHECK(sla.line == 17);
}

TEST_CASE("without sla and agent.timezone there are no terms and the contract zone is UTC") {
  auto result = load(withSla(""));
  const AgentConfig& config = loaded(result);
  CHECK(config.sla.empty());
  CHECK(config.agent.timezone == "UTC");

  auto empty = load(withSla("sla:\n"));
  CHECK(loaded(empty).sla.empty());
}

TEST_CASE("an sla entry with only shops gets the default terms and measures every check") {
  auto result = load(withSla("sla:\n  - shops: [acme]\n"));
  const AgentConfig& config = loaded(result);
  REQUIRE(config.sla.size() == 1);
  const SlaTerms& sla = config.sla[0];
  CHECK(sla.shops == std::vector<std::string>{"acme"});
  CHECK(sla.target == Approx(0.999).epsilon(1e-12));
  CHECK(sla.target_text == "99.9%");
  CHECK(sla.checks.empty());
  CHECK(sla.maintenance == SlaMaintenance::Exclude);
  CHECK(sla.unmonitored == SlaUnmonitored::Exclude);
  CHECK(sla.apdex_t == 500ms);
  CHECK(sla.line == kSlaLine + 1);
}

TEST_CASE(
    "sla values: ratios up to 100 percent, every maintenance and unmonitored choice, apdex_t") {
  auto result =
      load(withSla("sla:\n"
                   "  - shops: [acme]\n"
                   "    target: 0.995\n"
                   "    checks: [acme/home, acme/search]\n"  // search: staging only
                   "    maintenance: count_as_downtime\n"
                   "    unmonitored: up\n"
                   "    apdex_t: 250ms\n"
                   "  - shops: [beta]\n"
                   "    target: 100%\n"
                   "    unmonitored: down\n",
                   "  timezone: America/New_York\n"));
  const AgentConfig& config = loaded(result);
  CHECK(config.agent.timezone == "America/New_York");
  REQUIRE(config.sla.size() == 2);
  const SlaTerms& acme = config.sla[0];
  CHECK(acme.target == Approx(0.995).epsilon(1e-12));
  CHECK(acme.target_text == "0.995");
  CHECK(acme.checks == std::vector<std::string>{"acme/home", "acme/search"});
  CHECK(acme.maintenance == SlaMaintenance::CountAsDowntime);
  CHECK(acme.unmonitored == SlaUnmonitored::Up);
  CHECK(acme.apdex_t == 250ms);
  CHECK(acme.line == kSlaLine + 2);
  const SlaTerms& beta = config.sla[1];
  CHECK(beta.shops == std::vector<std::string>{"beta"});
  CHECK(beta.target == 1.0);
  CHECK(beta.target_text == "100%");
  CHECK(beta.unmonitored == SlaUnmonitored::Down);
  CHECK(beta.line == kSlaLine + 8);

  auto both =
      load(withSla("sla:\n  - shops: [acme, beta]\n    checks: [beta/home, acme/checkout]\n"));
  REQUIRE(loaded(both).sla.size() == 1);
  CHECK(loaded(both).sla[0].shops == std::vector<std::string>{"acme", "beta"});
}

TEST_CASE("the sla choices have their config names") {
  CHECK(slaMaintenanceName(SlaMaintenance::Exclude) == "exclude");
  CHECK(slaMaintenanceName(SlaMaintenance::CountAsDowntime) == "count_as_downtime");
  CHECK(slaUnmonitoredName(SlaUnmonitored::Exclude) == "exclude");
  CHECK(slaUnmonitoredName(SlaUnmonitored::Up) == "up");
  CHECK(slaUnmonitoredName(SlaUnmonitored::Down) == "down");
}

namespace {

struct BadCase {
  const char* what;
  std::string sla;      ///< from line kSlaLine
  std::string agent;    ///< extra `agent:` lines (from line 3)
  int line;             ///< the error's line
  int column;           ///< the error's column
  const char* message;  ///< a part of the message
};

}  // namespace

TEST_CASE("each bad sla or timezone value gives one error at its line") {
  const int s = kSlaLine;
  const std::vector<BadCase> cases = {
      {"unknown key", "sla:\n  - shops: [acme]\n    taget: 99%\n", "", s + 2, 5,
       "unknown key `taget`; did you mean `target`?"},
      {"not a list", "sla:\n  shops: [acme]\n", "", s + 1, 3, "expected a list of SLA terms"},
      {"entry not a map", "sla:\n  - acme\n", "", s + 1, 5, "expected a map"},
      {"shops missing", "sla:\n  - target: 99%\n", "", s + 1, 5, "missing required key `shops`"},
      {"shops empty", "sla:\n  - shops: []\n", "", s + 1, 12, "non-empty list of shop names"},
      {"shops not a list", "sla:\n  - shops: acme\n", "", s + 1, 12,
       "non-empty list of shop names"},
      {"shop listed twice", "sla:\n  - shops: [acme, acme]\n", "", s + 1, 19, "listed twice"},
      {"unknown shop", "sla:\n  - shops: [acmee]\n", "", s + 1, 13,
       "no shop `acmee` in this config; did you mean `acme`?"},
      {"unknown shop with its checks (reported once, at the shop)",
       "sla:\n  - shops: [acmee]\n    checks: [acmee/home]\n", "", s + 1, 13,
       "no shop `acmee` in this config"},
      {"bad shop name", "sla:\n  - shops: [Acme]\n", "", s + 1, 13, "Acme"},
      {"shop in two entries", "sla:\n  - shops: [acme]\n  - shops: [beta, acme]\n", "", s + 2, 19,
       "shop `acme` already has SLA terms (its `sla` entry at 21:13)"},
      {"target not a ratio", "sla:\n  - shops: [acme]\n    target: high\n", "", s + 2, 13,
       "expected a ratio such as `99.9%` or `0.999`, got `high`"},
      {"target without percent", "sla:\n  - shops: [acme]\n    target: 99.9\n", "", s + 2, 13,
       "write `99.9%`"},
      {"target zero", "sla:\n  - shops: [acme]\n    target: 0%\n", "", s + 2, 13,
       "above 0% and at most 100%"},
      {"target above 100", "sla:\n  - shops: [acme]\n    target: 100.1%\n", "", s + 2, 13,
       "above 0% and at most 100%"},
      {"target a list", "sla:\n  - shops: [acme]\n    target: [99%]\n", "", s + 2, 13, "ratio"},
      {"checks empty", "sla:\n  - shops: [acme]\n    checks: []\n", "", s + 2, 13,
       "leave `checks` out"},
      {"check not shop/check", "sla:\n  - shops: [acme]\n    checks: [home]\n", "", s + 2, 14,
       "home"},
      {"check a wildcard", "sla:\n  - shops: [acme]\n    checks: [acme/*]\n", "", s + 2, 14,
       "expected a check `shop/check`, got `acme/*`"},
      {"check a step", "sla:\n  - shops: [acme]\n    checks: [acme/home/cart]\n", "", s + 2, 14,
       "expected a check `shop/check`"},
      {"check listed twice", "sla:\n  - shops: [acme]\n    checks: [acme/home, acme/home]\n", "",
       s + 2, 25, "check `acme/home` is listed twice"},
      {"unknown check", "sla:\n  - shops: [acme]\n    checks: [acme/hom]\n", "", s + 2, 14,
       "no check `acme/hom` in this config; did you mean `acme/home`?"},
      {"check of another shop", "sla:\n  - shops: [acme]\n    checks: [acme/home, beta/home]\n", "",
       s + 2, 25, "`beta/home` is not a check of this entry's shops (`acme`)"},
      {"bad maintenance", "sla:\n  - shops: [acme]\n    maintenance: ignore\n", "", s + 2, 18,
       "invalid maintenance `ignore` (use `exclude` or `count_as_downtime`)"},
      {"bad unmonitored", "sla:\n  - shops: [acme]\n    unmonitored: maybe\n", "", s + 2, 18,
       "invalid unmonitored `maybe` (use `exclude`, `up` or `down`)"},
      {"apdex_t not a duration", "sla:\n  - shops: [acme]\n    apdex_t: fast\n", "", s + 2, 14,
       "fast"},
      {"apdex_t too long", "sla:\n  - shops: [acme]\n    apdex_t: 1h\n", "", s + 2, 14,
       "must be between 1ms and 10m"},
      {"unknown timezone", "", "  timezone: Europe/Vienn\n", 3, 13,
       "unknown time zone \"Europe/Vienn\""},
      {"timezone a list", "", "  timezone: [UTC]\n", 3, 13, "IANA time zone"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto result = load(withSla(c.sla, c.agent));
    INFO(allErrors(result));
    CHECK_FALSE(result.config);
    REQUIRE(result.errors.size() == 1);
    const auto& e = result.errors[0];
    CHECK(e.file == "acme.yaml");
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK_THAT(e.message, Catch::Contains(c.message));
  }
}

TEST_CASE("sla errors name their key path") {
  auto result =
      load(withSla("sla:\n  - shops: [acme]\n  - shops: [beta]\n    checks: [beta/hme]\n"));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].path == "sla[1].checks[0]");
  CHECK(result.errors[0].format() ==
        "acme.yaml:23:14: sla[1].checks[0]: no check `beta/hme` in this config; did you mean "
        "`beta/home`?");
}

TEST_CASE("the key reference documents sla and agent.timezone") {
  auto rows = keyReference();
  auto has = [&](std::string_view section, std::string_view key) {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const KeyDoc& row) { return row.section == section && row.key == key; });
  };
  CHECK(has("", "sla"));
  CHECK(has("agent", "timezone"));
  for (const char* key : {"shops", "target", "checks", "maintenance", "unmonitored", "apdex_t"}) {
    INFO(key);
    CHECK(has("sla[]", key));
  }
}
