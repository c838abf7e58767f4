#include <catch2/catch.hpp>

#include "exposition_lint.h"
#include "external_tool.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alert_fixtures.h"
#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/status/agent_metrics.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "status_fixtures.h"
#include "test_client.h"

using namespace shopwatch;
using agent::http::HttpServer;
using agent::status::AlertBoard;
using nlohmann::json;

namespace {

const std::string kPromtool = "/usr/bin/promtool";

const std::string kAlertFamilies =
    "# HELP shopwatch_alert_state State of the alert: 0 ok, 1 pending, 2 firing, 3 suppressed.\n"
    "# TYPE shopwatch_alert_state gauge\n"
    "shopwatch_alert_state{rule=\"home-slow\",shop=\"acme\",env=\"production\",check=\"home\",step=\"\",severity=\"warning\"} 1\n"
    "shopwatch_alert_state{rule=\"checkout-down\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",severity=\"critical\"} 2\n"
    "shopwatch_alert_state{rule=\"cart-slow\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"cart\",severity=\"info\"} 0\n"
    "shopwatch_alert_state{rule=\"search-errors\",shop=\"acme\",env=\"production\",check=\"search\",step=\"\",severity=\"warning\"} 0\n"
    "shopwatch_alert_state{rule=\"home-slow\",shop=\"beta\",env=\"staging\",check=\"home\",step=\"\",severity=\"warning\"} 3\n"
    "shopwatch_alert_state{rule=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",severity=\"critical\"} 2\n"
    "# HELP shopwatch_alert_flapping Whether the alert is flapping (it then holds its state instead of toggling).\n"
    "# TYPE shopwatch_alert_flapping gauge\n"
    "shopwatch_alert_flapping{rule=\"home-slow\",shop=\"acme\",env=\"production\",check=\"home\",step=\"\",severity=\"warning\"} 0\n"
    "shopwatch_alert_flapping{rule=\"checkout-down\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",severity=\"critical\"} 0\n"
    "shopwatch_alert_flapping{rule=\"cart-slow\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"cart\",severity=\"info\"} 0\n"
    "shopwatch_alert_flapping{rule=\"search-errors\",shop=\"acme\",env=\"production\",check=\"search\",step=\"\",severity=\"warning\"} 0\n"
    "shopwatch_alert_flapping{rule=\"home-slow\",shop=\"beta\",env=\"staging\",check=\"home\",step=\"\",severity=\"warning\"} 1\n"
    "shopwatch_alert_flapping{rule=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",severity=\"critical\"} 0\n"
    "# HELP shopwatch_slo_objective_ratio Objective of the SLO as a ratio (99.5% is 0.995).\n"
    "# TYPE shopwatch_slo_objective_ratio gauge\n"
    "shopwatch_slo_objective_ratio{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\"} 0.995\n"
    "shopwatch_slo_objective_ratio{slo=\"cart-latency\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"cart\"} 0.99\n"
    "# HELP shopwatch_slo_error_budget_remaining_ratio Share of the SLO's error budget left over its period (negative when overspent).\n"
    "# TYPE shopwatch_slo_error_budget_remaining_ratio gauge\n"
    "shopwatch_slo_error_budget_remaining_ratio{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\"} 0.25\n"
    "# HELP shopwatch_slo_burn_rate Error ratio over the window divided by the SLO's error budget (1 spends it in exactly one period).\n"
    "# TYPE shopwatch_slo_burn_rate gauge\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"5m\"} 20\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"30m\"} 8\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"1h\"} 16\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"2h\"} 4\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"6h\"} 1.5\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"1d\"} 0.5\n"
    "shopwatch_slo_burn_rate{slo=\"checkout-availability\",shop=\"acme\",env=\"production\",check=\"checkout\",step=\"\",window=\"3d\"} 0.75\n"
    "# HELP shopwatch_rules_window_samples Runs held in the rule engine's KPI windows.\n"
    "# TYPE shopwatch_rules_window_samples gauge\n"
    "shopwatch_rules_window_samples 1234\n"
    "# HELP shopwatch_rules_memory_bytes Estimated memory of the rule engine's window and SLO state.\n"
    "# TYPE shopwatch_rules_memory_bytes gauge\n"
    "shopwatch_rules_memory_bytes 56789\n";

void checkWithPromtool(const std::string& text) {
  if (!testing::externalToolAvailable(kPromtool, "promtool check")) return;
  const auto r = testing::runTool(kPromtool + " check metrics", text);
  INFO("promtool output:\n" << r.output << "\ntext:\n" << text);
  CHECK(r.exit_code == 0);
  CHECK(r.output.empty());
}

void checkWithExpositionLint(const std::string& text) {
  const auto problems = testing::lintExposition(text);
  INFO("exposition lint:\n" << testing::formatLintProblems(problems) << "\ntext:\n" << text);
  CHECK(problems.empty());
}

/// A server with the standard endpoints and `board`; checks and agent metrics too, so /metrics is the
/// whole page a scrape sees.
struct AlertServer {
  explicit AlertServer(const AlertBoard* board) : metrics(agent::status::BuildInfo{"0.1.0", "7.88.1", "3.0"}) {
    auto spec = testing::makeSpec("acme", "home");
    table.setChecks({spec});
    testing::recordRun(table, spec->key, testing::passingResult(), false);
    agent::http::AgentEndpoints endpoints;
    endpoints.checks = &table;
    endpoints.metrics = &metrics;
    endpoints.alerts = board;
    agent::http::registerAgentEndpoints(server, std::move(endpoints));
    REQUIRE(server.start());
    base = "http://" + server.listenAddress();
  }

