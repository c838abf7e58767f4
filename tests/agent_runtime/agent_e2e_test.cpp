// The agent end to end, in process: AgentRuntime against FakeHttpServer on 127.0.0.1.

#include <catch2/catch.hpp>

#include "exposition_lint.h"
#include "external_tool.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/run_fanout.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/demo_shop.h"
#include "shopwatch/agent/runtime/transition_log.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "running_agent.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::loadConfigFile;
using shopwatch::agent::runtime::AgentRuntime;
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::testing::RunningAgent;
using shopwatch::core::CheckKey;
using shopwatch::storage::SeriesKey;
using shopwatch::storage::SqliteResultStore;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using shopwatch::testing::httpGet;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

std::string configYaml(const FakeHttpServer& shop, const std::filesystem::path& db,
                       const std::vector<std::string>& checks) {
  std::string yaml = "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + db.string() +
                     "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
                     "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n"
                     "      confirm_delay: 200ms\n    checks:\n";
  for (const auto& c : checks) yaml += "      - name: " + c + "\n        url: /" + c + "\n";
  return yaml;
}

std::string series(const std::string& family, const std::string& check) {
  return family + "{shop=\"shop\",env=\"production\",check=\"" + check + "\"}";
}


}  // namespace

TEST_CASE("the agent's metrics appear and follow the shop's state") {
  FakeHttpServer shop;
  shop.status("/home", 200, "Warenkorb");
  shop.status("/cart", 200, "Warenkorb");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db", {"home", "cart"}));
  RunningAgent a(cfg);

  REQUIRE(waitUntil(
      [&] {
        const auto m = a.metrics();
        return sampleValue(m, series("probe_success", "home")) == 1.0 &&
               sampleValue(m, series("probe_success", "cart")) == 1.0;
      },
      5s));
  const auto ready = httpGet(a.url("/readyz"));
  CHECK(ready.status == 200);
  CHECK(httpGet(a.url("/healthz")).status == 200);

  // The cart breaks: after the failed run and its failed confirm re-check, probe_success drops to 0.
  shop.status("/cart", 500, "oops");
  REQUIRE(waitUntil(
      [&] { return sampleValue(a.metrics(), series("probe_success", "cart")) == 0.0; }, 6s));
  const auto m = a.metrics();
  CHECK(sampleValue(m, series("probe_http_status_code", "cart")) == 500.0);
  CHECK(sampleValue(m, series("probe_success", "home")) == 1.0);
  CHECK(sampleValue(m, "shopwatch_config_last_reload_successful") == 1.0);
  CHECK(m.find("shopwatch_scheduler_lag_seconds_count") != std::string::npos);
  CHECK(sampleValue(m, "shopwatch_check_failures_total{shop=\"shop\",env=\"production\",check="
                       "\"cart\",reason=\"http_status\"}")
            .value_or(0) >= 1.0);
  // Both the failed run and its confirm re-check reached the shop.
  CHECK(a.agent->schedulerStats().confirms >= 1);

  a.agent->stop();
}

TEST_CASE("the live /metrics passes promtool and the exposition lint") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/broken", 503, "down");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db", {"home", "broken"}));
  RunningAgent a(cfg);
  REQUIRE(waitUntil(
      [&] { return sampleValue(a.metrics(), series("probe_success", "broken")) == 0.0; }, 6s));
  const std::string m = a.metrics();
  CHECK(sampleValue(m, "shopwatch_scheduler_checks") == 2.0);
  CHECK(sampleValue(m, "shopwatch_scheduler_runs_skipped_total").has_value());
  CHECK(sampleValue(m, "shopwatch_scheduler_runs_missed_total").has_value());

  if (shopwatch::testing::externalToolAvailable("/usr/bin/promtool", "promtool check")) {
    const auto r = shopwatch::testing::runProgram({"/usr/bin/promtool", "check", "metrics"}, m);
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  const auto problems = shopwatch::testing::lintExposition(m);
  INFO(shopwatch::testing::formatLintProblems(problems));
  CHECK(problems.empty());
}

