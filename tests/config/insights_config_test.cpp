// `insights:` ([F]) as the loader produces it: the issue's example field by field, the defaults,
// the checks against `backlog:` and the loaded checks, and one FILE:LINE:COL error per bad value.
#include <algorithm>
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/config_reference.h"
#include "shopwatch/agent/config/insights_settings.h"
#include "shopwatch/agent/config/insights_summary.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

namespace {

const std::map<std::string, std::string> kEnv = {{"JIRA_TOKEN", "jira-secret"}};

// Lines 1-14: kShop (check acme/home, journey acme/checkout with steps product, cart and cleanup
// empty-cart); lines 15-22: jira and a webhook. The `insights:` text given starts at line 23.
std::string withInsights(const std::string& insights) {
  return std::string(kShop) +
         "backlog:\n"
         "  jira:\n"
         "    url: https://acme.atlassian.net\n"
         "    flavor: cloud\n"
         "    email: ops@agency.example\n"
         "    token: ${env:JIRA_TOKEN}\n"
         "    project: SHOP\n"
         "  webhook: {url: https://hooks.agency.example/x}\n" +
         insights;
}

constexpr int kInsightsLine = 23;

const char* const kIssueExample =
    "insights:\n"
    "  asset_hosts: [cdn.acme.example, static.acme.example]\n"
    "  backlog: jira\n"
    "  issue_type: Improvement\n"
    "  min_priority: warning\n"
    "  checkout_weight: 3\n"
    "  weights: { \"acme/checkout\": 3, \"acme/checkout/cart\": 5 }\n"
    "  audit_interval: 6h\n"
    "  max_assets: 60\n"
    "  max_asset_bytes: 20MB\n"
    "  page_weight_limit: 3MB\n"
    "  image_limit: 300KB\n"
    "  close_after: 7d\n";

using Weights = std::vector<std::pair<std::string, double>>;

}  // namespace

