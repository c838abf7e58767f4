// A page that slows down at a known time ([F]): a week of fast stored runs, the agent probing a fake
// shop that answers in a few ms, then 300 ms from a moment the test notes — the agent's insights
// pass reports a `regression` of server time whose `since` is that moment.

#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using shopwatch::testing::httpGet;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

// Fast runs of shop/home: 300 over the week before yesterday, 200 over the last 20 hours.
void fillFastWeek(const std::filesystem::path& db) {
  shopwatch::storage::StoreOptions options;
  options.path = db;
  auto store = shopwatch::storage::SqliteResultStore::open(options);
  REQUIRE(store);
  const auto now = shopwatch::core::SystemClock::instance().now();
  std::int64_t id = 0;
  auto add = [&](shopwatch::core::SystemTime t, int jitter) {
    shopwatch::core::RunRecord r;
    r.key = {"shop", "production", "home"};
    r.run_id = ++id;
    r.interval = 1s;
    r.scheduled = t;
    r.result.started = t;
    r.result.success = true;
    r.result.status_code = 200;
    // 30 ms: well above what the live fast runs take even on a loaded sanitizer build, so they sit
    // below the baseline median and the change point falls on the first slow run.
    const auto processing = shopwatch::core::Micros{30000 + 150 * jitter};
    r.result.phases = {100us, 200us, 0us, processing, 300us};
    r.result.duration = processing + 600us;
    REQUIRE((*store)->enqueue(std::move(r)));
  };
  for (int i = 0; i < 300; ++i) add(now - std::chrono::hours{24 * 7} + i * 24min, i % 7);
  for (int i = 0; i < 200; ++i) add(now - 20h + i * 6min, i % 5);
  REQUIRE((*store)->flush());
}

}  // namespace

TEST_CASE("a page that slows down at a known time is a regression with that start", "[insights][regression]") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  fillFastWeek(db);
  const auto cfg = dir.write(
      "acme.yaml", "agent:\n  client: acme\n  database: " + db.string() + "\nshops:\n  - name: shop\n    base_url: " +
                       shop.url("") + "\n    checks:\n      - name: home\n        url: /home\n        interval: 1s\n");
  shopwatch::agent::runtime::RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.insights_first_delay = 0ms;
  options.insights_every = 1000ms;
  shopwatch::agent::runtime::AgentRuntime agent(options);
  auto loaded = shopwatch::agent::loadConfigFile(cfg.string());
  REQUIRE(loaded.ok());
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(agent.port());

  std::this_thread::sleep_for(3s);  // a few fast live runs
  auto noRegression = [&] { return httpGet(base + "/api/v1/insights").body.find("\"regression\"") == std::string::npos; };
  CHECK(noRegression());
  const auto slowed = shopwatch::core::SystemClock::instance().now();
  shop.delay("/home", 300ms, FakeResponse{200, {}, "ok", 0ms});

  nlohmann::json found;
  REQUIRE(waitUntil([&] {
    const auto doc = nlohmann::json::parse(httpGet(base + "/api/v1/insights").body, nullptr, false);
    if (!doc.is_object()) return false;
    for (const auto& f : doc["findings"]) {
      if (f["finding"] == "regression") found = f;
    }
    return found.is_object();
  }, 90s));
  INFO(found.dump(2));
  CHECK(found["check"] == "home");
  CHECK(found["evidence"]["metric"] == "ttfb");
  REQUIRE(found["since"].is_string());
  const auto since = shopwatch::core::parseRfc3339(found["since"].get<std::string>());
  REQUIRE(since);
  // The first slow run starts within the next interval of the change.
  CHECK(*since >= slowed - 1500ms);
  CHECK(*since <= slowed + 2500ms);
  CHECK(found["saving_seconds"].get<double>() > 0.25);
  agent.stop();
}
