// The agent's report routes in process ([E]): GET / (status page) and GET /api/v1/report over the
// store the agent itself writes, read through their own read-only connections.

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <future>
#include <nlohmann/json.hpp>
#include <vector>

#include "chromium_runner.h"
#include "fake_http_server.h"
#include "running_agent.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::RunningAgent;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

std::string configYaml(const FakeHttpServer& shop, const std::filesystem::path& db) {
  return "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + db.string() +
         "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
         "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n      confirm_delay: 200ms\n"
         "    checks:\n      - name: home\n        url: /home\n      - name: cart\n        url: /cart\n"
         "sla:\n  - shops: [shop]\n    target: 99.5%\n    checks: [shop/home]\n";
}

std::string series(const std::string& family, const std::string& check) {
  return family + "{shop=\"shop\",env=\"production\",check=\"" + check + "\"}";
}

std::string thisMonth() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}

}  // namespace

TEST_CASE("GET / shows every check with its state, and the report API answers the month's JSON") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 503, "down");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db"));
  RunningAgent a(cfg);
  // Both checks have decided their state (the cart after its confirm re-check).
  REQUIRE(waitUntil([&] {
    const auto m = a.metrics();
    return sampleValue(m, series("probe_success", "home")) == 1.0 &&
           sampleValue(m, series("probe_success", "cart")) == 0.0;
  }, 20s));

  const auto page = httpGet(a.url("/"));
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<!DOCTYPE html>") != std::string::npos);
  CHECK(page.body.find("home") != std::string::npos);
  CHECK(page.body.find("cart") != std::string::npos);
  CHECK(page.body.find("<svg") != std::string::npos);
  CHECK(page.body.find("http-equiv=\"refresh\"") != std::string::npos);

  // The writer commits within its flush interval: wait until both checks' runs are stored.
  shopwatch::testing::HttpAnswer report;
  REQUIRE(waitUntil([&] {
    report = httpGet(a.url("/api/v1/report?month=" + thisMonth()));
    if (report.status != 200) return false;
    const auto j = nlohmann::json::parse(report.body, nullptr, false);
    if (j.is_discarded() || j["shops"].size() != 1) return false;
    int stored = 0;
    for (const auto& c : j["shops"][0]["checks"]) {
      const bool home_stored = c["check"] == "home" && c["runs"].get<int>() >= 1;
      const bool cart_stored = c["check"] == "cart" && c["failed_runs"].get<int>() >= 1;
      stored += home_stored || cart_stored;
    }
    return j["shops"][0]["checks"].size() == 2 && stored == 2;
  }, 20s));
  INFO(report.body);
  const auto json = nlohmann::json::parse(report.body);
  CHECK(json["month"] == thisMonth());
  CHECK(json["timezone"] == "UTC");
  CHECK(json["frozen"] == false);
  REQUIRE(json["shops"].size() == 1);
  const auto& s = json["shops"][0];
  CHECK(s["shop"] == "shop");
  CHECK(s["sla"]["target_percent"].get<double>() == Approx(99.5));
  bool cart_seen = false;
  for (const auto& c : s["checks"]) {
    CHECK(c["runs"].get<int>() >= 1);
    if (c["check"] == "cart") {
      cart_seen = true;
      CHECK(c["failed_runs"].get<int>() >= 1);
      CHECK(c["in_sla"] == false);
    }
  }
  CHECK(cart_seen);

  CHECK(httpGet(a.url("/api/v1/report")).status == 400);
  CHECK(httpGet(a.url("/api/v1/report?month=2026-13")).status == 400);
  CHECK(httpGet(a.url("/api/v1/report?month=" + thisMonth() + "&format=xml")).status == 400);
  CHECK(httpGet(a.url("/api/v1/report?month=" + thisMonth() + "&shop=nosuchshop")).status == 404);
  const auto csv = httpGet(a.url("/api/v1/report?month=" + thisMonth() + "&format=csv"));
  CHECK(csv.status == 200);
  CHECK(csv.body.rfind("month,shop,env,check", 0) == 0);
}

TEST_CASE("/metrics keeps answering while ten reports are requested at once") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 200, "ok");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db"));
  RunningAgent a(cfg);
  REQUIRE(waitUntil([&] { return sampleValue(a.metrics(), series("probe_success", "home")) == 1.0; }, 20s));
  std::vector<std::future<shopwatch::testing::HttpAnswer>> reports;
  for (int i = 0; i < 10; ++i) {
    reports.push_back(std::async(std::launch::async, [&] {
      return httpGet(a.url("/api/v1/report?month=" + thisMonth()));
    }));
  }
  // Every scrape during the burst is answered (the budget itself is measured in bench/).
  for (int i = 0; i < 10; ++i) CHECK(httpGet(a.url("/metrics")).status == 200);
  for (auto& r : reports) {
    const auto answer = r.get();
    // Past max_deferred (16) a request would be 503; ten fit.
    CHECK(answer.status == 200);
  }
}

TEST_CASE("Chromium renders the running agent's status page with both checks and their charts") {
  if (shopwatch::testing::chromiumExecutable().empty()) {
    WARN("chromium is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 503, "down");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", configYaml(shop, dir.path() / "acme.db"));
  RunningAgent a(cfg);
  REQUIRE(waitUntil([&] {
    const auto m = a.metrics();
    return sampleValue(m, series("probe_success", "home")) == 1.0 &&
           sampleValue(m, series("probe_success", "cart")) == 0.0;
  }, 20s));
  const shopwatch::testing::ChromiumRunner chromium(std::chrono::seconds{90}, /*allow_loopback=*/true);
  const auto dom = chromium.dumpDom(a.url("/"));
  INFO(dom.describe());
  REQUIRE(dom.ok());
  INFO(dom.out.substr(0, 4000));
  CHECK(dom.out.find("home") != std::string::npos);
  CHECK(dom.out.find("cart") != std::string::npos);
  CHECK(dom.out.find("<svg") != std::string::npos);
  CHECK(dom.out.find("chart-24h-availability") != std::string::npos);
}