TEST_CASE("the checks API lists every check with its last result") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db", {"home"}));
  RunningAgent a(cfg);
  REQUIRE(waitUntil(
      [&] { return sampleValue(a.metrics(), series("probe_success", "home")) == 1.0; }, 5s));
  const auto api = httpGet(a.url("/api/v1/checks"));
  CHECK(api.status == 200);
  CHECK(api.body.find("\"check\":\"home\"") != std::string::npos);
  CHECK(api.body.find("\"success\":true") != std::string::npos);
}

TEST_CASE("a reload keeps staying checks' state, starts new ones and drops removed ones") {
  FakeHttpServer shop;
  for (const char* p : {"/keep", "/gone", "/added"}) shop.status(p, 200, "ok");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  const auto cfg = dir.write("acme.yaml", configYaml(shop, db, {"keep", "gone"}));
  RunningAgent a(cfg);
  const std::string keep_runs =
      "shopwatch_check_runs_total{shop=\"shop\",env=\"production\",check=\"keep\",result=\"success\"}";
  REQUIRE(waitUntil([&] { return sampleValue(a.metrics(), keep_runs).value_or(0) >= 2; }, 6s));
  const double before = *sampleValue(a.metrics(), keep_runs);

  dir.write("acme.yaml", configYaml(shop, db, {"keep", "added"}));
  REQUIRE(a.agent->reloadFile(cfg.string()).ok());
  auto m = a.metrics();
  CHECK(sampleValue(m, keep_runs).value_or(0) >= before);  // not reset
  CHECK(m.find("check=\"gone\"") == std::string::npos);     // its series are gone
  CHECK(sampleValue(m, "shopwatch_config_last_reload_successful") == 1.0);
  REQUIRE(waitUntil(
      [&] { return sampleValue(a.metrics(), series("probe_success", "added")) == 1.0; }, 5s));
  const std::size_t gone_requests = shop.requestCount("/gone");
  std::this_thread::sleep_for(1500ms);  // more than one interval: a removed check must stay silent
  CHECK(shop.requestCount("/gone") <= gone_requests + 1);  // at most one run already in flight

  // A broken config is rejected: the old checks keep running and the gauge shows the failure.
  dir.write("acme.yaml", "agent:\n  client: acme\nshops:\n  - name: shop\n    checks:\n"
                         "      - name: x\n        url: /relative-without-base\n");
  CHECK_FALSE(a.agent->reloadFile(cfg.string()).ok());
  m = a.metrics();
  CHECK(sampleValue(m, "shopwatch_config_last_reload_successful") == 0.0);
  CHECK(sampleValue(m, series("probe_success", "keep")) == 1.0);
  CHECK(a.agent->config()->checks.size() == 2);
  const double keep_now = *sampleValue(m, keep_runs);
  REQUIRE(waitUntil([&] { return sampleValue(a.metrics(), keep_runs).value_or(0) > keep_now; }, 3s));
}

TEST_CASE("stop finishes quickly even with a run hanging on a slow shop") {
  FakeHttpServer shop;
  shop.delay("/slow", 20s);
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db", {"slow"}));
  RunningAgent a(cfg, 100ms);  // cut in-flight runs after 100 ms instead of waiting for the timeout
  REQUIRE(waitUntil([&] { return shop.requestCount("/slow") >= 1; }, 3s));
  const auto begin = std::chrono::steady_clock::now();
  a.agent->stop();
  CHECK(std::chrono::steady_clock::now() - begin < 800ms);
  // The cut run is a cancellation, not a failure of the shop.
  CHECK(a.agent->checkStates().find({"shop", "production", "slow"})->counters.runs_failure == 0);
}

