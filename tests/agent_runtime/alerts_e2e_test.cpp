// Rules end to end ([C]): the agent in process against a fake shop that goes down and comes back; the
// transitions read from GET /api/v1/alerts and /metrics, alert state surviving a restart, and a
// maintenance window announced through the API holding the alert and flagging the stored runs.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::loadConfigFile;
using shopwatch::agent::runtime::AgentRuntime;
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::httpRequest;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

constexpr const char* kTokenEnv = "SHOPWATCH_ALERTS_E2E_TOKEN";
constexpr const char* kToken = "e2e-secret-token";

std::string configYaml(const FakeHttpServer& shop, const std::filesystem::path& db) {
  return "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + db.string() +
         "\n  api_token: ${env:" + kTokenEnv + "}\n"
         "shops:\n  - name: shop\n    base_url: " + shop.url("") +
         "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n      confirm_delay: 200ms\n"
         "    checks:\n      - name: home\n        url: /home\n"
         "rules:\n  - name: shop-down\n    check: shop/home\n    expr: availability < 100%\n"
         "    window: 4s\n    for: 2s\n    clear_for: 2s\n    severity: critical\n";
}

struct Agent {
  explicit Agent(const std::filesystem::path& config_file) {
    ::setenv(kTokenEnv, kToken, 1);
    RuntimeOptions options;
    options.listen_override = "127.0.0.1:0";
    options.drain_timeout = 2000ms;
    agent = std::make_unique<AgentRuntime>(options);
    auto loaded = loadConfigFile(config_file.string());
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.format() + "\n";
    INFO(errors);
    REQUIRE(loaded.ok());
    REQUIRE(agent->start(std::move(*loaded.config)).ok());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(agent->port()) + path;
  }
  // The API's record of the one alert, or null before it is listed.
  nlohmann::json alert() const {
    const auto answer = httpGet(url("/api/v1/alerts"));
    if (answer.status != 200) return nullptr;
    const auto doc = nlohmann::json::parse(answer.body, nullptr, false);
    if (doc.is_discarded() || !doc.contains("alerts")) return nullptr;
    for (const auto& a : doc["alerts"]) {
      if (a.value("rule", "") == "shop-down" && a.value("check", "") == "home") return a;
    }
    return nullptr;
  }
  std::string state() const {
    const auto a = alert();
    return a.is_null() ? std::string{} : a.value("state", "");
  }
  // The value of shopwatch_alert_state for the rule, whatever the label order.
  std::optional<double> stateMetric() const {
    std::istringstream in(httpGet(url("/metrics")).body);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("shopwatch_alert_state{", 0) == 0 &&
          line.find("rule=\"shop-down\"") != std::string::npos &&
          line.find("severity=\"critical\"") != std::string::npos) {
        return std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
    return std::nullopt;
  }
  std::unique_ptr<AgentRuntime> agent;
};

// Polls the alert's API state until `want`, collecting every distinct state seen on the way.
bool waitForState(const Agent& a, const std::string& want, std::vector<std::string>& seen,
                  std::chrono::milliseconds timeout) {
  return waitUntil(
      [&] {
        const std::string s = a.state();
        if (!s.empty() && (seen.empty() || seen.back() != s)) seen.push_back(s);
        return s == want;
      },
      timeout);
}

}  // namespace

TEST_CASE("a shop that goes down and comes back shows pending, firing and resolved in the alerts API and /metrics") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  Agent a(dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db")));
  std::vector<std::string> seen;
  REQUIRE(waitForState(a, "ok", seen, 5s));
  CHECK(a.stateMetric() == 0.0);

  shop.status("/home", 503, "down");
  REQUIRE(waitForState(a, "pending", seen, 6s));
  CHECK(a.stateMetric() == 1.0);
  REQUIRE(waitForState(a, "firing", seen, 6s));
  CHECK(a.stateMetric() == 2.0);
  const auto firing = a.alert();
  CHECK(firing["severity"] == "critical");
  CHECK(firing["shop"] == "shop");
  CHECK(firing["env"] == "production");
  CHECK(firing["step"].is_null());  // a check as a whole has no step
  CHECK(firing["value"].get<double>() < 1.0);
  CHECK(firing["threshold"].get<double>() == Approx(1.0));
  CHECK(firing["since"].get<std::string>().size() >= 20);

  shop.status("/home", 200, "ok");
  REQUIRE(waitForState(a, "resolved", seen, 15s));
  CHECK(a.stateMetric() == 0.0);
  CHECK(seen == std::vector<std::string>{"ok", "pending", "firing", "resolved"});
  a.agent->stop();
}

TEST_CASE("a firing alert keeps its since across a restart of the agent") {
  FakeHttpServer shop;
  shop.status("/home", 503, "down");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db"));
  std::string since;
  {
    Agent a(cfg);
    std::vector<std::string> seen;
    REQUIRE(waitForState(a, "firing", seen, 10s));
    since = a.alert()["since"].get<std::string>();
    a.agent->stop();
  }
  Agent b(cfg);
  // Restored before the first new run is judged: the record is firing, with the original time.
  std::vector<std::string> seen;
  REQUIRE(waitForState(b, "firing", seen, 3s));
  CHECK(seen.front() == "firing");
  CHECK(b.alert()["since"].get<std::string>() == since);
  b.agent->stop();
}

TEST_CASE("a maintenance window announced through the API suppresses the alert and flags the stored runs") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  Agent a(dir.write("acme.yaml", configYaml(shop, db)));
  std::vector<std::string> seen;
  REQUIRE(waitForState(a, "ok", seen, 5s));

  const std::string body = R"({"shops":["shop"],"duration":"1h","reason":"deploy 4.2"})";
  CHECK(httpRequest(a.url("/api/v1/maintenance"), "POST", body, {}).status == 401);
  CHECK(httpRequest(a.url("/api/v1/maintenance"), "POST", body,
                    {"Authorization: Bearer wrong-token"}).status == 401);
  const auto created = httpRequest(a.url("/api/v1/maintenance"), "POST", body,
                                   {std::string("Authorization: Bearer ") + kToken,
                                    "X-Shopwatch-Actor: deploy-pipeline"});
  INFO(created.body);
  REQUIRE(created.status == 201);
  const auto window = nlohmann::json::parse(created.body);
  const auto id = window["id"].get<std::int64_t>();
  CHECK(window["created_by"] == "deploy-pipeline");

  shop.status("/home", 503, "down");
  REQUIRE(waitForState(a, "suppressed", seen, 8s));
  CHECK(a.stateMetric() == 3.0);
  // Held, not firing, for longer than `for`.
  std::this_thread::sleep_for(3s);
  CHECK(a.state() == "suppressed");

  // Ending the window: the alert may page again, counting `for` from now.
  CHECK(httpRequest(a.url("/api/v1/maintenance/" + std::to_string(id)), "DELETE", "",
                    {std::string("Authorization: Bearer ") + kToken}).status == 200);
  REQUIRE(waitForState(a, "firing", seen, 10s));
  a.agent->stop();

  auto store = shopwatch::storage::SqliteResultStore::openReadOnly(db);
  REQUIRE(store);
  auto rows = (*store)->lastResults({{"shop", "production", "home"}, ""}, 40);
  REQUIRE(rows);
  std::size_t flagged = 0;
  for (const auto& r : *rows) flagged += r.in_maintenance ? 1 : 0;
  CHECK(flagged >= 2);
  CHECK(flagged < rows->size());
}
