// reportJson / reportFromJson: the keys, null for missing values, rounding, and the round
// trip a frozen month depends on.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sample_report.h"
#include "shopwatch/agent/report/report_builder.h"
#include "shopwatch/agent/report/report_formats.h"

using namespace shopwatch;
using namespace shopwatch::agent::report;
using shopwatch::report_test::sampleReport;

TEST_CASE("report JSON has the issue's keys at every level", "[report][json]") {
  const auto j = nlohmann::json::parse(reportJson(sampleReport()));
  for (const char* key : {"month", "timezone", "generated_at", "frozen", "shops", "client", "from", "to",
                          "frozen_at", "maintenance"})
    CHECK(j.contains(key));
  CHECK(j["month"] == "2026-11");
  CHECK(j["timezone"] == "Europe/Vienna");
  CHECK(j["from"] == "2026-10-31T23:00:00Z");
  CHECK(j["frozen"] == false);
  CHECK(j["frozen_at"].is_null());
  const auto& shop = j["shops"][0];
  for (const char* key : {"shop", "env", "sla", "checks", "worst_days"}) CHECK(shop.contains(key));
  for (const char* key : {"target_percent", "target", "met", "availability_percent", "downtime_seconds",
                          "maintenance_seconds", "unmonitored_seconds", "error_budget_used_percent",
                          "maintenance", "unmonitored", "checks", "apdex_t_seconds"})
    CHECK(shop["sla"].contains(key));
  CHECK(shop["sla"]["target_percent"] == Approx(99.9));
  CHECK(shop["sla"]["target"] == "99.9%");
  CHECK(shop["sla"]["met"] == true);
  CHECK(shop["sla"]["maintenance"] == "exclude");
  CHECK(shop["sla"]["apdex_t_seconds"] == Approx(0.5));
  const auto& check = shop["checks"][0];
  for (const char* key : {"check", "availability_percent", "downtime_seconds", "maintenance_seconds",
                          "unmonitored_seconds", "runs", "failed_runs", "p50_seconds", "p95_seconds",
                          "p99_seconds", "apdex", "incidents", "journey", "in_sla", "covered_seconds",
                          "error_budget_used_percent", "mttr_seconds", "days", "phases", "steps"})
    CHECK(check.contains(key));
  CHECK(check["runs"] == 43200);
  CHECK(check["unmonitored_seconds"] == Approx(12.5));
  CHECK(check["p50_seconds"] == Approx(0.412345));
  const auto& incident = check["incidents"][0];
  for (const char* key : {"start", "end", "duration_seconds", "ticket", "rule", "severity", "ticket_url"})
    CHECK(incident.contains(key));
  CHECK(incident["start"] == "2026-11-03T13:05:00Z");
  CHECK(incident["duration_seconds"] == Approx(1500));
  CHECK(incident["ticket"] == "OPS-123");
  CHECK(check["days"].size() == 3);
  CHECK(check["steps"][0]["step"] == "pay");
  CHECK(check["phases"]["samples"] == 43175);
}

TEST_CASE("report JSON writes missing values as null", "[report][json]") {
  const auto j = nlohmann::json::parse(reportJson(sampleReport()));
  const auto& open = j["shops"][0]["checks"][0]["incidents"][1];
  CHECK(open["end"].is_null());
  CHECK(open["ticket"].is_null());
  CHECK(open["ticket_url"].is_null());
  const auto& beta = j["shops"][1];
  CHECK(beta["sla"].is_null());
  const auto& api = beta["checks"][0];
  CHECK(api["availability_percent"].is_null());
  CHECK(api["p95_seconds"].is_null());
  CHECK(api["apdex"].is_null());
  CHECK(api["mttr_seconds"].is_null());
  CHECK(api["phases"].is_null());
  CHECK(j["shops"][0]["checks"][0]["days"][2]["availability_percent"].is_null());
}

