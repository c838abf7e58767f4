// OutboxWorker: delivery in order per incident and sink, once, across outages, crashes, rate
// limits, paused and refusing sinks — on a fake clock the test advances (the worker never sleeps on
// its own account: every wait is measured on that clock and cut short by wake()).
#include "shopwatch/agent/backlog/outbox_worker.h"

#include <catch2/catch.hpp>

#include "outbox_test_support.h"
#include "retry_backoff.h"

using namespace shopwatch;
using namespace shopwatch::backlog_test;
using agent::backlog::OutboxStats;
using agent::backlog::OutboxWorker;
using agent::backlog::OutboxWorkerOptions;
using agent::backlog::PlannerConfig;

namespace {

PlannerConfig config(std::vector<std::string> sinks = {"jira"}) {
  PlannerConfig c;
  c.client = "acme-client";
  c.sinks = std::move(sinks);
  c.comment_interval = 10min;
  return c;
}

OutboxWorkerOptions options(Env& env, const std::shared_ptr<FakeBacklog>& backlog) {
  OutboxWorkerOptions o;
  o.clock = &env.clock;
  o.store = &env.store();
  o.sinks.push_back(std::make_unique<FakeSink>(backlog));
  o.comment_interval = 10min;
  o.client = "acme-client";
  o.random = [] { return 0.5; };
  return o;
}

// Commit, wake the worker and wait until it has nothing left to do now.
void commitAndSettle(Env& env, OutboxWorker& worker, std::vector<AlertTransition> ts) {
  REQUIRE(env.commit(std::move(ts)));
  worker.wake();
  REQUIRE(worker.waitIdle(10s));
}

void advance(Env& env, OutboxWorker& worker, core::Micros by) {
  env.clock.advance(by);
  worker.wake();
  REQUIRE(worker.waitIdle(10s));
}

agent::backlog::SinkStats sinkStats(const OutboxStats& s, const std::string& name) {
  for (const auto& k : s.sinks)
    if (k.name == name) return k;
  FAIL("no stats for sink " << name);
  return {};
}

}  // namespace

TEST_CASE("an outage is delivered as open, escalate and resolve, once each and in order") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  OutboxWorker worker(options(env, backlog));
  REQUIRE(worker.waitIdle(10s));

  commitAndSettle(env, worker, {fire("availability", "home", kT0)});
  REQUIRE(backlog->seenKinds() == std::vector<ActionKind>{ActionKind::Open});
  CHECK_FALSE(backlog->seen()[0].ticket);
  CHECK_FALSE(backlog->seen()[0].outcome_unknown);
  REQUIRE(env.tickets().size() == 1);
  CHECK(env.tickets()[0].ticket.key == "SHOP-1");
  CHECK(env.tickets()[0].ticket.episode == 1);
  CHECK(worker.stats().incidents_open == 1);

  // Shorter than comment_interval (10 min): no digest.
  advance(env, worker, 4min);
  commitAndSettle(
      env, worker,
      {escalate("availability", "home", kT0, kT0 + 4min, Severity::Warning, Severity::Critical)});
  advance(env, worker, 4min);
  commitAndSettle(env, worker,
                  {resolve("availability", "home", kT0, kT0 + 8min, 0.6, Severity::Critical)});

  const auto calls = backlog->seen();
  REQUIRE(backlog->seenKinds() ==
          std::vector<ActionKind>{ActionKind::Open, ActionKind::Escalate, ActionKind::Resolve});
  CHECK(calls[1].ticket->key == "SHOP-1");
  CHECK(calls[1].facts.previous_severity == "warning");
  CHECK(calls[2].ticket->key == "SHOP-1");
  CHECK(calls[2].facts.resolved_at == kT0 + 8min);
  CHECK(backlog->createCount() == 1);
  CHECK(env.pending().empty());
  for (const auto& a : env.actions()) {
    CHECK(a.state == ActionState::Done);
    CHECK(a.attempts == 1);
  }
  const auto stats = worker.stats();
  CHECK(stats.pending == 0);
  CHECK(stats.dead == 0);
  CHECK(stats.incidents_open == 0);
  CHECK(stats.oldest_pending_age == 0);
  CHECK(sinkStats(stats, "jira").up);
  CHECK(sinkStats(stats, "jira").requests == std::map<int, std::uint64_t>{{201, 3}});
}

