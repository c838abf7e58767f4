#include <catch2/catch.hpp>

#include <atomic>
#include <nlohmann/json.hpp>

#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/status/agent_metrics.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "status_fixtures.h"
#include "test_client.h"

using namespace shopwatch;
using agent::http::HttpServer;

TEST_CASE("the agent endpoints serve /metrics, /healthz, /readyz and /api/v1/checks over loopback") {
  agent::status::CheckStateTable table;
  auto spec = testing::makeSpec("acme", "home");
  table.setChecks({spec});
  testing::recordRun(table, spec->key, testing::passingResult(), false);
  agent::status::AgentMetrics metrics(agent::status::BuildInfo{"0.1.0", "7.88.1", "3.0"});
  std::atomic<bool> ready{false};

  HttpServer server;
  agent::http::AgentEndpoints endpoints;
  endpoints.checks = &table;
  endpoints.metrics = &metrics;
  endpoints.ready = [&]() -> core::Status {
    if (ready) return {};
    return core::makeError(core::ErrorCode::Unavailable, "config not loaded");
  };
  agent::http::registerAgentEndpoints(server, std::move(endpoints));
  REQUIRE(server.start());
  const std::string base = "http://" + server.listenAddress();

  const auto m = testing::curlRequest(base + "/metrics");
  REQUIRE(m.ok);
  CHECK(m.status == 200);
  CHECK(m.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(m.body.find("probe_success{shop=\"acme\",env=\"production\",check=\"home\"} 1\n") != std::string::npos);
  CHECK(m.body.find("shopwatch_build_info{") != std::string::npos);

  const auto h = testing::curlRequest(base + "/healthz");
  CHECK(h.status == 200);
  CHECK(h.body == "ok\n");

  auto r = testing::curlRequest(base + "/readyz");
  CHECK(r.status == 503);
  CHECK(r.body == "not ready: config not loaded\n");
  ready = true;
  r = testing::curlRequest(base + "/readyz");
  CHECK(r.status == 200);
  CHECK(r.body == "ready\n");

  const auto a = testing::curlRequest(base + "/api/v1/checks");
  CHECK(a.status == 200);
  CHECK(a.headers.at("content-type") == "application/json");
  const auto j = nlohmann::json::parse(a.body);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["check"] == "home");

  const auto head = testing::curlRequest(base + "/metrics", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(testing::curlRequest(base + "/metrics", "POST", "x").status == 405);
}
