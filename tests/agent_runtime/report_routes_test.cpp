// The agent's report routes in process ([E]): GET / (status page) and GET /api/v1/report over the
// store the agent itself writes, read through their own read-only connections; ReportService's
// "what to improve next" ([F]) from an improvements source.

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <future>
#include <nlohmann/json.hpp>
#include <vector>

#include "chromium_runner.h"
#include "fake_http_server.h"
#include "maintenance_registry.h"
#include "report_service.h"
#include "running_agent.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/report/frozen_reports.h"
#include "shopwatch/agent/runtime/report_improvements.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/storage/sqlite_result_store.h"
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

std::string lastMonth() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const int year = tm.tm_mon == 0 ? tm.tm_year + 1899 : tm.tm_year + 1900;
  const int month = tm.tm_mon == 0 ? 12 : tm.tm_mon;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

shopwatch::agent::insights::Finding finding(const std::string& shop, const std::string& id,
                                            shopwatch::rules::Severity priority, double seconds,
                                            std::uint64_t bytes, const std::string& summary) {
  shopwatch::agent::insights::Finding f;
  f.key = {shop, "production", "home"};
  f.finding = id;
  f.priority = priority;
  f.saving_seconds = seconds;
  f.saving_bytes = bytes;
  f.summary = summary;
  return f;
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

TEST_CASE("ReportService shows what to improve next on the status page and in the reports it builds") {
  using namespace shopwatch;
  TempDir dir;
  const auto db = dir.path() / "acme.db";
  {
    // The agent's database: results and the frozen months' table (an empty month).
    storage::StoreOptions options;
    options.path = db;
    options.components = {agent::report::frozenReportsComponent()};
    auto store = storage::SqliteResultStore::open(options);
    REQUIRE(store);
    (*store)->stop();
  }
  auto loaded = agent::loadConfigString(
      "agent:\n  client: acme\n  database: " + db.string() +
          "\nshops:\n  - name: shop\n    base_url: https://shop.example\n    checks:\n"
          "      - {name: home, url: /home}\n  - name: other\n    base_url: https://other.example\n"
          "    checks:\n      - {name: home, url: /}\n",
      "acme.yaml");
  REQUIRE(loaded.ok());
  const auto config = std::make_shared<const agent::AgentConfig>(std::move(*loaded.config));
  const core::Clock& clock = core::SystemClock::instance();
  agent::status::CheckStateTable states;
  agent::runtime::MaintenanceRegistry maintenance(clock, nullptr);
  agent::runtime::ReportService service(clock, [config] { return config; }, states, maintenance);
  const auto reportJson = [&](const std::string& month, const std::string& shop) {
    const auto r = service.report(month, shop, "json");
    INFO(r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
  };

  // No source: neither the page nor the report has improvements.
  CHECK(service.statusPage().body.find("What to improve next") == std::string::npos);
  CHECK(reportJson(thisMonth(), "")["improvements"] == nlohmann::json::array());

  std::vector<agent::insights::Finding> findings{
      finding("shop", "slow-ttfb", rules::Severity::Warning, 0.7, 0, "server time is 99% of shop/home p95"),
      finding("other", "no-compression", rules::Severity::Info, 0.05, 4096, "responses are not compressed")};
  service.setImprovements([&findings] { return findings; });
  const auto page = service.statusPage();
  REQUIRE(page.status == 200);
  INFO(page.body);
  CHECK(page.body.find("<h2>What to improve next</h2>") != std::string::npos);
  CHECK(page.body.find("<code>slow-ttfb</code>: server time is 99% of shop/home p95") != std::string::npos);
  CHECK(page.body.find("<code>no-compression</code>") != std::string::npos);
  CHECK(page.body.find("<code>slow-ttfb</code>") < page.body.find("<code>no-compression</code>"));

  const auto all = reportJson(thisMonth(), "");
  REQUIRE(all["improvements"].size() == 2);
  const auto& first = all["improvements"][0];
  CHECK(first["shop"] == "shop");
  CHECK(first["env"] == "production");
  CHECK(first["check"] == "home");
  CHECK(first["step"] == "");
  CHECK(first["finding"] == "slow-ttfb");
  CHECK(first["priority"] == "warning");
  CHECK(first["summary"] == "server time is 99% of shop/home p95");
  CHECK(first["saving_seconds"].get<double>() == Approx(0.7));
  CHECK(first["saving_bytes"] == 0);
  CHECK(all["improvements"][1]["saving_bytes"] == 4096);
  const auto other = reportJson(thisMonth(), "other");
  REQUIRE(other["improvements"].size() == 1);
  CHECK(other["improvements"][0]["finding"] == "no-compression");
  CHECK(other["improvements"][0]["priority"] == "info");
  // A past month reported now: what to improve next is what the findings say now.
  CHECK(reportJson(lastMonth(), "")["improvements"].size() == 2);
  const auto html = service.report(thisMonth(), "", "html");
  REQUIRE(html.status == 200);
  CHECK(html.body.find("<h2>What to improve next</h2>") != std::string::npos);

  findings.clear();
  CHECK(service.statusPage().body.find("Nothing stands out") != std::string::npos);
  CHECK(reportJson(thisMonth(), "")["improvements"].empty());
}

TEST_CASE("reportImprovements keeps the first findings of a shop in their order") {
  using namespace shopwatch;
  std::vector<agent::insights::Finding> findings;
  for (int i = 0; i < 14; ++i)
    findings.push_back(finding(i % 2 == 0 ? "shop" : "other", "slow-ttfb", rules::Severity::Critical,
                               2.0 - 0.1 * i, static_cast<std::uint64_t>(i), "finding " + std::to_string(i)));
  findings[3].step = "cart";
  const auto top = agent::runtime::reportImprovements(findings);
  REQUIRE(top.size() == agent::runtime::kReportImprovements);
  CHECK(top.size() == 10);
  for (std::size_t i = 0; i < top.size(); ++i) CHECK(top[i].summary == "finding " + std::to_string(i));
  CHECK(top[3].step == "cart");
  CHECK(top[0].priority == "critical");
  CHECK(top[2].saving_bytes == 2);
  CHECK(top[1].saving_seconds == Approx(1.9));
  const auto other = agent::runtime::reportImprovements(findings, 3, "other");
  REQUIRE(other.size() == 3);
  CHECK(other[0].summary == "finding 1");
  CHECK(other[2].summary == "finding 5");
  CHECK(agent::runtime::reportImprovements({}, 10).empty());
}