TEST_CASE("a sink down for the whole incident gets every action once and in order when back") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  backlog->setScript([](const SinkCall&) -> std::optional<SendResult> {
    auto r = answer(SendStatus::Retry, 0, "connect: connection refused");
    return r;
  });
  OutboxWorker worker(options(env, backlog));
  REQUIRE(worker.waitIdle(10s));

  commitAndSettle(env, worker, {fire("availability", "home", kT0)});
  for (int minute = 1; minute <= 25; ++minute) {
    advance(env, worker, 1min);
    if (minute == 5)
      commitAndSettle(env, worker,
                      {escalate("availability", "home", kT0, kT0 + 5min, Severity::Warning,
                                Severity::Critical)});
    if (minute == 25)
      commitAndSettle(env, worker,
                      {resolve("availability", "home", kT0, kT0 + 25min, 0.6, Severity::Critical)});
  }
  // Only the head (the open) was tried; digests were queued at minutes 10 and 20, and the older
  // one coalesced into the newer as soon as both were pending.
  for (const auto& c : backlog->seen()) CHECK(c.kind == ActionKind::Open);
  const auto tries = backlog->seen().size();
  CHECK(tries >= 5);
  CHECK(tries <= 12);
  CHECK(kinds(env.pending()) == std::vector<ActionKind>{ActionKind::Open, ActionKind::Escalate,
                                                        ActionKind::Digest, ActionKind::Resolve});
  {
    const auto all = env.actions();
    REQUIRE(kinds(all) == std::vector<ActionKind>{ActionKind::Open, ActionKind::Escalate,
                                                  ActionKind::Digest, ActionKind::Digest,
                                                  ActionKind::Resolve});
    CHECK(all[2].state == ActionState::Done);
    CHECK(all[2].last_error == "coalesced");
    CHECK(all[2].attempts == 0);
    CHECK(factsOf(all[2]).at == kT0 + 10min);
    CHECK(all[3].state == ActionState::Pending);
    CHECK(all[0].attempts == static_cast<std::int64_t>(tries));
    CHECK(all[0].last_error == "connect: connection refused");
    CHECK_FALSE(all[0].outcome_unknown);  // never sent: nothing can have been created
  }
  {
    const auto stats = worker.stats();
    CHECK(stats.pending == 4);
    CHECK(stats.oldest_pending_age == Approx(25 * 60.0));
    CHECK_FALSE(sinkStats(stats, "jira").up);
    CHECK(sinkStats(stats, "jira").requests.at(0) == tries);
  }

  backlog->setScript({});
  advance(env, worker, 11min);
  const auto calls = backlog->seen();
  REQUIRE(calls.size() == tries + 4);
  const std::vector<SinkCall> back(calls.begin() + static_cast<std::ptrdiff_t>(tries), calls.end());
  std::vector<ActionKind> back_kinds;
  for (const auto& c : back) back_kinds.push_back(c.kind);
  // Each delivered exactly once, in order; the digest delivered is the newer one.
  CHECK(back_kinds == std::vector<ActionKind>{ActionKind::Open, ActionKind::Escalate,
                                              ActionKind::Digest, ActionKind::Resolve});
  CHECK_FALSE(back[0].ticket);
  CHECK(back[1].ticket->key == "SHOP-1");
  CHECK(back[2].facts.at == kT0 + 20min);
  CHECK(back[2].facts.episode == 1);
  CHECK(back[3].ticket->key == "SHOP-1");
  CHECK(back[3].facts.resolved_at == kT0 + 25min);
  CHECK(backlog->createCount() == 1);
  CHECK(env.pending().empty());
  for (const auto& a : env.actions()) CHECK(a.state == ActionState::Done);
  CHECK(sinkStats(worker.stats(), "jira").up);
}

TEST_CASE("a crash between sending a create and recording it adopts the ticket after the restart") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  {
    auto o = options(env, backlog);
    o.before_record = [](const OutboxAction& a, const SendResult& r) {
      return !(a.kind == ActionKind::Open && r.status == SendStatus::Done);
    };
    OutboxWorker worker(std::move(o));
    REQUIRE(worker.waitIdle(10s));
    REQUIRE(env.commit({fire("availability", "home", kT0)}));
    worker.wake();
    REQUIRE(worker.waitIdle(10s));  // the thread has ended ("crashed")
    CHECK(backlog->createCount() == 1);
  }
  const auto left = env.pending();
  REQUIRE(left.size() == 1);
  CHECK(left[0].kind == ActionKind::Open);
  CHECK(left[0].attempts == 1);
  CHECK(left[0].outcome_unknown);
  CHECK(env.tickets().empty());

  OutboxWorker restarted(options(env, backlog));
  REQUIRE(restarted.waitIdle(10s));
  const auto calls = backlog->seen();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].kind == ActionKind::Open);
  CHECK(calls[1].outcome_unknown);
  CHECK(backlog->createCount() == 1);  // adopted, not created again
  REQUIRE(env.tickets().size() == 1);
  CHECK(env.tickets()[0].ticket.key == "SHOP-1");
  CHECK(env.pending().empty());
  const auto done = env.actions().at(0);
  CHECK(done.state == ActionState::Done);
  CHECK(done.attempts == 2);
}