  testing::CurlReply get(const std::string& target) const { return testing::curlRequest(base + target); }

  json alerts(const std::string& query = "") const {
    const auto r = get("/api/v1/alerts" + query);
    REQUIRE(r.ok);
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "application/json");
    return json::parse(r.body);
  }

  agent::status::CheckStateTable table;
  agent::status::AgentMetrics metrics;
  HttpServer server;
  std::string base;
};

std::vector<std::string> ruleNames(const json& alerts) {
  std::vector<std::string> names;
  for (const auto& a : alerts) names.push_back(a.at("rule").get<std::string>() + "@" + a.at("shop").get<std::string>());
  return names;
}

}  // namespace

TEST_CASE("alert metrics are exactly the state, flapping, SLO and rules gauges of the snapshot") {
  std::string text;
  agent::status::writeAlertMetrics(*testing::makeAlertSnapshot(), text);
  CHECK(text == kAlertFamilies);
  checkWithExpositionLint(text);
  checkWithPromtool(text);
}

TEST_CASE("alert metrics of an empty snapshot are only the rules gauges") {
  std::string text;
  agent::status::writeAlertMetrics(agent::status::AlertSnapshot{}, text);
  CHECK(text ==
        "# HELP shopwatch_rules_window_samples Runs held in the rule engine's KPI windows.\n"
        "# TYPE shopwatch_rules_window_samples gauge\n"
        "shopwatch_rules_window_samples 0\n"
        "# HELP shopwatch_rules_memory_bytes Estimated memory of the rule engine's window and SLO state.\n"
        "# TYPE shopwatch_rules_memory_bytes gauge\n"
        "shopwatch_rules_memory_bytes 0\n");
}

TEST_CASE("GET /metrics appends the alert families after the agent metrics and passes promtool") {
  AlertBoard board;
  board.publish(testing::makeAlertSnapshot());
  AlertServer s(&board);
  const auto m = s.get("/metrics");
  REQUIRE(m.status == 200);
  const auto agent_at = m.body.find("shopwatch_build_info{");
  const auto alerts_at = m.body.find(kAlertFamilies);
  REQUIRE(agent_at != std::string::npos);
  REQUIRE(alerts_at != std::string::npos);
  CHECK(agent_at < alerts_at);
  CHECK(alerts_at + kAlertFamilies.size() == m.body.size());
  CHECK(m.body.find("probe_success{shop=\"acme\",env=\"production\",check=\"home\"} 1\n") != std::string::npos);
  checkWithExpositionLint(m.body);
  checkWithPromtool(m.body);

  // A new snapshot shows on the next scrape.
  auto next = std::make_shared<agent::status::AlertSnapshot>(*testing::makeAlertSnapshot());
  next->alerts[0].state = rules::AlertState::Firing;
  board.publish(next);
  const auto again = s.get("/metrics");
  CHECK(again.body.find("shopwatch_alert_state{rule=\"home-slow\",shop=\"acme\",env=\"production\",check=\"home\","
                        "step=\"\",severity=\"warning\"} 2\n") != std::string::npos);
}

