// The builder over a real store ([F]): stored runs of configured checks and journey steps become
// ranked findings; removed checks, failures, confirm rows and maintenance runs are left out.
#include <catch2/catch.hpp>

#include <memory>

#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/agent/insights/insights_formats.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "temp_dir.h"

namespace ins = shopwatch::agent::insights;
namespace core = shopwatch::core;
namespace storage = shopwatch::storage;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const core::Check> httpCheck(const std::string& name) {
  auto c = std::make_shared<core::Check>();
  c->key = {"acme", "production", name};
  c->probe = core::HttpProbe{};
  return c;
}

std::shared_ptr<const core::Check> journeyCheck(const std::string& name, const std::string& step) {
  auto c = std::make_shared<core::Check>();
  c->key = {"acme", "production", name};
  core::JourneyProbe j;
  core::JourneyStep s;
  s.name = step;
  j.steps.push_back(s);
  c->probe = j;
  return c;
}

core::RunRecord run(const std::string& check, const std::string& step, std::int64_t id, core::SystemTime at,
                    core::Micros processing, bool success = true) {
  core::RunRecord r;
  r.key = {"acme", "production", check};
  r.step = step;
  r.run_id = id;
  r.interval = 60s;
  r.scheduled = at;
  r.result.started = at;
  r.result.success = success;
  r.result.failure = success ? core::FailureReason::None : core::FailureReason::HttpStatus;
  r.result.status_code = success ? 200 : 503;
  r.result.phases = core::Phases{1000us, 2000us, 0us, processing, 3000us};
  r.result.duration = 6000us + processing;
  return r;
}

}  // namespace

TEST_CASE("stored runs of configured checks and steps become ranked findings", "[builder]") {
  shopwatch::testing::TempDir dir("shopwatch-insights");
  const auto db = dir.path() / "shopwatch.db";
  const core::SystemTime now = core::SystemClock::instance().now();
  {
    storage::StoreOptions options;
    options.path = db;
    auto store = storage::SqliteResultStore::open(options);
    REQUIRE(store);
    std::int64_t id = 0;
    for (auto t = now - 24h; t < now; t += 60s) {
      ++id;
      REQUIRE((*store)->enqueue(run("home", "", id, t, 900ms)));               // slow server time
      REQUIRE((*store)->enqueue(run("checkout", "", id, t, 100ms)));
      REQUIRE((*store)->enqueue(run("checkout", "cart", id, t, 700ms)));       // slow step
      REQUIRE((*store)->enqueue(run("removed", "", id, t, 2000ms)));           // no longer configured
      REQUIRE((*store)->enqueue(run("flaky", "", id, t, 5000ms, false)));      // failures only
    }
    REQUIRE((*store)->flush());
  }
  shopwatch::agent::AgentConfig config;
  config.checks = {httpCheck("home"), journeyCheck("checkout", "cart"), httpCheck("flaky")};

  auto reader = storage::SqliteResultStore::openReadOnly(db);
  REQUIRE(reader);
  auto report = ins::buildInsightsReport(reader->get(), config, {}, {}, now);
  CHECK(report.warnings.empty());
  CHECK(report.series_analysed == 4);  // home, checkout, checkout/cart, flaky
  REQUIRE(report.findings.size() == 2);
  // The cart step saves less (0.5 s) than home (0.7 s) but weighs 3 as a checkout step.
  CHECK(report.findings[0].key.check == "checkout");
  CHECK(report.findings[0].step == "cart");
  CHECK(report.findings[0].finding == "slow-ttfb");
  CHECK(report.findings[0].priority == shopwatch::rules::Severity::Critical);
  CHECK(report.findings[1].key.check == "home");
  CHECK(report.findings[1].step.empty());
  CHECK(report.findings[1].evidence["samples"] == 1440);

  const auto json = nlohmann::json::parse(ins::insightsJson(report));
  REQUIRE(json["findings"].size() == 2);
  CHECK(json["findings"][0]["check"] == "checkout");
  CHECK(json["findings"][0]["step"] == "cart");
  CHECK(json["findings"][0]["finding"] == "slow-ttfb");
  CHECK(ins::insightsText(report).find("slow-ttfb  acme/checkout/cart") != std::string::npos);
  CHECK(ins::insightsHtml(report).find("<code>slow-ttfb</code>") != std::string::npos);

  SECTION("one shop's scope") {
    auto other = ins::buildInsightsReport(reader->get(), config, {}, {"other"}, now);
    CHECK(other.findings.empty());
    CHECK(other.series_analysed == 0);
  }
}

TEST_CASE("without a database the report says so instead of failing", "[builder]") {
  shopwatch::agent::AgentConfig config;
  auto report = ins::buildInsightsReport(nullptr, config, {}, {}, core::SystemClock::instance().now());
  CHECK(report.findings.empty());
  REQUIRE(report.warnings.size() == 1);
  CHECK(report.warnings[0].find("no stored results") != std::string::npos);
}