TEST_CASE("a 429 with Retry-After 3 s is not sent again before 3 s have passed") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  int answered = 0;
  backlog->setScript([&](const SinkCall&) -> std::optional<SendResult> {
    if (answered++ > 0) return std::nullopt;
    auto r = answer(SendStatus::Retry, 429, "rate limited");
    r.retry_after = 3s;
    return r;
  });
  auto o = options(env, backlog);
  o.random = [] { return 0.0; };  // the jitter alone would retry after min_retry (1 s)
  OutboxWorker worker(std::move(o));
  REQUIRE(worker.waitIdle(10s));
  commitAndSettle(env, worker, {fire("availability", "home", kT0)});
  REQUIRE(backlog->seen().size() == 1);
  CHECK(env.pending().at(0).next_attempt_at == kT0 + 3s);
  CHECK(env.pending().at(0).last_error == "rate limited");
  CHECK_FALSE(env.pending().at(0).outcome_unknown);  // answered: nothing was created

  advance(env, worker, 1s);
  advance(env, worker, 1900ms);
  CHECK(backlog->seen().size() == 1);
  advance(env, worker, 100ms);
  const auto calls = backlog->seen();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].at - calls[0].at >= 3s);
  CHECK(env.pending().empty());
  const auto jira = sinkStats(worker.stats(), "jira");
  CHECK(jira.requests == std::map<int, std::uint64_t>{{201, 1}, {429, 1}});
  CHECK(jira.up);
}

TEST_CASE("a 401 pauses the whole sink, keeps its queue and reports it down until a probe passes") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  backlog->setScript([](const SinkCall&) -> std::optional<SendResult> {
    return answer(SendStatus::Pause, 401, "credentials refused");
  });
  OutboxWorker worker(options(env, backlog));
  REQUIRE(worker.waitIdle(10s));
  commitAndSettle(env, worker, {fire("availability", "home", kT0), fire("latency", "cart", kT0)});
  CHECK(backlog->seen().size() == 1);  // the second incident's queue is not tried while paused
  {
    const auto stats = worker.stats();
    CHECK(stats.pending == 2);
    CHECK_FALSE(sinkStats(stats, "jira").up);
    CHECK(sinkStats(stats, "jira").requests == std::map<int, std::uint64_t>{{401, 1}});
  }
  advance(env, worker, 30s);
  CHECK(backlog->seen().size() == 1);
  advance(env, worker, 30s);  // a minute: the head action probes again
  CHECK(backlog->seen().size() == 2);
  CHECK(env.pending().size() == 2);

  backlog->setScript({});
  advance(env, worker, 1min);
  CHECK(backlog->seen().size() == 4);
  CHECK(env.pending().empty());
  CHECK(env.tickets().size() == 2);
  CHECK(sinkStats(worker.stats(), "jira").up);
}

TEST_CASE("a 400 dead-letters the action and the queue goes on") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  backlog->setScript([](const SinkCall& c) -> std::optional<SendResult> {
    if (c.kind != ActionKind::Open) return std::nullopt;
    return answer(SendStatus::Dead, 400, "Field 'priority' is required");
  });
  OutboxWorker worker(options(env, backlog));
  REQUIRE(worker.waitIdle(10s));
  commitAndSettle(env, worker, {fire("availability", "home", kT0)});
  env.clock.advance(1min);
  commitAndSettle(env, worker, {resolve("availability", "home", kT0, kT0 + 1min, 0.9)});
  CHECK(backlog->seenKinds() == std::vector<ActionKind>{ActionKind::Open, ActionKind::Resolve});
  const auto all = env.actions();
  REQUIRE(all.size() == 2);
  CHECK(all[0].state == ActionState::Dead);
  CHECK(all[0].last_error == "Field 'priority' is required");
  CHECK(all[1].state == ActionState::Done);
  const auto stats = worker.stats();
  CHECK(stats.dead == 1);
  CHECK(stats.pending == 0);
  CHECK(sinkStats(stats, "jira").up);
}