TEST_CASE("report JSON rounds percents to 6 decimals", "[report][json]") {
  auto r = sampleReport();
  r.shops[0].checks[0].availability = 0.99899964449;
  const auto j = nlohmann::json::parse(reportJson(r));
  CHECK(j["shops"][0]["checks"][0]["availability_percent"].get<double>() == 99.899964);
  CHECK(j["shops"][0]["sla"]["availability_percent"].get<double>() == 99.9312);
  CHECK(j["shops"][0]["checks"][1]["availability_percent"].get<double>() == 100.0);
  CHECK(j["shops"][0]["checks"][0]["error_budget_used_percent"].get<double>() == 125.0);
}

TEST_CASE("report JSON round-trips through reportFromJson", "[report][json]") {
  auto r = sampleReport();
  r.frozen = true;
  r.frozen_at = report_test::at("2026-12-01T08:00:00.123456Z");
  const std::string first = reportJson(r);
  auto parsed = reportFromJson(first);
  INFO((parsed ? std::string() : parsed.error().message));
  REQUIRE(parsed.ok());
  CHECK(reportJson(*parsed) == first);
  CHECK(parsed->frozen);
  REQUIRE(parsed->frozen_at);
  CHECK(core::toMicros(*parsed->frozen_at) == core::toMicros(*r.frozen_at));
  CHECK(parsed->generated_at == r.generated_at);
  CHECK(parsed->client == "ACME Handels GmbH");
  REQUIRE(parsed->shops.size() == 2);
  const auto& check = parsed->shops[0].checks[0];
  CHECK(check.journey);
  CHECK(check.p50 == r.shops[0].checks[0].p50);
  CHECK(check.unmonitored == r.shops[0].checks[0].unmonitored);
  CHECK(check.availability.value() == Approx(0.9989996).epsilon(1e-12));
  REQUIRE(check.incidents.size() == 2);
  CHECK_FALSE(check.incidents[1].end);
  CHECK(check.incidents[0].ticket_url == "https://jira.example.com/browse/OPS-123");
  CHECK(check.phases.processing == r.shops[0].checks[0].phases.processing);
  CHECK_FALSE(parsed->shops[1].sla);
  REQUIRE(parsed->shops[0].sla);
  CHECK(parsed->shops[0].sla->maintenance_policy == "exclude");
  CHECK(parsed->shops[0].sla->met == std::optional<bool>(true));
  CHECK(parsed->shops[0].sla->checks == r.shops[0].sla->checks);
  REQUIRE(parsed->maintenance.size() == 2);
  CHECK(parsed->maintenance[1].announced_by == "ops@acme");
  CHECK(parsed->maintenance[1].shops.empty());
}

TEST_CASE("reportFromJson refuses what is not a report", "[report][json]") {
  CHECK_FALSE(reportFromJson("not json").ok());
  CHECK_FALSE(reportFromJson("[1,2]").ok());
  auto j = nlohmann::json::parse(reportJson(sampleReport()));
  j["shops"][0]["checks"][0].erase("runs");
  auto missing = reportFromJson(j.dump());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == core::ErrorCode::Invalid);
  CHECK(missing.error().message.find("shops[0].checks[0]") != std::string::npos);
  CHECK(missing.error().message.find("runs") != std::string::npos);
  auto k = nlohmann::json::parse(reportJson(sampleReport()));
  k["from"] = "yesterday";
  CHECK_FALSE(reportFromJson(k.dump()).ok());
  k = nlohmann::json::parse(reportJson(sampleReport()));
  k["shops"][0]["checks"][0]["runs"] = "many";
  CHECK_FALSE(reportFromJson(k.dump()).ok());
}

