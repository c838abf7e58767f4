// The running agent's performance insights ([F]): GET /api/v1/insights and the
// shopwatch_finding_saving_* gauges, from a database that already holds a day of slow runs.

#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>

#include "exposition_lint.h"
#include "external_tool.h"
#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

/// A day of runs of shop/home at one per minute whose server time is 900 ms.
void fillSlowDay(const std::filesystem::path& db) {
  shopwatch::storage::StoreOptions options;
  options.path = db;
  auto store = shopwatch::storage::SqliteResultStore::open(options);
  REQUIRE(store);
  const auto now = shopwatch::core::SystemClock::instance().now();
  std::int64_t id = 0;
  for (auto t = now - 24h; t < now - 2min; t += 60s) {
    shopwatch::core::RunRecord r;
    r.key = {"shop", "production", "home"};
    r.run_id = ++id;
    r.interval = 60s;
    r.scheduled = t;
    r.result.started = t;
    r.result.success = true;
    r.result.status_code = 200;
    r.result.phases = {1000us, 2000us, 0us, 900ms, 3000us};
    r.result.duration = 906ms;
    REQUIRE((*store)->enqueue(std::move(r)));
  }
  REQUIRE((*store)->flush());
}

}  // namespace

TEST_CASE("the agent serves its ranked findings and gauges their savings", "[insights]") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  fillSlowDay(db);
  const auto cfg = dir.write(
      "acme.yaml", "agent:\n  client: acme\n  database: " + db.string() + "\nshops:\n  - name: shop\n    base_url: " +
                       shop.url("") + "\n    checks:\n      - name: home\n        url: /home\n        interval: 60s\n");
  shopwatch::agent::runtime::RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.insights_first_delay = 0ms;
  shopwatch::agent::runtime::AgentRuntime agent(options);
  auto loaded = shopwatch::agent::loadConfigFile(cfg.string());
  REQUIRE(loaded.ok());
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(agent.port());

  nlohmann::json doc;
  REQUIRE(waitUntil([&] {
    const auto r = httpGet(base + "/api/v1/insights");
    if (r.status != 200) return false;
    doc = nlohmann::json::parse(r.body, nullptr, false);
    return doc.is_object() && !doc["findings"].empty();
  }, 20s));
  const auto& f = doc["findings"][0];
  CHECK(f["shop"] == "shop");
  CHECK(f["env"] == "production");
  CHECK(f["check"] == "home");
  CHECK(f["step"] == "");
  CHECK(f["finding"] == "slow-ttfb");
  CHECK(f["priority"] == "warning");  // 0.7 s x weight 1
  CHECK(f["saving_seconds"].get<double>() == Approx(0.7));
  CHECK(f["evidence"]["p95_ms"] == 900.0);

  const std::string m = httpGet(base + "/metrics").body;
  const std::string labels = "{shop=\"shop\",env=\"production\",check=\"home\",step=\"\",finding=\"slow-ttfb\"}";
  CHECK(shopwatch::testing::sampleValue(m, "shopwatch_finding_saving_seconds" + labels) == Approx(0.7));
  CHECK(shopwatch::testing::sampleValue(m, "shopwatch_finding_saving_bytes" + labels) == 0.0);
  if (shopwatch::testing::externalToolAvailable("/usr/bin/promtool", "promtool check")) {
    const auto r = shopwatch::testing::runProgram({"/usr/bin/promtool", "check", "metrics"}, m);
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  const auto problems = shopwatch::testing::lintExposition(m);
  INFO(shopwatch::testing::formatLintProblems(problems));
  CHECK(problems.empty());

  CHECK(httpGet(base + "/api/v1/insights?shop=nope").status == 404);
  CHECK(httpGet(base + "/api/v1/insights?format=xml").status == 400);
  CHECK(httpGet(base + "/api/v1/insights?shop=shop&format=text").body.find("slow-ttfb  shop/home") !=
        std::string::npos);
  agent.stop();
}