TEST_CASE("GET /metrics without an alert board has no alert families") {
  AlertServer s(nullptr);
  const auto m = s.get("/metrics");
  REQUIRE(m.status == 200);
  CHECK(m.body.find("shopwatch_alert_") == std::string::npos);
  CHECK(m.body.find("shopwatch_rules_") == std::string::npos);
}

TEST_CASE("GET /api/v1/alerts lists every alert with its documented fields") {
  AlertBoard board;
  board.publish(testing::makeAlertSnapshot());
  AlertServer s(&board);
  const auto j = s.alerts();
  const auto& alerts = j.at("alerts");
  REQUIRE(alerts.size() == 6);

  CHECK(alerts[0] == json::parse(R"({
    "rule": "home-slow", "shop": "acme", "env": "production", "check": "home", "step": null,
    "state": "pending", "since": "2027-01-15T07:55:00Z", "value": 0.912, "threshold": 0.8,
    "severity": "warning", "expr": "p95 > 800ms", "flapping": false, "suppressed_by": null,
    "fired_at": null, "resolved_at": null, "value_text": "912ms", "threshold_text": "800ms"})"));
  CHECK(alerts[1] == json::parse(R"({
    "rule": "checkout-down", "shop": "acme", "env": "production", "check": "checkout", "step": null,
    "state": "firing", "since": "2027-01-15T07:50:00Z", "value": 0.75, "threshold": 1.0,
    "severity": "critical", "expr": "availability < 100%", "flapping": false, "suppressed_by": null,
    "fired_at": "2027-01-15T07:50:00Z", "resolved_at": null, "value_text": "75%", "threshold_text": "100%"})"));
  CHECK(alerts[2] == json::parse(R"({
    "rule": "cart-slow", "shop": "acme", "env": "production", "check": "checkout", "step": "cart",
    "state": "ok", "since": null, "value": null, "threshold": 2.0,
    "severity": "info", "expr": "p95 > 2s", "flapping": false, "suppressed_by": null,
    "fired_at": null, "resolved_at": null, "value_text": null, "threshold_text": "2s"})"));
  CHECK(alerts[3] == json::parse(R"({
    "rule": "search-errors", "shop": "acme", "env": "production", "check": "search", "step": null,
    "state": "resolved", "since": "2027-01-15T07:05:00Z", "value": 0.0, "threshold": 0.05,
    "severity": "warning", "expr": "error_rate > 5%", "flapping": false, "suppressed_by": null,
    "fired_at": "2027-01-15T07:00:00Z", "resolved_at": "2027-01-15T07:05:00Z",
    "value_text": "0%", "threshold_text": "5%"})"));
  CHECK(alerts[4] == json::parse(R"({
    "rule": "home-slow", "shop": "beta", "env": "staging", "check": "home", "step": null,
    "state": "suppressed", "since": "2027-01-15T07:58:00Z", "value": 1.5, "threshold": 0.8,
    "severity": "warning", "expr": "p95 > 800ms", "flapping": true,
    "suppressed_by": "maintenance weekly-updates", "fired_at": null, "resolved_at": null,
    "value_text": "1500ms", "threshold_text": "800ms"})"));
  // A burn-rate alert's expr is its tier: no KPI, so no unit texts.
  CHECK(alerts[5] == json::parse(R"({
    "rule": "checkout-availability", "shop": "acme", "env": "production", "check": "checkout", "step": null,
    "state": "firing", "since": "2027-01-15T07:57:00Z", "value": 20.0, "threshold": 14.4,
    "severity": "critical", "expr": "1h/5m", "flapping": false, "suppressed_by": null,
    "fired_at": "2027-01-15T07:57:00Z", "resolved_at": null, "value_text": null, "threshold_text": null})"));

  const auto& slos = j.at("slos");
  REQUIRE(slos.size() == 2);
  CHECK(slos[0] == json::parse(R"({
    "slo": "checkout-availability", "shop": "acme", "env": "production", "check": "checkout", "step": null,
    "objective": 0.995, "budget_remaining": 0.25, "events": 8640, "bad": 32,
    "burn_rates": {"5m": 20.0, "30m": 8.0, "1h": 16.0, "2h": 4.0, "6h": 1.5, "1d": 0.5, "3d": 0.75},
    "breach": {"tier": "1h/5m", "severity": "critical", "factor": 14.4, "long_burn": 16.0,
               "short_burn": 20.0, "short_window": "15m"}})"));
  CHECK(slos[1] == json::parse(R"({
    "slo": "cart-latency", "shop": "acme", "env": "production", "check": "checkout", "step": "cart",
    "objective": 0.99, "budget_remaining": null, "events": 0, "bad": 0,
    "burn_rates": {"5m": null, "30m": null, "1h": null, "2h": null, "6h": null, "1d": null, "3d": null},
    "breach": null})"));

  CHECK(j.at("maintenance") == json::parse(R"([
    {"name": "weekly-updates", "id": null, "start": "2027-01-15T07:30:00Z", "end": "2027-01-15T09:30:00Z",
     "reason": "OS updates"},
    {"name": "api-7", "id": 7, "start": "2027-01-15T07:50:00Z", "end": "2027-01-15T08:50:00Z",
     "reason": "deploy 4.2"}])"));
}