TEST_CASE("the issue's insights example loads exactly as written") {
  auto result = load(withInsights(kIssueExample), kEnv);
  const AgentConfig& config = loaded(result);
  INFO(allWarnings(result));
  CHECK(result.warnings.empty());
  const InsightsSettings& s = config.insights;
  CHECK(s.asset_hosts == std::vector<std::string>{"cdn.acme.example", "static.acme.example"});
  CHECK(s.backlog == "jira");
  CHECK(s.issue_type == "Improvement");
  CHECK(s.min_priority == rules::Severity::Warning);
  CHECK(s.checkout_weight == 3.0);
  CHECK(s.weights == Weights{{"acme/checkout", 3.0}, {"acme/checkout/cart", 5.0}});
  CHECK(s.audit_interval == 6h);
  CHECK(s.max_assets == 60);
  CHECK(s.max_asset_bytes == 20'000'000u);
  CHECK(s.page_weight_limit == 3'000'000u);
  CHECK(s.image_limit == 300'000u);
  CHECK(s.close_after == 7 * 24h);
  CHECK(s.line == kInsightsLine);
}

TEST_CASE("without an insights section every setting has its default and the line is 0") {
  auto result = load(withInsights(""), kEnv);
  const InsightsSettings& s = loaded(result).insights;
  const InsightsSettings defaults;
  CHECK(s.asset_hosts.empty());
  CHECK(s.backlog.empty());
  CHECK(s.issue_type.empty());
  CHECK(s.min_priority == rules::Severity::Warning);
  CHECK(s.checkout_weight == 3.0);
  CHECK(s.weights.empty());
  CHECK(s.audit_interval == 6h);
  CHECK(s.max_assets == defaults.max_assets);
  CHECK(s.max_asset_bytes == 10u * 1024 * 1024);
  CHECK(s.page_weight_limit == 3u * 1024 * 1024);
  CHECK(s.image_limit == 300u * 1024);
  CHECK(s.close_after == 7 * 24h);
  CHECK(s.line == 0);
  CHECK(insightsSummary(loaded(result)).empty());

  auto empty = load(withInsights("insights:\n"), kEnv);
  const InsightsSettings& e = loaded(empty).insights;
  CHECK(e.backlog.empty());
  CHECK(e.weights.empty());
  CHECK(e.audit_interval == 6h);
  CHECK(e.line == kInsightsLine);
}

TEST_CASE("insights values: other sinks and priorities, fractional weights, audits off") {
  auto result = load(withInsights("insights:\n"
                                  "  asset_hosts: [CDN.Acme.Example, 203.0.113.7]\n"
                                  "  backlog: webhook\n"
                                  "  min_priority: critical\n"
                                  "  checkout_weight: 2.5\n"
                                  "  weights: {acme/home: 0.5, acme/checkout/empty-cart: 1}\n"
                                  "  audit_interval: 0\n"
                                  "  max_assets: 0\n"
                                  "  max_asset_bytes: 2MiB\n"
                                  "  page_weight_limit: 1500000\n"
                                  "  image_limit: 200KiB\n"
                                  "  close_after: 36h\n"),
                     kEnv);
  const InsightsSettings& s = loaded(result).insights;
  CHECK(s.asset_hosts == std::vector<std::string>{"cdn.acme.example", "203.0.113.7"});
  CHECK(s.backlog == "webhook");
  CHECK(s.issue_type.empty());
  CHECK(s.min_priority == rules::Severity::Critical);
  CHECK(s.checkout_weight == 2.5);
  CHECK(s.weights == Weights{{"acme/home", 0.5}, {"acme/checkout/empty-cart", 1.0}});
  CHECK(s.audit_interval.count() == 0);
  CHECK(s.max_assets == 0);
  CHECK(s.max_asset_bytes == 2u * 1024 * 1024);
  CHECK(s.page_weight_limit == 1'500'000u);
  CHECK(s.image_limit == 200u * 1024);
  CHECK(s.close_after == 36h);

  auto info = load(withInsights("insights: {min_priority: info}\n"), kEnv);
  CHECK(loaded(info).insights.min_priority == rules::Severity::Info);
}

TEST_CASE("insights may come before the shops and the backlog it names") {
  const std::string text =
      "agent:\n"
      "  client: acme\n"
      "insights:\n"
      "  backlog: redmine\n"
      "  weights: {acme/checkout/cart: 4}\n"
      "backlog:\n"
      "  redmine:\n"
      "    url: https://redmine.agency.example\n"
      "    api_key: ${env:REDMINE_KEY}\n"
      "    project: shop\n"
      "shops:\n"
      "  - name: acme\n"
      "    base_url: https://shop.acme.example\n"
      "    checks:\n"
      "      - name: checkout\n"
      "        steps: [{name: cart, url: /cart}]\n";
  auto result = load(text, {{"REDMINE_KEY", "key"}});
  const InsightsSettings& s = loaded(result).insights;
  CHECK(s.backlog == "redmine");
  CHECK(s.weights == Weights{{"acme/checkout/cart", 4.0}});
  CHECK(s.line == 3);
}

namespace {

struct BadCase {
  const char* what;
  std::string insights;  ///< from line kInsightsLine
  int line;              ///< the error's line
  int column;            ///< the error's column
  const char* path;      ///< the error's key path
  const char* message;   ///< a part of the message
};

}  // namespace

TEST_CASE("each bad insights value gives one error at its line naming the key") {
  const int s = kInsightsLine;
  const std::vector<BadCase> cases = {
      {"unknown key", "insights:\n  max_asset: 10\n", s + 1, 3, "insights.max_asset",
       "unknown key `max_asset`; did you mean `max_assets`?"},
      {"unknown key without a close match", "insights:\n  frobnicate: 1\n", s + 1, 3,
       "insights.frobnicate", "valid keys: `asset_hosts`, `backlog`"},
      {"section not a map", "insights: [jira]\n", s, 11, "insights", "expected a map"},
      {"bad severity", "insights:\n  min_priority: urgent\n", s + 1, 17, "insights.min_priority",
       "invalid min_priority `urgent` (use `info`, `warning` or `critical`)"},
      {"unknown sink", "insights:\n  backlog: jirra\n", s + 1, 12, "insights.backlog",
       "unknown sink `jirra`; did you mean `jira`?"},
      {"unknown sink without a close match", "insights:\n  backlog: trello\n", s + 1, 12,
       "insights.backlog", "unknown sink `trello` (sinks: `jira`, `redmine` or `webhook`)"},
      {"sink not configured", "insights:\n  backlog: redmine\n", s + 1, 12, "insights.backlog",
       "sink `redmine` is not configured under `backlog:` (configured: `jira` or `webhook`)"},
      {"alertmanager keeps no issues", "insights:\n  backlog: alertmanager\n", s + 1, 12,
       "insights.backlog", "alertmanager raises alerts and keeps no issues"},
      {"issue type empty", "insights:\n  issue_type: \"\"\n", s + 1, 15, "insights.issue_type",
       "must not be empty"},
      {"unknown weight check", "insights:\n  weights: {acme/chekout: 2}\n", s + 1, 13,
       "insights.weights.acme/chekout",
       "no check `acme/chekout` in this config; did you mean `acme/checkout`?"},
      {"unknown weight shop", "insights:\n  weights: {acmee/home: 2}\n", s + 1, 13,
       "insights.weights.acmee/home",
       "no check `acmee/home` in this config; did you mean `acme/home`?"},
      {"unknown weight step", "insights:\n  weights: {acme/checkout/crt: 2}\n", s + 1, 13,
       "insights.weights.acme/checkout/crt",
       "journey `acme/checkout` has no step `crt`; did you mean `acme/checkout/cart`?"},
      {"weight step of a plain check", "insights:\n  weights: {acme/home/cart: 2}\n", s + 1, 13,
       "insights.weights.acme/home/cart", "`acme/home` is not a journey, so it has no step `cart`"},
      {"weight wildcard", "insights:\n  weights: {acme/*: 2}\n", s + 1, 13,
       "insights.weights.acme/*", "not `acme/*`"},
      {"weight name not shop/check", "insights:\n  weights: {home: 2}\n", s + 1, 13,
       "insights.weights.home", "home"},
      {"negative weight", "insights:\n  weights: {acme/home: -1}\n", s + 1, 24,
       "insights.weights.acme/home", "a weight must be greater than 0, got `-1`"},
      {"zero weight", "insights:\n  weights: {acme/home: 0}\n", s + 1, 24,
       "insights.weights.acme/home", "a weight must be greater than 0, got `0`"},
      {"weight not a number", "insights:\n  weights: {acme/home: heavy}\n", s + 1, 24,
       "insights.weights.acme/home", "expected a number, got `heavy`"},
      {"weight named twice", "insights:\n  weights: {acme/home: 2, acme/home: 3}\n", s + 1, 27,
       "insights.weights.acme/home", "`acme/home` is weighted twice"},
      {"weights not a map", "insights:\n  weights: [acme/home]\n", s + 1, 12, "insights.weights",
       "expected a map of `shop/check` or `shop/check/step` to a weight"},
      {"negative checkout weight", "insights:\n  checkout_weight: -3\n", s + 1, 20,
       "insights.checkout_weight", "a weight must be greater than 0, got `-3`"},
      {"bad size", "insights:\n  max_asset_bytes: 20XB\n", s + 1, 20, "insights.max_asset_bytes",
       "invalid size \"20XB\": unknown unit \"XB\""},
      {"size not a number", "insights:\n  page_weight_limit: big\n", s + 1, 22,
       "insights.page_weight_limit", "invalid size \"big\""},
      {"zero size", "insights:\n  image_limit: 0\n", s + 1, 16, "insights.image_limit",
       "must be greater than zero"},
      {"host with a scheme", "insights:\n  asset_hosts: [https://cdn.acme.example]\n", s + 1, 17,
       "insights.asset_hosts[0]",
       "`https://cdn.acme.example` has a scheme: write the host name alone (`cdn.acme.example`)"},
      {"host with a port", "insights:\n  asset_hosts: [cdn.acme.example:443]\n", s + 1, 17,
       "insights.asset_hosts[0]", "`cdn.acme.example:443` has a port"},
      {"host with a path", "insights:\n  asset_hosts: [cdn.acme.example/static]\n", s + 1, 17,
       "insights.asset_hosts[0]", "`cdn.acme.example/static` has a path"},
      {"host with a bad character", "insights:\n  asset_hosts: [cdn_acme.example]\n", s + 1, 17,
       "insights.asset_hosts[0]",
       "host name `cdn_acme.example` may hold only letters, digits, `-` and `.`"},
      {"host with an empty label", "insights:\n  asset_hosts: [cdn..example]\n", s + 1, 17,
       "insights.asset_hosts[0]", "has an empty label"},
      {"host listed twice", "insights:\n  asset_hosts: [cdn.acme.example, CDN.acme.example]\n",
       s + 1, 35, "insights.asset_hosts[1]", "host `cdn.acme.example` is listed twice"},
      {"hosts not a list", "insights:\n  asset_hosts: cdn.acme.example\n", s + 1, 16,
       "insights.asset_hosts", "expected a list of host names"},
      {"too many assets", "insights:\n  max_assets: 5000\n", s + 1, 15, "insights.max_assets",
       "must be between 0 and 1000, got 5000"},
      {"audit interval too short", "insights:\n  audit_interval: 30s\n", s + 1, 19,
       "insights.audit_interval", "must be 0 (no audits) or at least 1m, got `30s`"},
      {"audit interval not a duration", "insights:\n  audit_interval: often\n", s + 1, 19,
       "insights.audit_interval", "often"},
      {"close_after zero", "insights:\n  close_after: 0s\n", s + 1, 16, "insights.close_after",
       "must be greater than zero"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto result = load(withInsights(c.insights), kEnv);
    INFO(allErrors(result));
    CHECK_FALSE(result.config);
    REQUIRE(result.errors.size() == 1);
    const auto& e = result.errors[0];
    CHECK(e.file == "acme.yaml");
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK(e.path == c.path);
    CHECK_THAT(e.message, Catch::Contains(c.message));
  }
}

TEST_CASE("an insights backlog without any filing sink says none is configured") {
  auto result = load(std::string(kShop) + "insights:\n  backlog: jira\n");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].format() ==
        "acme.yaml:16:12: insights.backlog: sink `jira` is not configured under `backlog:` (no "
        "filing sink is configured)");
}