TEST_CASE("the demo shop serves its pages and the toggle breaks the checkout") {
  shopwatch::agent::runtime::DemoShop demo;
  REQUIRE(demo.start().ok());
  const auto base = demo.baseUrl();
  CHECK(httpGet(base + "/").status == 200);
  CHECK(httpGet(base + "/cart").body.find("Warenkorb") != std::string::npos);
  CHECK(httpGet(base + "/api/cart").body.find("\"EUR\"") != std::string::npos);
  CHECK(httpGet(base + "/checkout").status == 200);
  CHECK(httpGet(base + "/toggle?broken=1").status == 200);
  CHECK(demo.broken());
  CHECK(httpGet(base + "/checkout").status == 503);
  CHECK(httpGet(base + "/toggle", "POST").status == 200);
  CHECK_FALSE(demo.broken());
  CHECK(httpGet(base + "/checkout").status == 200);
}

TEST_CASE("the embedded demo config is valid and probes the demo shop") {
  shopwatch::agent::runtime::DemoShop demo;
  REQUIRE(demo.start().ok());
  TempDir dir;
  shopwatch::agent::LoadOptions options;
  options.require_client = false;
  auto loaded = shopwatch::agent::loadConfigString(
      shopwatch::agent::runtime::demoConfigYaml(demo.baseUrl(), "127.0.0.1:0",
                                                (dir.path() / "demo.db").string()),
      "<demo>", options);
  INFO((loaded.errors.empty() ? std::string{} : loaded.errors.front().format()));
  REQUIRE(loaded.ok());
  CHECK(loaded.config->checks.size() == 7);
  int journeys = 0;
  for (const auto& spec : loaded.config->checks) {
    if (const auto* journey = spec->journey()) {
      ++journeys;
      CHECK(spec->key.check == "checkout");
      for (const auto& step : journey->steps) CHECK(step.request.url.rfind(demo.baseUrl(), 0) == 0);
    } else {
      CHECK(spec->http()->request.url.rfind(demo.baseUrl(), 0) == 0);
    }
    CHECK(spec->key.shop == "demo");
  }
  CHECK(journeys == 1);
}

TEST_CASE("a failure of a check removed while its run was in flight is stored as pending, not as downtime") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  FakeResponse slow_failure;
  slow_failure.status = 500;
  slow_failure.body = "oops";
  shop.delay("/gone", 700ms, slow_failure);
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  const auto cfg = dir.write("acme.yaml", configYaml(shop, db, {"home", "gone"}));
  RunningAgent a(cfg);
  REQUIRE(waitUntil([&] { return shop.requestCount("/gone") >= 1; }, 5s));
  // The run of "gone" is now in flight (the shop answers after 700 ms): remove the check.
  dir.write("acme.yaml", configYaml(shop, db, {"home"}));
  REQUIRE(a.agent->reloadFile(cfg.string()).ok());
  std::this_thread::sleep_for(1200ms);  // a real socket answering late: no clock to fake
  a.agent->stop();
  CHECK(shop.requestCount("/gone") == 1);  // no confirm re-check for a removed check

  auto store = SqliteResultStore::openReadOnly(db);
  REQUIRE(store.ok());
  auto rows = store.value()->lastResults(SeriesKey{CheckKey{"shop", "production", "gone"}, ""}, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows.value().size() == 1);
  const auto& row = rows.value().front();
  CHECK_FALSE(row.result.success);
  CHECK(row.result.status_code == 500);
  CHECK_FALSE(row.confirm);
  CHECK(row.confirm_pending);
  CHECK_FALSE(row.counted_down);
  // The failure message is stored (SQLite keeps no assertions or final URL to check here).
  CHECK(row.result.failure == shopwatch::core::FailureReason::HttpStatus);
  CHECK(row.result.message.find("status 500") != std::string::npos);
}

