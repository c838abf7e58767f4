// The run fan-out: one judgement per run, the state table first, then consumers, the store last.

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "shopwatch/agent/runtime/run_fanout.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/storage/memory_result_store.h"
#include "state_restore.h"

using namespace std::chrono_literals;
using shopwatch::agent::runtime::RunFanout;
using shopwatch::agent::status::CheckStateTable;
namespace core = shopwatch::core;

namespace {

struct Seen {
  core::RunRecord record;
  core::RunVerdict verdict;
  bool restored = false;
};

class RecordingConsumer final : public core::RunConsumer {
 public:
  void onRun(const core::RunRecord& record, const core::RunVerdict& verdict) override {
    seen.push_back({record, verdict, false});
  }
  void onRestore(const core::RunRecord& record, const core::RunVerdict& verdict) override {
    seen.push_back({record, verdict, true});
  }
  std::vector<Seen> seen;
};

std::shared_ptr<const core::Check> check(const std::string& name) {
  auto c = std::make_shared<core::Check>();
  c->key = core::CheckKey{"acme", "production", name};
  c->http()->request.url = "https://shop.test/" + name;
  return c;
}

core::RunRecord run(const core::CheckKey& key, bool success, std::int64_t t, bool confirm = false) {
  core::RunRecord r;
  r.key = key;
  r.run_id = t;
  r.confirm = confirm;
  r.scheduled = core::SystemTime{std::chrono::seconds{t}};
  r.interval = 60s;
  r.result.started = r.scheduled;
  r.result.success = success;
  r.result.status_code = success ? 200 : 503;
  if (!success) {
    r.result.failure = core::FailureReason::HttpStatus;
    r.result.message = "status 503 token=hunter2";
  }
  r.result.assertions.push_back({"status", success, "seen"});
  r.confirm_pending = core::awaitsConfirm(r.result, confirm, true);
  return r;
}

}  // namespace