TEST_CASE(
    "digests follow comment_interval while firing and refresh hands sinks the open incidents") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  auto o = options(env, backlog);
  o.open_facts = [&env] {
    auto f = env.planner().facts(
        record("availability", "home", AlertState::Firing, Severity::Warning, kT0),
        env.clock.now());
    f.value_text = "42%";
    return std::vector<IncidentFacts>{f};
  };
  OutboxWorker worker(std::move(o));
  REQUIRE(worker.waitIdle(10s));
  commitAndSettle(env, worker, {fire("availability", "home", kT0)});
  advance(env, worker, 9min);
  CHECK(backlog->seenKinds() == std::vector<ActionKind>{ActionKind::Open});
  advance(env, worker, 1min);
  REQUIRE(backlog->seenKinds() == std::vector<ActionKind>{ActionKind::Open, ActionKind::Digest});
  const auto digest = backlog->seen()[1];
  CHECK(digest.facts.value_text == "42%");
  CHECK(digest.facts.at == kT0 + 10min);
  CHECK(digest.facts.since == kT0);
  CHECK(digest.ticket->key == "SHOP-1");
  CHECK(env.incidents().at(0).last_digest_at == kT0 + 10min);
  advance(env, worker, 9min);
  CHECK(backlog->seen().size() == 2);
  advance(env, worker, 1min);
  CHECK(backlog->seen().size() == 3);
  {
    std::lock_guard lk(backlog->mu);
    REQUIRE_FALSE(backlog->refreshes.empty());
    REQUIRE(backlog->refreshes.back().size() == 1);
    CHECK(backlog->refreshes.back()[0].fingerprint == env.incidents().at(0).fingerprint);
    CHECK(backlog->refreshes.back()[0].value_text == "42%");
  }
  commitAndSettle(env, worker, {resolve("availability", "home", kT0, kT0 + 20min, 0.9)});
  advance(env, worker, 30min);
  CHECK(backlog->seenKinds().back() == ActionKind::Resolve);
  CHECK(backlog->seen().size() == 4);
  {
    std::lock_guard lk(backlog->mu);
    CHECK(backlog->refreshes.back().empty());
  }
}

TEST_CASE("retry delays double from 2 s up to 10 min with full jitter, a floor and Retry-After") {
  using agent::backlog::detail::retryDelay;
  const core::Micros base = 2s, cap = 10min, floor = 1s;
  CHECK(retryDelay(1, base, cap, floor, 0.5, std::nullopt) == 1s);
  CHECK(retryDelay(2, base, cap, floor, 0.5, std::nullopt) == 2s);
  CHECK(retryDelay(4, base, cap, floor, 0.5, std::nullopt) == 8s);
  CHECK(retryDelay(30, base, cap, floor, 0.5, std::nullopt) == 5min);
  CHECK(retryDelay(30, base, cap, floor, 0.999, std::nullopt) < cap);
  CHECK(retryDelay(3, base, cap, floor, 0.0, std::nullopt) == floor);
  CHECK(retryDelay(3, base, cap, floor, 0.5, core::Micros{30s}) == 30s);
  CHECK(retryDelay(9, base, cap, floor, 0.5, core::Micros{30s}) == 256s);
}

TEST_CASE("stop finishes the request in flight and records its outcome") {
  Env env(config());
  auto backlog = std::make_shared<FakeBacklog>(env.clock);
  std::unique_ptr<OutboxWorker> worker;
  backlog->setScript([&](const SinkCall&) -> std::optional<SendResult> {
    worker->requestStop();  // asked to stop while this request is still out
    return std::nullopt;
  });
  worker = std::make_unique<OutboxWorker>(options(env, backlog));
  REQUIRE(worker->waitIdle(10s));
  REQUIRE(env.commit({fire("availability", "home", kT0), fire("latency", "cart", kT0)}));
  worker->wake();
  REQUIRE(worker->waitIdle(10s));  // the thread ended after recording the first
  worker->stop();
  // The first open was recorded; the second incident's was never started.
  CHECK(backlog->seen().size() == 1);
  const auto all = env.actions();
  REQUIRE(all.size() == 2);
  CHECK(all[0].state == ActionState::Done);
  CHECK(all[1].state == ActionState::Pending);
  CHECK(all[1].attempts == 0);
  REQUIRE(env.tickets().size() == 1);
  CHECK(env.tickets()[0].ticket.key == "SHOP-1");
}