TEST_CASE("GET /api/v1/alerts filters by state and shop") {
  AlertBoard board;
  board.publish(testing::makeAlertSnapshot());
  AlertServer s(&board);
  using V = std::vector<std::string>;

  CHECK(ruleNames(s.alerts("?state=firing").at("alerts")) == V{"checkout-down@acme", "checkout-availability@acme"});
  CHECK(ruleNames(s.alerts("?state=firing,pending&state=resolved").at("alerts")) ==
        V{"home-slow@acme", "checkout-down@acme", "search-errors@acme", "checkout-availability@acme"});
  CHECK(ruleNames(s.alerts("?state=ok").at("alerts")) == V{"cart-slow@acme"});
  CHECK(ruleNames(s.alerts("?state=resolved").at("alerts")) == V{"search-errors@acme"});
  CHECK(ruleNames(s.alerts("?state=suppressed").at("alerts")) == V{"home-slow@beta"});
  // The state filter is about alerts; SLOs stay.
  CHECK(s.alerts("?state=firing").at("slos").size() == 2);

  const auto beta = s.alerts("?shop=beta");
  CHECK(ruleNames(beta.at("alerts")) == V{"home-slow@beta"});
  CHECK(beta.at("slos").empty());
  CHECK(beta.at("maintenance").size() == 2);
  CHECK(ruleNames(s.alerts("?shop=acme&state=firing").at("alerts")) ==
        V{"checkout-down@acme", "checkout-availability@acme"});
  CHECK(ruleNames(s.alerts("?shop=beta,acme&state=suppressed").at("alerts")) == V{"home-slow@beta"});
  CHECK(s.alerts("?shop=acme").at("slos").size() == 2);
  CHECK(s.alerts("?shop=nobody").at("alerts").empty());
  // Percent-encoded and unknown parameters.
  CHECK(ruleNames(s.alerts("?state=firing%2Cpending&page=2").at("alerts")).size() == 3);

  const auto bad = s.get("/api/v1/alerts?state=burning");
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body) ==
        json{{"error", "state: unknown value \"burning\" (expected ok, pending, firing, suppressed or resolved)"}});
}

TEST_CASE("GET /api/v1/alerts without a board or before the first publish is an empty list") {
  const json empty = {{"alerts", json::array()}, {"slos", json::array()}, {"maintenance", json::array()}};
  {
    AlertServer s(nullptr);
    CHECK(s.alerts() == empty);
  }
  AlertBoard board;
  AlertServer s(&board);
  CHECK(s.alerts() == empty);
  CHECK(s.get("/api/v1/alerts").body.back() == '\n');
  CHECK(testing::curlRequest(s.base + "/api/v1/alerts", "HEAD").status == 200);
  CHECK(testing::curlRequest(s.base + "/api/v1/alerts", "POST", "{}").status == 405);
}