TEST_CASE("report JSON writes the improvements with exactly their keys", "[report][json][improvements]") {
  auto r = sampleReport();
  CHECK(nlohmann::json::parse(reportJson(r))["improvements"] == nlohmann::json::array());
  r.improvements = report_test::sampleImprovements();
  const auto j = nlohmann::json::parse(reportJson(r));
  REQUIRE(j["improvements"].size() == 2);
  const auto& first = j["improvements"][0];
  std::vector<std::string> keys;
  for (const auto& [key, value] : first.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"check", "env", "finding", "priority", "saving_bytes", "saving_seconds",
                                         "shop", "step", "summary"});
  CHECK(first["shop"] == "acme");
  CHECK(first["env"] == "production");
  CHECK(first["check"] == "checkout");
  CHECK(first["step"] == "cart");
  CHECK(first["finding"] == "slow-ttfb");
  CHECK(first["priority"] == "warning");
  CHECK(first["saving_seconds"].get<double>() == Approx(1.17));
  CHECK(first["saving_bytes"] == 0);
  CHECK(j["improvements"][1]["step"] == "");
  CHECK(j["improvements"][1]["saving_bytes"] == 296960);
}

TEST_CASE("report JSON round-trips the improvements in their order", "[report][json][improvements]") {
  auto r = sampleReport();
  r.improvements = report_test::sampleImprovements();
  const std::string first = reportJson(r);
  auto parsed = reportFromJson(first);
  INFO((parsed ? std::string() : parsed.error().message));
  REQUIRE(parsed.ok());
  CHECK(reportJson(*parsed) == first);
  REQUIRE(parsed->improvements.size() == 2);
  const auto& a = parsed->improvements[0];
  CHECK(a.shop == "acme");
  CHECK(a.env == "production");
  CHECK(a.check == "checkout");
  CHECK(a.step == "cart");
  CHECK(a.finding == "slow-ttfb");
  CHECK(a.priority == "warning");
  CHECK(a.summary == "server time is 82% of acme/checkout/cart p95 (1.42 s)");
  CHECK(a.saving_seconds == 1.17);
  CHECK(a.saving_bytes == 0);
  const auto& b = parsed->improvements[1];
  CHECK(b.shop == "beta, the \"new\" one");
  CHECK(b.finding == "no-compression");
  CHECK(b.saving_bytes == 296960);
}

TEST_CASE("a report JSON without improvements (an older frozen month) reads as none",
          "[report][json][improvements]") {
  auto j = nlohmann::json::parse(reportJson(sampleReport()));
  REQUIRE(j.contains("improvements"));
  j.erase("improvements");
  auto parsed = reportFromJson(j.dump());
  INFO((parsed ? std::string() : parsed.error().message));
  REQUIRE(parsed.ok());
  CHECK(parsed->improvements.empty());
  CHECK(parsed->shops.size() == 2);
}

TEST_CASE("reportFromJson refuses malformed improvements naming where", "[report][json][improvements]") {
  auto r = sampleReport();
  r.improvements = report_test::sampleImprovements();
  auto j = nlohmann::json::parse(reportJson(r));
  j["improvements"][1].erase("summary");
  auto missing = reportFromJson(j.dump());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == core::ErrorCode::Invalid);
  CHECK(missing.error().message.find("improvements[1]") != std::string::npos);
  CHECK(missing.error().message.find("summary") != std::string::npos);
  j = nlohmann::json::parse(reportJson(r));
  j["improvements"][0]["saving_bytes"] = -1;
  CHECK_FALSE(reportFromJson(j.dump()).ok());
  j = nlohmann::json::parse(reportJson(r));
  j["improvements"] = "none";
  CHECK_FALSE(reportFromJson(j.dump()).ok());
}

TEST_CASE("filterShop keeps only the shop's improvements", "[report][improvements]") {
  auto r = sampleReport();
  r.improvements = report_test::sampleImprovements();
  const auto acme = filterShop(r, "acme");
  REQUIRE(acme.improvements.size() == 1);
  CHECK(acme.improvements[0].shop == "acme");
  CHECK(filterShop(r, "nope").improvements.empty());
}
