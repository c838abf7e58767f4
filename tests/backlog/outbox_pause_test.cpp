// The outbox worker's pause edges (OutboxWorkerOptions::on_pause_change, the internal alert's input)
// and the requests of refresh() in shopwatch_backlog_requests_total.
#include <catch2/catch.hpp>

#include "outbox_test_support.h"
#include "shopwatch/agent/backlog/outbox_worker.h"

using namespace shopwatch;
using namespace shopwatch::backlog_test;
using agent::backlog::OutboxWorker;
using agent::backlog::OutboxWorkerOptions;
using agent::backlog::PlannerConfig;
using agent::backlog::SinkStats;

namespace {

PlannerConfig config() {
  PlannerConfig c;
  c.client = "acme-client";
  c.sinks = {"jira"};
  c.comment_interval = 10min;
  return c;
}

struct Edges {
  std::mutex mu;
  std::vector<SinkStats> seen;
  std::vector<SinkStats> get() {
    std::lock_guard lk(mu);
    return seen;
  }
};

OutboxWorkerOptions options(Env& env, const std::shared_ptr<FakeBacklog>& backlog, Edges& edges) {
  OutboxWorkerOptions o;
  o.clock = &env.clock;
  o.store = &env.store();
  o.sinks.push_back(std::make_unique<FakeSink>(backlog));
  o.comment_interval = 10min;
  o.client = "acme-client";
  o.random = [] { return 0.5; };
  o.on_pause_change = [&edges](const SinkStats& s) {
    std::lock_guard lk(edges.mu);
    edges.seen.push_back(s);
  };
  return o;
}

void settle(Env& env, OutboxWorker& worker, core::Micros by) {
  env.clock.advance(by);
  worker.wake();
  REQUIRE(worker.waitIdle(10s));
}

}  // namespace

TEST_CASE("a sink refusing credentials reports one pause edge and one edge when it answers again") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  backlog->setScript([](const SinkCall&) -> std::optional<SendResult> {
    return answer(SendStatus::Pause, 401, "credentials refused");
  });
  Edges edges;
  OutboxWorker worker(options(env, backlog, edges));
  REQUIRE(worker.waitIdle(10s));
  REQUIRE(env.commit({fire("availability", "home", kT0)}));
  settle(env, worker, 0s);
  settle(env, worker, 1min);  // the probe is refused again: no second edge
  REQUIRE(backlog->seen().size() == 2);
  auto seen = edges.get();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].name == "jira");
  CHECK(seen[0].paused);
  CHECK(seen[0].pause_code == 401);
  CHECK(seen[0].paused_since == kT0);
  CHECK(seen[0].pause_error == "credentials refused");
  CHECK(worker.stats().sinks.at(0).paused);

  backlog->setScript({});
  settle(env, worker, 1min);
  seen = edges.get();
  REQUIRE(seen.size() == 2);
  CHECK_FALSE(seen[1].paused);
  CHECK_FALSE(seen[1].paused_since.has_value());
  CHECK_FALSE(worker.stats().sinks.at(0).paused);
  CHECK(env.pending().empty());
}

TEST_CASE("a healthy sink reports one unpaused edge at its first answer and none after") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  Edges edges;
  OutboxWorker worker(options(env, backlog, edges));
  REQUIRE(worker.waitIdle(10s));
  REQUIRE(env.commit({fire("availability", "home", kT0)}));
  settle(env, worker, 0s);
  REQUIRE(env.commit({resolve("availability", "home", kT0, kT0 + 5min, 0.9)}));
  settle(env, worker, 5min);
  CHECK(backlog->seen().size() == 2);
  const auto seen = edges.get();
  REQUIRE(seen.size() == 1);
  CHECK_FALSE(seen[0].paused);
}

TEST_CASE("the requests a sink's refresh makes are counted by status code") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  backlog->refresh_codes = {200, 503};
  Edges edges;
  auto o = options(env, backlog, edges);
  o.open_facts = [] { return std::vector<IncidentFacts>{}; };
  OutboxWorker worker(std::move(o));
  REQUIRE(worker.waitIdle(10s));
  settle(env, worker, 30s);
  settle(env, worker, 30s);
  std::size_t refreshes = 0;
  {
    std::lock_guard lk(backlog->mu);
    refreshes = backlog->refreshes.size();
  }
  REQUIRE(refreshes >= 2);
  const auto requests = worker.stats().sinks.at(0).requests;
  CHECK(requests.at(200) == refreshes);
  CHECK(requests.at(503) == refreshes);
}