TEST_CASE("insights errors are formatted as FILE:LINE:COL with the key path") {
  auto result = load(withInsights("insights:\n  weights: {acme/chekout: 2}\n"), kEnv);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].format() ==
        "acme.yaml:24:13: insights.weights.acme/chekout: no check `acme/chekout` in this config; "
        "did you mean `acme/checkout`?");
}

TEST_CASE("check-config shows the insights settings when the section is written") {
  auto result = load(withInsights(kIssueExample), kEnv);
  const auto lines = insightsSummary(loaded(result));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "asset hosts  cdn.acme.example, static.acme.example");
  CHECK(
      lines[1] ==
      "audits every 6h  max 60 assets, each up to 20MB  page weight limit 3MB  image limit 300KB");
  CHECK(
      lines[2] ==
      "filed into jira  issue type Improvement  from warning  closed 7d after the finding is gone");
  CHECK(lines[3] == "weights  checkout 3  acme/checkout 3, acme/checkout/cart 5");

  auto bare = load(withInsights("insights:\n  audit_interval: 0s\n"), kEnv);
  const auto defaults = insightsSummary(loaded(bare));
  REQUIRE(defaults.size() == 4);
  CHECK(defaults[0] == "asset hosts  each page's own host only");
  CHECK(defaults[1] == "audits off");
  CHECK(defaults[2] == "not filed (no insights.backlog)");
  CHECK(defaults[3] == "weights  checkout 3");
}

TEST_CASE("byte sizes are shown in the unit they were most likely written in") {
  CHECK(formatByteSize(3u * 1024 * 1024) == "3MiB");
  CHECK(formatByteSize(300u * 1024) == "300KiB");
  CHECK(formatByteSize(20'000'000) == "20MB");
  CHECK(formatByteSize(1'500'000) == "1500KB");
  CHECK(formatByteSize(1500) == "1500B");
}

TEST_CASE("the key reference documents insights and each of its keys") {
  auto rows = keyReference();
  auto has = [&](std::string_view section, std::string_view key) {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const KeyDoc& row) { return row.section == section && row.key == key; });
  };
  CHECK(has("", "insights"));
  for (const char* key : {"asset_hosts", "backlog", "issue_type", "min_priority", "checkout_weight",
                          "weights", "audit_interval", "max_assets", "max_asset_bytes",
                          "page_weight_limit", "image_limit", "close_after"}) {
    INFO(key);
    CHECK(has("insights", key));
  }
}