TEST_CASE("a published run reaches the state table, then each consumer, then the store, slimmed") {
  CheckStateTable states;
  const auto home = check("home");
  states.setChecks({home});
  shopwatch::storage::MemoryResultStore store;
  RecordingConsumer rules;
  RunFanout fanout(states, &store);
  fanout.addConsumer(rules);

  const auto published = fanout.publish(run(home->key, false, 1'800'000'000), {"hunter2"});
  CHECK(published.verdict.counts);
  CHECK(published.verdict.awaiting_confirm);
  CHECK_FALSE(published.state_changed);  // awaits its confirm
  CHECK(published.stored);
  REQUIRE(rules.seen.size() == 1);
  CHECK_FALSE(rules.seen[0].restored);
  // Consumers see the whole result (assertions and all); the store keeps the slim, redacted copy.
  CHECK(rules.seen[0].record.result.assertions.size() == 1);
  auto rows = store.lastResults({home->key, ""}, 5);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().result.assertions.empty());
  CHECK(rows->front().result.message == "status 503 token=<redacted>");

  const auto confirmed = fanout.publish(run(home->key, false, 1'800'000'005, true), {"hunter2"});
  CHECK(confirmed.verdict.decides_state);
  CHECK(confirmed.state_changed);  // now down
  CHECK(states.find(home->key)->last->success == false);
}

TEST_CASE("a cancelled run reaches nobody") {
  CheckStateTable states;
  const auto home = check("home");
  states.setChecks({home});
  shopwatch::storage::MemoryResultStore store;
  RecordingConsumer rules;
  RunFanout fanout(states, &store);
  fanout.addConsumer(rules);

  auto cut = run(home->key, false, 1'800'000'000);
  cut.result.cancelled = true;
  cut.result.failure = core::FailureReason::None;
  cut.confirm_pending = core::awaitsConfirm(cut.result, false, true);
  CHECK_FALSE(cut.confirm_pending);
  const auto published = fanout.publish(cut, {});
  CHECK_FALSE(published.verdict.counts);
  CHECK_FALSE(published.stored);
  CHECK(rules.seen.empty());
  CHECK(store.stats().written_total == 0);
  const auto s = states.find(home->key);
  CHECK(s->counters.runs_failure == 0);
  CHECK_FALSE(s->counters.last_run.has_value());
}

TEST_CASE("restored runs set the state and reach consumers, but move no counter and are not stored again") {
  CheckStateTable states;
  const auto home = check("home");
  states.setChecks({home});
  shopwatch::storage::MemoryResultStore store;
  RecordingConsumer rules;
  RunFanout fanout(states, &store);
  fanout.addConsumer(rules);

  // Oldest first: up, then a failure whose confirm never came (the agent stopped).
  fanout.restore({run(home->key, true, 1'800'000'000), run(home->key, false, 1'800'000'060)});
  REQUIRE(rules.seen.size() == 2);
  CHECK(rules.seen[0].restored);
  CHECK(rules.seen[1].restored);
  CHECK(store.stats().written_total == 0);
  const auto s = states.find(home->key);
  REQUIRE(s->last);
  CHECK(s->last->success);  // the pending failure decided nothing
  CHECK(s->last->started == core::SystemTime{std::chrono::seconds{1'800'000'000}});
  CHECK(s->counters.last_run == core::SystemTime{std::chrono::seconds{1'800'000'060}});
  CHECK_FALSE(s->counters.awaiting_confirm);  // no confirm will come in this process
  CHECK(s->counters.runs_success == 0);
  CHECK(s->counters.runs_failure == 0);
  // A live run after the restore flips the restored state as any run would.
  CHECK(fanout.publish(run(home->key, false, 1'800'000'120, true), {}).state_changed);
}

TEST_CASE("a journey's run steps become series of their own, skipped steps record nothing") {
  CheckStateTable states;
  const auto checkout = check("checkout");
  states.setChecks({checkout});
  shopwatch::storage::MemoryResultStore store;
  RecordingConsumer rules;
  RunFanout fanout(states, &store);
  fanout.addConsumer(rules);

  auto journey = run(checkout->key, false, 1'800'000'000);
  auto step_ok = run(checkout->key, true, 1'800'000'000).result;
  auto step_bad = run(checkout->key, false, 1'800'000'000).result;
  journey.result.steps = {{"product", false, false, step_ok},
                          {"add-to-cart", false, false, step_bad},
                          {"cart", true, false, {}},
                          {"empty-cart", false, true, step_ok}};
  journey.result.failed_step = "add-to-cart";
  fanout.publish(journey, {});

  // The journey itself, then the three steps that ran, each as `shop/check/step`.
  REQUIRE(rules.seen.size() == 4);
  CHECK(rules.seen[0].record.step.empty());
  CHECK(rules.seen[0].record.result.steps.size() == 4);  // consumers see the whole run
  CHECK(rules.seen[1].record.step == "product");
  CHECK(rules.seen[2].record.step == "add-to-cart");
  CHECK(rules.seen[2].verdict.awaiting_confirm);  // the journey's confirm decides its steps too
  CHECK_FALSE(rules.seen[1].verdict.awaiting_confirm);
  CHECK(rules.seen[3].record.step == "empty-cart");
  auto series = store.series();
  REQUIRE(series);
  CHECK(series->size() == 4);  // checkout, product, add-to-cart, empty-cart — not the skipped cart
  auto journey_rows = store.lastResults({checkout->key, ""}, 1);
  REQUIRE(journey_rows);
  REQUIRE(journey_rows->size() == 1);
  CHECK(journey_rows->front().result.steps.empty());  // steps live in their own rows
  auto cart_rows = store.lastResults({checkout->key, "cart"}, 1);
  REQUIRE(cart_rows);
  CHECK(cart_rows->empty());
}

TEST_CASE("start-up restore puts a journey's stored steps back into its run, in the journey's order") {
  auto checkout = std::make_shared<core::Check>();
  checkout->key = core::CheckKey{"acme", "production", "checkout"};
  core::JourneyProbe journey;
  for (const char* name : {"product", "cart"}) {
    core::JourneyStep s;
    s.name = name;
    s.request.url = "https://shop.test/" + std::string(name);
    journey.steps.push_back(s);
  }
  core::JourneyStep clear;
  clear.name = "empty-cart";
  journey.cleanup.push_back(clear);
  checkout->probe = journey;

  CheckStateTable states;
  states.setChecks({checkout});
  shopwatch::storage::MemoryResultStore store;
  RunFanout fanout(states, &store);
  auto run_record = run(checkout->key, true, 1'800'000'000);
  const auto ok = run(checkout->key, true, 1'800'000'000).result;
  run_record.result.steps = {{"product", false, false, ok}, {"cart", false, false, ok},
                             {"empty-cart", false, true, ok}};
  fanout.publish(run_record, {});

  auto restored = shopwatch::agent::runtime::loadLatestRuns(store, {checkout});
  REQUIRE(restored);
  REQUIRE(restored->size() == 1);
  const auto& steps = restored->front().result.steps;
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].name == "product");
  CHECK(steps[1].name == "cart");
  CHECK(steps[2].name == "empty-cart");
  CHECK(steps[2].cleanup);
  CHECK(steps[1].result.status_code == 200);
}
