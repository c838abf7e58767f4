#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/result_json.h"
#include "status_fixtures.h"

using namespace shopwatch;
using nlohmann::json;
using testing::failingResult;
using testing::makeSpec;
using testing::passingResult;

TEST_CASE("the result JSON object has every documented key with the right types") {
  auto r = passingResult();
  r.assertions.push_back({"body_contains", true, "found at offset 12"});
  const auto j = json::parse(agent::status::probeResultJson(r, {}));
  CHECK(j["success"] == true);
  CHECK(j["failure"].is_null());
  CHECK(j["message"] == "");
  CHECK(j["status_code"] == 200);
  CHECK(j["duration_seconds"].get<double>() == Approx(0.12));
  for (const char* phase : {"resolve", "connect", "tls", "processing", "transfer"}) {
    CHECK(j["phases"][phase].is_number_float());
  }
  CHECK(j["phases"]["connect"].get<double>() == Approx(0.0025));
  CHECK(j["http_version"] == "1.1");
  CHECK(j["tls_cert_not_after"] == "2030-03-17T17:46:40Z");
  CHECK(j["redirects"] == 0);
  CHECK(j["bytes"] == 5120);
  CHECK(j["content_length"] == 5120);
  CHECK(j["ssl"] == true);
  CHECK(j["final_url"] == "https://shop.test/");
  REQUIRE(j["assertions"].size() == 1);
  CHECK(j["assertions"][0] == json({{"name", "body_contains"}, {"passed", true}, {"detail", "found at offset 12"}}));
  CHECK_FALSE(j.contains("time"));

  const auto failed = json::parse(agent::status::probeResultJson(failingResult(core::FailureReason::Tls), {}, 2, true));
  CHECK(failed["failure"] == "tls");
  CHECK(failed["tls_cert_not_after"].is_null());
  CHECK(failed["time"] == "2027-01-15T08:01:00.000000Z");
}

TEST_CASE("the result JSON redacts secrets in every string and survives invalid UTF-8") {
  auto r = failingResult(core::FailureReason::Assertion);
  r.message = "token s3cr3t rejected \xff";
  r.final_url = "https://shop.test/?key=s3cr3t";
  r.assertions = {{"header x-s3cr3t", false, "saw s3cr3t"}};
  const auto text = agent::status::probeResultJson(r, {"s3cr3t"});
  CHECK(text.find("s3cr3t") == std::string::npos);
  const auto j = json::parse(text);
  CHECK(j["final_url"] == "https://shop.test/?key=<redacted>");
  CHECK(j["assertions"][0]["name"] == "header x-<redacted>");
  CHECK(j["assertions"][0]["detail"] == "saw <redacted>");
}

TEST_CASE("/api/v1/checks JSON lists every check with a redacted URL and null last before a run") {
  agent::status::CheckStateTable table;
  auto secret = std::make_shared<core::Check>(*makeSpec("acme", "api"));
  secret->http()->request.url = "http://127.0.0.1:1/api?token=hunter2";
  secret->secrets = {"hunter2"};
  auto idle = makeSpec("acme", "idle");
  table.setChecks({secret, idle});
  auto r = passingResult();
  r.final_url = "http://127.0.0.1:1/api?token=hunter2";
  testing::recordRun(table, secret->key, r, false);

  const auto text = agent::status::checksJson(table);
  CHECK(text.find("hunter2") == std::string::npos);
  const auto j = json::parse(text);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 2);
  const auto& api = j[0];
  CHECK(api["shop"] == "acme");
  CHECK(api["env"] == "production");
  CHECK(api["check"] == "api");
  CHECK(api["url"] == "http://127.0.0.1:1/api?token=<redacted>");
  CHECK(api["interval_seconds"].get<double>() == 60);
  CHECK(api["last"]["success"] == true);
  CHECK(api["last"]["time"] == "2027-01-15T08:00:00.000000Z");
  CHECK(api["last"]["final_url"] == "http://127.0.0.1:1/api?token=<redacted>");
  CHECK(api["runs"]["success"] == 1);
  CHECK(j[1]["check"] == "idle");
  CHECK(j[1]["last"].is_null());
  CHECK(j[1]["last_run"].is_null());
}