TEST_CASE("a stored failure message never holds a secret from the check's config") {
  // The secret is the body_contains needle, so the failure message ("body does not contain …")
  // quotes it; it must reach the database redacted.
  const std::string secret = "e2e-Secret-7f3a9c";
  REQUIRE(setenv("SHOPWATCH_E2E_STORE_SECRET", secret.c_str(), 1) == 0);
  FakeHttpServer shop;
  shop.status("/secret", 200, "a page without the needle");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  std::string yaml = configYaml(shop, db, {"secret"});
  yaml += "        expect:\n          body_contains: \"${env:SHOPWATCH_E2E_STORE_SECRET}\"\n";
  const auto cfg = dir.write("acme.yaml", yaml);
  {
    RunningAgent a(cfg);
    // The failed run and its confirm re-check.
    REQUIRE(waitUntil([&] { return shop.requestCount("/secret") >= 2; }, 10s));
    a.agent->stop();
  }
  unsetenv("SHOPWATCH_E2E_STORE_SECRET");

  auto store = SqliteResultStore::openReadOnly(db);
  REQUIRE(store.ok());
  auto rows = store.value()->lastResults(SeriesKey{CheckKey{"shop", "production", "secret"}, ""}, 10);
  REQUIRE(rows.ok());
  REQUIRE_FALSE(rows.value().empty());
  for (const auto& row : rows.value()) {
    INFO(row.result.message);
    CHECK_FALSE(row.result.success);
    CHECK(row.result.failure == shopwatch::core::FailureReason::Assertion);
    CHECK(row.result.message.find("body does not contain") != std::string::npos);
    CHECK(row.result.message.find("<redacted>") != std::string::npos);
    CHECK(row.result.message.find(secret) == std::string::npos);
    CHECK(row.result.message.find("7f3a9c") == std::string::npos);
    CHECK(row.result.message.size() <= shopwatch::agent::runtime::kMaxStoredMessageBytes);
  }
}

TEST_CASE("the demo's checkout journey runs end to end and breaking the checkout fails its checkout step") {
  shopwatch::agent::runtime::DemoShop demo;
  REQUIRE(demo.start().ok());
  TempDir dir;
  shopwatch::agent::LoadOptions options;
  options.require_client = false;
  auto loaded = shopwatch::agent::loadConfigString(
      shopwatch::agent::runtime::demoConfigYaml(demo.baseUrl(), "127.0.0.1:0",
                                                (dir.path() / "demo.db").string()),
      "<demo>", options);
  REQUIRE(loaded.ok());
  RuntimeOptions runtime_options;
  runtime_options.listen_override = "127.0.0.1:0";
  runtime_options.require_client = false;
  AgentRuntime agent(runtime_options);
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(agent.port());
  auto step = [](const std::string& name) {
    return "shopwatch_step_success{shop=\"demo\",env=\"production\",check=\"checkout\",step=\"" + name + "\"}";
  };
  const std::string journey = "probe_success{shop=\"demo\",env=\"production\",check=\"checkout\"}";
  // The journey's interval is 10 s: its first run comes within one interval.
  REQUIRE(waitUntil(
      [&] {
        const auto m = httpGet(base + "/metrics").body;
        return sampleValue(m, journey) == 1.0 && sampleValue(m, step("cart")) == 1.0;
      },
      25s));
  demo.setBroken(true);
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(base + "/metrics").body, journey) == 0.0; }, 30s));
  const auto m = httpGet(base + "/metrics").body;
  CHECK(sampleValue(m, step("checkout")) == 0.0);
  CHECK(sampleValue(m, step("cart")) == 1.0);  // the steps before it still pass
  CHECK(sampleValue(m, step("empty-cart")) == 1.0);  // cleanup ran after the failure
  CHECK(sampleValue(m, "shopwatch_step_status_code{shop=\"demo\",env=\"production\",check=\"checkout\","
                       "step=\"checkout\"}") == 503.0);
  const auto api = httpGet(base + "/api/v1/checks").body;
  CHECK(api.find("\"failed_step\":\"checkout\"") != std::string::npos);
  agent.stop();
}
