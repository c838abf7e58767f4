// Incidents end to end ([D]): the agent against a fake shop, its Jira sink pointed at the DemoBacklog
// (a fake Jira Cloud on loopback). An outage files exactly one issue through the real planner, outbox
// and sink; recovery comments on it and resolves it; a Jira that is down for the whole incident gets
// every action once it is back.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::loadConfigFile;
using shopwatch::agent::runtime::AgentRuntime;
using shopwatch::agent::runtime::DemoBacklog;
using shopwatch::agent::runtime::DemoBacklogOptions;
using shopwatch::agent::runtime::DemoIssue;
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

constexpr const char* kJiraTokenEnv = "SHOPWATCH_BACKLOG_E2E_TOKEN";
constexpr const char* kJiraToken = "jira-e2e-token";

std::string configYaml(const FakeHttpServer& shop, const DemoBacklog& jira, const std::filesystem::path& db) {
  return "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + db.string() +
         "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
         "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n      confirm_delay: 200ms\n"
         "    checks:\n      - name: home\n        url: /home\n"
         "rules:\n  - name: shop-down\n    check: shop/home\n    expr: availability < 100%\n"
         "    window: 3s\n    for: 1s\n    clear_for: 2s\n    severity: critical\n"
         "backlog:\n  jira:\n    url: " + jira.baseUrl() +
         "\n    flavor: cloud\n    email: demo@shopwatch.invalid\n    token: ${env:" + kJiraTokenEnv +
         "}\n    project: SHOP\n    issue_type: Incident\n";
}

struct Agent {
  explicit Agent(const std::filesystem::path& file) {
    RuntimeOptions options;
    options.listen_override = "127.0.0.1:0";
    options.drain_timeout = 2000ms;
    agent = std::make_unique<AgentRuntime>(options);
    auto loaded = loadConfigFile(file.string());
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.format() + "\n";
    INFO(errors);
    REQUIRE(loaded.ok());
    REQUIRE(agent->start(std::move(*loaded.config)).ok());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(agent->port()) + path;
  }
  std::unique_ptr<AgentRuntime> agent;
};

DemoBacklogOptions jiraOptions() {
  ::setenv(kJiraTokenEnv, kJiraToken, 1);
  DemoBacklogOptions o;
  o.token = kJiraToken;
  return o;
}

}  // namespace

TEST_CASE("an outage files one Jira issue through the outbox and recovery comments on it and resolves it") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  DemoBacklog jira(jiraOptions());
  REQUIRE(jira.start().ok());
  TempDir dir;
  Agent a(dir.write("acme.yaml", configYaml(shop, jira, dir.path() / "acme.db")));
  REQUIRE(waitUntil([&] { return a.agent->port() != 0; }, 2s));
  std::this_thread::sleep_for(2s);
  CHECK(jira.issues().empty());

  shop.status("/home", 503, "down");
  REQUIRE(waitUntil([&] { return jira.issues().size() == 1; }, 15s));
  const DemoIssue opened = jira.issues().front();
  CHECK(opened.summary.find("[FIRING]") != std::string::npos);
  CHECK(opened.summary.find("shop/home") != std::string::npos);
  CHECK(opened.priority == "High");
  CHECK(opened.status_category != "done");
  CHECK(opened.description.find("503") != std::string::npos);

  shop.status("/home", 200, "ok");
  REQUIRE(waitUntil([&] { return jira.issues().front().status_category == "done"; }, 20s));
  const DemoIssue resolved = jira.issues().front();
  CHECK(jira.issues().size() == 1);
  CHECK(resolved.key == opened.key);
  CHECK(resolved.comments.size() >= 1);
  CHECK(resolved.summary.find("[RESOLVED]") != std::string::npos);

  // The agent's own view: one resolved incident with its ticket, an empty outbox.
  const auto incidents = nlohmann::json::parse(httpGet(a.url("/api/v1/incidents?all")).body);
  REQUIRE(incidents["incidents"].size() == 1);
  CHECK(incidents["incidents"][0]["state"] == "resolved");
  CHECK(incidents["incidents"][0]["tickets"]["jira"]["key"] == opened.key);
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(a.url("/metrics")).body, "shopwatch_outbox_pending") == 0.0; }, 5s));
  CHECK(sampleValue(httpGet(a.url("/metrics")).body, "shopwatch_incidents_open") == 0.0);
  a.agent->stop();
}

TEST_CASE("a Jira that is down for the whole incident gets every action once, in order, when it is back") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  DemoBacklog jira(jiraOptions());
  REQUIRE(jira.start().ok());
  jira.setDown(true);
  TempDir dir;
  Agent a(dir.write("acme.yaml", configYaml(shop, jira, dir.path() / "acme.db")));
  std::this_thread::sleep_for(2s);
  shop.status("/home", 503, "down");
  // Firing, then resolved, all while Jira answers 503: the actions wait in the outbox.
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(a.url("/metrics")).body, "shopwatch_outbox_pending").value_or(0) >= 1; }, 15s));
  shop.status("/home", 200, "ok");
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(a.url("/metrics")).body, "shopwatch_outbox_pending").value_or(0) >= 2; }, 20s));
  CHECK(jira.issues().empty());

  jira.setDown(false);
  REQUIRE(waitUntil([&] { return !jira.issues().empty() && jira.issues().front().status_category == "done"; }, 60s));
  CHECK(jira.issues().size() == 1);
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(a.url("/metrics")).body, "shopwatch_outbox_pending") == 0.0; }, 10s));
  a.agent->stop();
}
