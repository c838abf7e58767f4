// The internal alert on a paused backlog sink ([D]: "401/403 pause the sink and raise an internal
// alert"): a Jira that refuses the agent's credentials pauses the Jira sink, the alert
// `backlog-sink-paused` on shopwatch/agent/jira fires in /api/v1/alerts and shopwatch_alert_state, and
// the webhook (the other sink) receives it as an incident — the paused sink itself never gets it.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
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
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

constexpr const char* kTokenEnv = "SHOPWATCH_PAUSE_E2E_TOKEN";

std::string configYaml(const FakeHttpServer& shop, const DemoBacklog& jira, const FakeHttpServer& hook,
                       const std::filesystem::path& db) {
  return "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + db.string() +
         "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
         "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n      confirm_delay: 200ms\n"
         "    checks:\n      - name: home\n        url: /home\n"
         "rules:\n  - name: shop-down\n    check: shop/home\n    expr: availability < 100%\n"
         "    window: 3s\n    for: 1s\n    clear_for: 2s\n    severity: critical\n"
         "backlog:\n  jira:\n    url: " + jira.baseUrl() +
         "\n    flavor: cloud\n    email: demo@shopwatch.invalid\n    token: ${env:" + kTokenEnv +
         "}\n    project: SHOP\n    issue_type: Incident\n"
         "  webhook:\n    url: " + hook.url("/hook") + "\n";
}

std::size_t hookEventsFor(const FakeHttpServer& hook, const std::string& rule) {
  std::size_t n = 0;
  for (const auto& r : hook.requests()) {
    if (r.path != "/hook") continue;
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded()) continue;
    if (j.dump().find("\"" + rule + "\"") != std::string::npos) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("a Jira refusing the credentials raises the backlog-sink-paused alert and the webhook gets it") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  FakeHttpServer hook;
  hook.status("/hook", 204, "");
  ::setenv(kTokenEnv, "expired-token", 1);
  DemoBacklogOptions o;
  o.token = "the-real-token";  // the agent's token is refused: 401
  DemoBacklog jira(o);
  REQUIRE(jira.start().ok());
  TempDir dir;
  const auto file = dir.write("acme.yaml", configYaml(shop, jira, hook, dir.path() / "acme.db"));
  RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.drain_timeout = 2000ms;
  AgentRuntime agent(options);
  auto loaded = loadConfigFile(file.string());
  REQUIRE(loaded.ok());
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  REQUIRE(waitUntil([&] { return agent.port() != 0; }, 2s));
  const auto url = [&](const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(agent.port()) + path;
  };

  shop.status("/home", 503, "down");
  // The outage reaches the webhook; the Jira create is refused and pauses the Jira sink.
  REQUIRE(waitUntil([&] { return hookEventsFor(hook, "shop-down") >= 1; }, 15s));
  REQUIRE(waitUntil([&] { return hookEventsFor(hook, "backlog-sink-paused") >= 1; }, 15s));
  CHECK(jira.issues().empty());

  const auto alerts = nlohmann::json::parse(httpGet(url("/api/v1/alerts")).body);
  bool listed = false;
  for (const auto& a : alerts["alerts"]) {
    if (a["rule"] != "backlog-sink-paused") continue;
    listed = true;
    CHECK(a["shop"] == "shopwatch");
    CHECK(a["env"] == "agent");
    CHECK(a["check"] == "jira");
    CHECK(a["state"] == "firing");
    CHECK(a["severity"] == "critical");
    CHECK(a["expr"].get<std::string>().find("401") != std::string::npos);
  }
  CHECK(listed);
  const std::string metrics = httpGet(url("/metrics")).body;
  CHECK(sampleValue(metrics, "shopwatch_alert_state{rule=\"backlog-sink-paused\",shop=\"shopwatch\","
                             "env=\"agent\",check=\"jira\",step=\"\",severity=\"critical\"}") == 2.0);
  CHECK(sampleValue(metrics, "shopwatch_sink_up{sink=\"jira\"}") == 0.0);
  CHECK(metrics.find("expired-token") == std::string::npos);

  // One incident about the paused sink (on the webhook only), however many refusals follow.
  const auto incidents = nlohmann::json::parse(httpGet(url("/api/v1/incidents")).body);
  int paused_incidents = 0;
  for (const auto& i : incidents["incidents"]) {
    if (i["rule"] != "backlog-sink-paused") continue;
    ++paused_incidents;
    CHECK_FALSE(i["tickets"].contains("jira"));  // the webhook keeps no ticket; Jira never gets it
  }
  CHECK(paused_incidents == 1);
  std::this_thread::sleep_for(1500ms);
  CHECK(hookEventsFor(hook, "backlog-sink-paused") == 1);
  agent.stop();
}
