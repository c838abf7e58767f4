// Across a restart the agent shows what it knew: the state table is restored from the store.

#include <catch2/catch.hpp>

#include <filesystem>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::loadConfigFile;
using shopwatch::agent::runtime::AgentRuntime;
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::core::CheckKey;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

std::string yaml(const FakeHttpServer& shop, const std::filesystem::path& db, const std::string& interval,
                 const std::string& timeout = "900ms") {
  return "agent:\n  client: acme\n  database: " + db.string() + "\nshops:\n  - name: shop\n    base_url: " +
         shop.url("") + "\n    defaults:\n      interval: " + interval +
         "\n      timeout: " + timeout + "\n      confirm_delay: 200ms\n    checks:\n"
         "      - name: home\n        url: /home\n      - name: cart\n        url: /cart\n";
}

std::unique_ptr<AgentRuntime> startAgent(const std::filesystem::path& config_file,
                                         std::chrono::milliseconds drain = 3000ms) {
  RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.drain_timeout = drain;
  auto agent = std::make_unique<AgentRuntime>(options);
  auto loaded = loadConfigFile(config_file.string());
  REQUIRE(loaded.ok());
  REQUIRE(agent->start(std::move(*loaded.config)).ok());
  return agent;
}

std::string series(const std::string& family, const std::string& check) {
  return family + "{shop=\"shop\",env=\"production\",check=\"" + check + "\"}";
}

}  // namespace

TEST_CASE("after a restart /metrics and the checks API show the last stored results at once") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 500, "oops");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  double home_last_run = 0;
  {
    const auto cfg = dir.write("fast.yaml", yaml(shop, db, "1s"));
    auto agent = startAgent(cfg);
    const std::string base = "http://127.0.0.1:" + std::to_string(agent->port());
    REQUIRE(waitUntil(
        [&] {
          const auto m = httpGet(base + "/metrics").body;
          return sampleValue(m, series("probe_success", "home")) == 1.0 &&
                 sampleValue(m, series("probe_success", "cart")) == 0.0;
        },
        6s));
    agent->stop();
    const auto home = agent->checkStates().find(CheckKey{"shop", "production", "home"});
    REQUIRE(home->last);
    home_last_run = std::chrono::duration<double>(home->last->started.time_since_epoch()).count();
  }
  // Restarted with a one-hour interval: nothing new runs within the test, yet the state is there.
  const auto cfg = dir.write("slow.yaml", yaml(shop, db, "1h"));
  const auto requests_before = shop.requestCount("/home");
  const auto cart_requests_before = shop.requestCount("/cart");
  auto agent = startAgent(cfg);
  const std::string base = "http://127.0.0.1:" + std::to_string(agent->port());
  const auto m = httpGet(base + "/metrics").body;
  CHECK(sampleValue(m, series("probe_success", "home")) == 1.0);
  CHECK(sampleValue(m, series("probe_success", "cart")) == 0.0);
  CHECK(sampleValue(m, series("probe_http_status_code", "cart")) == 500.0);
  // The original timestamps, not the restart's.
  const auto last_run = sampleValue(m, series("shopwatch_check_last_run_timestamp_seconds", "home"));
  REQUIRE(last_run);
  if (shop.requestCount("/home") == requests_before) CHECK(*last_run == Approx(home_last_run).margin(1e-3));
  const auto api = httpGet(base + "/api/v1/checks").body;
  CHECK(api.find("\"status_code\":500") != std::string::npos);
  // Counters start at zero in a new process: restored runs are state, not new runs.
  const auto cart = agent->checkStates().find(CheckKey{"shop", "production", "cart"});
  if (shop.requestCount("/cart") == cart_requests_before) {
    CHECK(cart->counters.runs_failure == 0);
    CHECK(cart->counters.runs_success == 0);
  }
  agent->stop();
}

TEST_CASE("a run cut by shutdown is stored nowhere and counts as no failure") {
  FakeHttpServer shop;
  shop.delay("/home", 20s);
  shop.status("/cart", 200, "ok");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  // The run's own timeout (5s) is far beyond the 100 ms drain: stop() cuts it, it never times out.
  const auto cfg = dir.write("acme.yaml", yaml(shop, db, "5s", "5s"));
  {
    auto agent = startAgent(cfg, 100ms);
    REQUIRE(waitUntil([&] { return shop.requestCount("/home") >= 1; }, 8s));
    agent->stop();
    const auto home = agent->checkStates().find(CheckKey{"shop", "production", "home"});
    CHECK(home->counters.runs_failure == 0);
    CHECK(home->counters.runs_success == 0);
  }
  auto store = shopwatch::storage::SqliteResultStore::openReadOnly(db);
  REQUIRE(store);
  auto rows = store.value()->lastResults({CheckKey{"shop", "production", "home"}, ""}, 10);
  REQUIRE(rows);
  CHECK(rows->empty());  // neither a failure nor a timeout was recorded for the cut run
}