TEST_CASE("/api/v1/checks JSON tells journeys from plain checks and lists a journey's steps") {
  agent::status::CheckStateTable table;
  auto plain = makeSpec("acme", "home");
  auto journey = std::make_shared<core::Check>();
  journey->key = core::CheckKey{"acme", "production", "checkout"};
  journey->schedule.interval = std::chrono::minutes{5};
  journey->schedule.timeout = std::chrono::seconds{60};
  journey->secrets = {"hunter2"};
  core::JourneyProbe probe;
  for (const char* name : {"product", "add-to-cart", "cart"}) {
    auto& s = probe.steps.emplace_back();
    s.name = name;
    s.request.url = std::string("http://127.0.0.1:1/") + name + "?key=hunter2";
  }
  probe.steps[1].request.method = "POST";
  probe.cleanup.emplace_back().name = "empty-cart";
  journey->probe = std::move(probe);
  table.setChecks({plain, journey});
  core::ProbeResult run = failingResult(core::FailureReason::HttpStatus);
  run.failed_step = "add-to-cart";
  run.steps.push_back({"product", false, false, passingResult()});
  run.steps.push_back({"add-to-cart", false, false, failingResult(core::FailureReason::HttpStatus)});
  run.steps.push_back({"cart", true, false, {}});
  run.steps.push_back({"empty-cart", false, true, passingResult()});
  testing::recordRun(table, journey->key, run, false, false);

  const auto text = agent::status::checksJson(table);
  CHECK(text.find("hunter2") == std::string::npos);
  const auto j = json::parse(text);
  REQUIRE(j.size() == 2);
  const auto& c = j[0];
  REQUIRE(c["check"] == "checkout");
  CHECK(c["kind"] == "journey");
  CHECK(c["steps"] == json({"product", "add-to-cart", "cart"}));
  CHECK(c["cleanup"] == json({"empty-cart"}));
  CHECK(c["journey_timeout_seconds"].get<double>() == 60);
  CHECK(c["timeout_seconds"].get<double>() == 60);
  CHECK(c["interval_seconds"].get<double>() == 300);
  CHECK(c["url"] == "http://127.0.0.1:1/product?key=<redacted>");
  CHECK(c["method"] == "GET");
  // Every key a plain check has stays.
  for (const char* key : {"shop", "env", "histogram", "awaiting_confirm", "runs", "last_run", "last"}) {
    CHECK(c.contains(key));
  }
  CHECK(c["last"]["failed_step"] == "add-to-cart");
  REQUIRE(c["last"]["steps"].size() == 4);
  CHECK(c["last"]["steps"][2]["skipped"] == true);
  CHECK(c["last"]["steps"][3]["cleanup"] == true);

  const auto& h = j[1];
  CHECK(h["kind"] == "http");
  CHECK_FALSE(h.contains("steps"));
  CHECK_FALSE(h.contains("journey_timeout_seconds"));
  CHECK(h["url"] == "http://127.0.0.1:1/home");
}

TEST_CASE("a failed journey's JSON carries its evidence, redacted, and the extracted variable names only") {
  core::ProbeResult r = failingResult(core::FailureReason::HttpStatus);
  r.failed_step = "checkout";
  r.evidence = core::Evidence{{{"content-type", "text/html"}, {"x-debug", "token hunter2"}},
                              "<h1>503</h1> hunter2"};
  core::StepResult step;
  step.name = "checkout";
  step.result = r;
  step.result.extracted = {"csrf"};
  r.steps.push_back(step);
  const auto j = nlohmann::json::parse(agent::status::probeResultJson(r, {"hunter2"}, -1));
  REQUIRE(j.contains("evidence"));
  CHECK(j["evidence"]["headers"]["content-type"] == "text/html");
  CHECK(j["evidence"]["headers"]["x-debug"] == "token <redacted>");
  CHECK(j["evidence"]["body_snippet"] == "<h1>503</h1> <redacted>");
  CHECK(j["failed_step"] == "checkout");
  CHECK(j["steps"][0]["extracted"] == nlohmann::json::array({"csrf"}));
  CHECK(j["steps"][0]["name"] == "checkout");
}
