// Parsing that can take milliseconds (JSON, RE2 over a buffered body) runs off the event thread.

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_http_server.h"
#include "probe_test_support.h"
#include "shopwatch/probes/http_probe_engine.h"

using namespace std::chrono_literals;
using shopwatch::core::Check;
using shopwatch::core::CheckKey;
using shopwatch::probes::EngineOptions;
using shopwatch::probes::HttpProbeEngine;
using shopwatch::probes::test::Collector;
using shopwatch::probes::test::specFor;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using Op = shopwatch::core::JsonExpectation::Op;

namespace {

shopwatch::core::JsonExpectation expectation(std::string path, Op op, std::string value,
                                             double number = 0) {
  shopwatch::core::JsonExpectation e;
  e.path = std::move(path);
  e.op = op;
  e.value = std::move(value);
  e.number = number;
  return e;
}

}  // namespace

TEST_CASE("a buffered body is evaluated on a worker, not on the event thread",
          "[probes][offload]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {}, R"({"cart": {"total": 12.5}})"});
  auto json = specFor(server.url("/"));
  json.http()->expect.json = {expectation("/cart/total", Op::Gt, "", 10)};
  auto regex = specFor(server.url("/"));
  regex.key.check = "regex";
  regex.http()->expect.body_regex = R"("total": \d+)";

  std::mutex mu;
  std::vector<std::thread::id> evaluated_on;
  EngineOptions options;
  options.before_evaluation = [&](const CheckKey&) {
    std::lock_guard lock(mu);
    evaluated_on.push_back(std::this_thread::get_id());
  };
  HttpProbeEngine engine(options);
  Collector c;
  engine.submit(std::make_shared<const Check>(json), c.callback());
  engine.submit(std::make_shared<const Check>(regex), c.callback());
  REQUIRE(c.waitFor(2, 10s));
  for (const auto& r : c.results) {
    INFO(r.message);
    CHECK(r.success);
  }
  std::lock_guard lock(mu);
  REQUIRE(evaluated_on.size() == 2);
  // Completions run on the event thread.
  REQUIRE(c.threads[0] == c.threads[1]);
  for (const auto& id : evaluated_on) CHECK(id != c.threads[0]);
}

TEST_CASE("a check without a buffered body is not sent to the workers", "[probes][offload]") {
  FakeHttpServer server;
  server.status("/", 200, "Warenkorb");
  auto check = specFor(server.url("/"));
  check.http()->expect.body_contains = "Warenkorb";
  std::atomic<int> evaluations{0};
  EngineOptions options;
  options.before_evaluation = [&](const CheckKey&) { ++evaluations; };
  HttpProbeEngine engine(options);
  Collector c;
  engine.submit(std::make_shared<const Check>(check), c.callback());
  REQUIRE(c.waitFor(1, 10s));
  CHECK(c.results[0].success);
  CHECK(evaluations == 0);
}

TEST_CASE("a check submitted after a slow evaluation is not held up by it", "[probes][offload]") {
  FakeHttpServer server;
  server.respond("/slow-json", FakeResponse{200, {}, R"({"v": 1})"});
  server.status("/plain", 200, "ok");
  auto slow = specFor(server.url("/slow-json"));
  slow.key.check = "slow";
  slow.http()->expect.json = {expectation("/v", Op::Equals, "1")};
  auto plain = specFor(server.url("/plain"));
  plain.key.check = "plain";

  std::promise<void> slow_started;
  std::promise<void> plain_done;
  auto plain_done_future = plain_done.get_future().share();
  std::atomic<bool> held_in_vain{false};
  EngineOptions options;
  // The slow check's evaluation lasts until the later check has completed: were it on the event
  // thread, that could never happen (and the wait would give up after 10 s).
  options.before_evaluation = [&, plain_done_future](const CheckKey& key) {
    if (key.check != "slow") return;
    slow_started.set_value();
    if (plain_done_future.wait_for(10s) != std::future_status::ready) held_in_vain = true;
  };
  HttpProbeEngine engine(options);
  Collector c;
  engine.submit(std::make_shared<const Check>(slow), c.callback());
  REQUIRE(slow_started.get_future().wait_for(10s) == std::future_status::ready);
  auto done = c.callback();
  engine.submit(std::make_shared<const Check>(plain), [&, done](shopwatch::core::ProbeResult r) {
    done(std::move(r));
    plain_done.set_value();
  });
  REQUIRE(c.waitFor(2, 20s));
  CHECK_FALSE(held_in_vain);
  CHECK(c.results[0].final_url == server.url("/plain"));
  CHECK(c.results[1].final_url == server.url("/slow-json"));
  CHECK(c.results[1].success);
}

TEST_CASE("stop waits for evaluations in progress and delivers their results",
          "[probes][offload]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {}, R"({"v": 1})"});
  auto check = specFor(server.url("/"));
  check.http()->expect.json = {expectation("/v", Op::Equals, "1")};
  std::promise<void> evaluating;
  EngineOptions options;
  options.before_evaluation = [&](const CheckKey&) {
    evaluating.set_value();
    std::this_thread::sleep_for(50ms);  // still evaluating when stop() is called
  };
  HttpProbeEngine engine(options);
  Collector c;
  engine.submit(std::make_shared<const Check>(check), c.callback());
  REQUIRE(evaluating.get_future().wait_for(10s) == std::future_status::ready);
  engine.stop();
  REQUIRE(c.results.size() == 1);
  CHECK(c.results[0].success);
  CHECK_FALSE(c.results[0].cancelled);
}
