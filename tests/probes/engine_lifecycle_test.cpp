// The engine's own load is never the shop's: queue waits, in-flight counts, saturation marks, and
// runs cut by shutdown.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "fake_http_server.h"
#include "probe_test_support.h"
#include "shopwatch/probes/http_probe_engine.h"

using namespace std::chrono_literals;
using shopwatch::core::Check;
using shopwatch::core::FailureReason;
using shopwatch::core::ProbeResult;
using shopwatch::probes::EngineOptions;
using shopwatch::probes::HttpProbeEngine;
using shopwatch::probes::test::Collector;
using shopwatch::probes::test::specFor;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeRequest;
using shopwatch::testing::FakeResponse;

namespace {

// Keeps the calling thread busy (not asleep) for `d`: what a slow completion does to the loop.
void spin(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

bool waitUntil(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST_CASE("a run waiting for its host's slot reports the wait as queue_wait, not as duration",
          "[probes][timing]") {
  FakeHttpServer server;
  server.delay("/slow", 300ms, FakeResponse{200, {}, "ok"});
  server.status("/fast", 200, "ok");
  auto slow = specFor(server.url("/slow"));
  slow.per_host_limit = 1;
  auto fast = specFor(server.url("/fast"));
  fast.per_host_limit = 1;
  Collector c;
  HttpProbeEngine engine;
  engine.submit(std::make_shared<const Check>(slow), c.callback());
  engine.submit(std::make_shared<const Check>(fast), c.callback());
  REQUIRE(c.waitFor(2, 10s));
  const ProbeResult& first = c.results[0];
  const ProbeResult& second = c.results[1];
  REQUIRE(first.final_url == server.url("/slow"));
  CHECK(first.success);
  CHECK(second.success);
  // The second run could only start after the first one's 300 ms answer.
  CHECK(second.queue_wait >= 250ms);
  CHECK(second.started + 1ms >= first.started + first.duration);
  CHECK(second.duration < second.queue_wait);
  CHECK(first.queue_wait < second.queue_wait);
}

TEST_CASE("stats count queued runs and runs in flight", "[probes][timing]") {
  FakeHttpServer server;
  server.delay("/", 500ms, FakeResponse{200, {}, "ok"});
  auto check = specFor(server.url("/"));
  check.per_host_limit = 1;
  auto shared = std::make_shared<const Check>(check);
  Collector c;
  HttpProbeEngine engine;
  for (int i = 0; i < 3; ++i) engine.submit(shared, c.callback());
  REQUIRE(waitUntil([&] { return server.requestCount("/") == 1; }));
  auto stats = engine.stats();
  CHECK(stats.in_flight == 1);
  CHECK(stats.queued == 2);
  REQUIRE(c.waitFor(3, 20s));
  REQUIRE(waitUntil([&] { return engine.pending() == 0; }));
  stats = engine.stats();
  CHECK(stats.in_flight == 0);
  CHECK(stats.queued == 0);
  CHECK(stats.runs_completed == 3);
}

TEST_CASE("a run in flight while a completion keeps the event thread busy is marked saturated",
          "[probes][saturation]") {
  // Run A is held at its server until run B's completion has kept the engine thread busy for
  // 20 ms, far past the 1 ms threshold; A was in flight all along.
  FakeHttpServer a_server;
  FakeHttpServer b_server;
  std::promise<void> a_arrived;
  std::promise<void> b_done;
  auto b_done_future = b_done.get_future().share();
  std::atomic<bool> a_waited_too_long{false};
  a_server.route("/", [&, b_done_future](const FakeRequest&) {
    a_arrived.set_value();
    if (b_done_future.wait_for(10s) != std::future_status::ready) a_waited_too_long = true;
    return FakeResponse{200, {}, "ok"};
  });
  b_server.status("/", 200, "ok");

  EngineOptions options;
  options.saturation_threshold = 1ms;
  HttpProbeEngine engine(options);
  Collector a;
  engine.submit(std::make_shared<const Check>(specFor(a_server.url("/"))), a.callback());
  REQUIRE(a_arrived.get_future().wait_for(10s) == std::future_status::ready);
  engine.submit(std::make_shared<const Check>(specFor(b_server.url("/"))), [&b_done](ProbeResult) {
    spin(20ms);
    b_done.set_value();
  });
  REQUIRE(a.waitFor(1, 20s));
  CHECK_FALSE(a_waited_too_long);
  CHECK(a.results[0].success);
  CHECK(a.results[0].saturated);
  CHECK(engine.stats().saturated_runs >= 1);
}

TEST_CASE("an idle engine marks nothing saturated, however long it waits for the server",
          "[probes][saturation]") {
  FakeHttpServer server;
  server.delay("/", 300ms, FakeResponse{200, {}, "ok"});
  EngineOptions options;
  // Far above anything an idle loop does, far below the 300 ms it sits waiting in poll.
  options.saturation_threshold = 100ms;
  HttpProbeEngine engine(options);
  Collector c;
  auto shared = std::make_shared<const Check>(specFor(server.url("/")));
  for (int i = 0; i < 3; ++i) engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(3, 20s));
  for (const auto& r : c.results) {
    CHECK(r.success);
    CHECK_FALSE(r.saturated);
  }
  const auto stats = engine.stats();
  CHECK(stats.saturated_runs == 0);
  CHECK_FALSE(stats.saturated);
}

TEST_CASE("a run cut by shutdown while its body is evaluated completes as cancelled",
          "[probes][cancel]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {}, R"({"ok": true})"});
  auto check = specFor(server.url("/"));
  shopwatch::core::JsonExpectation exists;
  exists.path = "/ok";
  exists.op = shopwatch::core::JsonExpectation::Op::Exists;
  check.http()->expect.json = {exists};
  std::promise<void> evaluating;
  std::promise<void> completed;
  auto completed_future = completed.get_future().share();
  EngineOptions options;
  options.before_evaluation = [&evaluating, completed_future](const shopwatch::core::CheckKey&) {
    evaluating.set_value();
    // Holds the evaluation until the engine has cancelled the run (bounded, never forever).
    completed_future.wait_for(10s);
  };
  ProbeResult result;
  {
    HttpProbeEngine engine(options);
    engine.submit(std::make_shared<const Check>(check), [&](ProbeResult r) {
      result = std::move(r);
      completed.set_value();
    });
    REQUIRE(evaluating.get_future().wait_for(10s) == std::future_status::ready);
  }
  REQUIRE(completed_future.wait_for(0s) == std::future_status::ready);
  CHECK(result.cancelled);
  CHECK_FALSE(result.success);
  CHECK(result.failure == FailureReason::None);
  CHECK(result.message == "cancelled: engine stopping");
  CHECK(result.assertions.empty());
}
