#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "shopwatch/agent/runtime/scheduler.h"

using namespace std::chrono_literals;
using shopwatch::agent::runtime::DueRun;
using shopwatch::agent::runtime::nextSlotAtOrAfter;
using shopwatch::agent::runtime::Scheduler;
using shopwatch::agent::runtime::stableOffset;
using shopwatch::core::CheckKey;
using shopwatch::core::FakeClock;
using shopwatch::core::Check;
using shopwatch::core::Micros;
using shopwatch::core::SystemTime;

namespace {

std::shared_ptr<const Check> makeSpec(const std::string& shop, const std::string& check,
                                      Micros interval = 60s, bool confirm = true) {
  auto spec = std::make_shared<Check>();
  spec->key = CheckKey{shop, "production", check};
  spec->http()->request.url = "http://127.0.0.1:1/" + check;
  spec->schedule.interval = interval;
  spec->schedule.confirm = confirm;
  spec->schedule.confirm_delay = 5s;
  return spec;
}

std::vector<DueRun> pollAll(Scheduler& s) {
  std::vector<DueRun> out;
  s.poll([&out](DueRun r) { out.push_back(std::move(r)); });
  return out;
}

}  // namespace

TEST_CASE("offsets are stable, inside the interval and depend on shop, env and check") {
  const CheckKey a{"acme", "production", "home"};
  const CheckKey b{"acme", "staging", "home"};
  const CheckKey c{"acme", "production", "cart"};
  const Micros iv = 60s;
  CHECK(stableOffset(a, iv) == stableOffset(a, iv));
  CHECK(stableOffset(a, iv) >= Micros{0});
  CHECK(stableOffset(a, iv) < iv);
  std::set<std::int64_t> distinct{stableOffset(a, iv).count(), stableOffset(b, iv).count(),
                                  stableOffset(c, iv).count()};
  CHECK(distinct.size() == 3);
}

TEST_CASE("offsets of a thousand checks spread evenly over the interval") {
  const Micros iv = 10s;
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < 1000; ++i) {
    auto off = stableOffset(CheckKey{"shop", "production", "check-" + std::to_string(i)}, iv);
    buckets[static_cast<std::size_t>(off / 1s)]++;
  }
  for (int n : buckets) {
    CHECK(n > 60);   // 100 expected per bucket
    CHECK(n < 140);
  }
}

TEST_CASE("slots are aligned to the wall clock plus the offset") {
  const SystemTime t = shopwatch::core::fromMicros(1'800'000'007'500'000);  // …07.5 s
  CHECK(nextSlotAtOrAfter(t, 10s, 2s) == shopwatch::core::fromMicros(1'800'000'012'000'000));
  CHECK(nextSlotAtOrAfter(t, 10s, 7500ms) == t);
  CHECK(nextSlotAtOrAfter(t, 10s, 7s) == shopwatch::core::fromMicros(1'800'000'017'000'000));
}

TEST_CASE("a check first runs at its offset slot and then once per interval") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "home", 60s);
  s.setChecks({spec});
  const auto first = *s.nextDue();
  CHECK(first == nextSlotAtOrAfter(clock.now(), 60s, stableOffset(spec->key, 60s)));
  CHECK(pollAll(s).empty());

  clock.set(first);
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].scheduled == first);
  CHECK(runs[0].lag == Micros{0});
  CHECK_FALSE(runs[0].confirm);
  CHECK(s.complete(spec->key, runs[0].run_id, true, spec->schedule.confirm) == std::nullopt);
  CHECK(*s.nextDue() == first + 60s);

  clock.set(first + 60s + 250ms);
  runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].lag == Micros{250ms});
  CHECK(runs[0].scheduled == first + 60s);
}

TEST_CASE("run ids increase and start at the wall clock in microseconds") {
  FakeClock clock;
  Scheduler s(clock);
  auto a = makeSpec("acme", "a", 1s);
  auto b = makeSpec("acme", "b", 1s);
  s.setChecks({a, b});
  std::uint64_t last = static_cast<std::uint64_t>(shopwatch::core::toMicros(clock.now())) - 1;
  for (int i = 0; i < 5; ++i) {
    clock.advance(1s);
    for (const auto& r : pollAll(s)) {
      CHECK(r.run_id > last);
      last = r.run_id;
      (void)s.complete(r.check->key, r.run_id, true, r.check->schedule.confirm);
    }
  }
  CHECK(s.stats().dispatched == 10);
}

TEST_CASE("a slot is skipped, not queued, while the previous run has not finished") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "slow", 10s);
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  CHECK(s.isBusy(spec->key));

  // Three slots pass while the run is still in flight: each is skipped, none piles up.
  for (int i = 0; i < 3; ++i) {
    clock.advance(10s);
    CHECK(pollAll(s).empty());
  }
  CHECK(s.stats().skipped == 3);
  (void)s.complete(spec->key, runs[0].run_id, true, spec->schedule.confirm);
  CHECK_FALSE(s.isBusy(spec->key));
  clock.advance(10s);
  CHECK(pollAll(s).size() == 1);
}

TEST_CASE("a failed run schedules a confirm re-check after the confirm delay") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "checkout", 60s, true);
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  clock.advance(300ms);
  const auto confirm_at = s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm);
  REQUIRE(confirm_at.has_value());
  CHECK(*confirm_at == clock.now() + 5s);
  CHECK(s.isBusy(spec->key));  // still busy until the confirm finishes

  clock.advance(4s);
  CHECK(pollAll(s).empty());
  clock.advance(1s);
  auto confirms = pollAll(s);
  REQUIRE(confirms.size() == 1);
  CHECK(confirms[0].confirm);
  CHECK(confirms[0].run_id > runs[0].run_id);
  CHECK(confirms[0].origin_run_id == runs[0].run_id);
  CHECK(confirms[0].origin_scheduled == runs[0].scheduled);
  CHECK(runs[0].origin_run_id == runs[0].run_id);
  // The confirm's own failure does not schedule another confirm.
  CHECK(s.complete(spec->key, confirms[0].run_id, false, spec->schedule.confirm) == std::nullopt);
  CHECK_FALSE(s.isBusy(spec->key));
  CHECK(s.stats().confirms == 1);
}

TEST_CASE("a failed run of a check without confirm frees the check at once") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "home", 60s, false);
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  CHECK(s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm) == std::nullopt);
  CHECK_FALSE(s.isBusy(spec->key));
}

TEST_CASE("a confirm that outlasts the interval skips the slots it overlaps") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "fast", 2s, true);
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  REQUIRE(s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm).has_value());
  std::vector<DueRun> seen;
  for (int i = 0; i < 10; ++i) {  // 5 s in 500 ms steps
    clock.advance(500ms);
    for (auto& r : pollAll(s)) seen.push_back(std::move(r));
  }
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].confirm);
  CHECK(s.stats().skipped == 2);
}

TEST_CASE("a scheduler late by several intervals serves one run and drops the backlog") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "home", 1s);
  s.setChecks({spec});
  const auto first = *s.nextDue();
  clock.set(first + 10s + 100ms);
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].lag == Micros{10100ms});
  CHECK(s.stats().missed == 10);
  CHECK(*s.nextDue() == first + 11s);
}

TEST_CASE("lag is the dispatch time minus the scheduled time") {
  FakeClock clock;
  Scheduler s(clock);
  std::vector<std::shared_ptr<const Check>> specs;
  for (int i = 0; i < 50; ++i) specs.push_back(makeSpec("acme", "c" + std::to_string(i), 10s));
  s.setChecks(specs);
  clock.advance(10s);
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 50);
  for (const auto& r : runs) {
    CHECK(r.lag == clock.now() - r.scheduled);
    CHECK(r.lag >= Micros{0});
    CHECK(r.lag <= Micros{10s});
  }
  // Due order.
  CHECK(std::is_sorted(runs.begin(), runs.end(),
                       [](const DueRun& a, const DueRun& b) { return a.scheduled < b.scheduled; }));
}

TEST_CASE("setChecks keeps staying checks' state, adds new ones and forgets removed ones") {
  FakeClock clock;
  Scheduler s(clock);
  auto keep = makeSpec("acme", "keep", 10s);
  auto gone = makeSpec("acme", "gone", 10s);
  s.setChecks({keep, gone});
  clock.advance(10s);
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 2);
  std::map<std::string, std::uint64_t> ids;
  for (const auto& r : runs) ids[r.check->key.check] = r.run_id;

  auto keep2 = makeSpec("acme", "keep", 10s);  // same identity, new spec object
  auto added = makeSpec("acme", "added", 10s);
  s.setChecks({keep2, added});
  CHECK(s.contains(keep->key));
  CHECK(s.contains(added->key));
  CHECK_FALSE(s.contains(gone->key));
  CHECK(s.isBusy(keep->key));  // its in-flight run survives the reload
  CHECK(s.stats().checks == 2);
  CHECK(s.stats().in_flight == 1);

  // A completion of the removed check is ignored; the staying check's completion still counts.
  CHECK(s.complete(gone->key, ids["gone"], false, gone->schedule.confirm) == std::nullopt);
  (void)s.complete(keep->key, ids["keep"], true, keep->schedule.confirm);
  CHECK_FALSE(s.isBusy(keep->key));

  clock.advance(10s);
  runs = pollAll(s);
  std::set<std::string> names;
  for (const auto& r : runs) names.insert(r.check->key.check);
  CHECK(names == std::set<std::string>{"keep", "added"});
  for (const auto& r : runs) {
    if (r.check->key.check == "keep") CHECK(r.check == keep2);  // runs use the new spec
  }
}

TEST_CASE("a changed interval re-plans the check's next slot") {
  FakeClock clock;
  Scheduler s(clock);
  s.setChecks({makeSpec("acme", "home", 60s)});
  auto faster = makeSpec("acme", "home", 5s);
  s.setChecks({faster});
  const auto next = *s.nextDue();
  CHECK(next == nextSlotAtOrAfter(clock.now(), 5s, stableOffset(faster->key, 5s)));
  CHECK(next - clock.now() < Micros{5s});
}

TEST_CASE("ten thousand checks are scheduled in due order within one interval") {
  FakeClock clock;
  Scheduler s(clock);
  std::vector<std::shared_ptr<const Check>> specs;
  for (int i = 0; i < 10000; ++i) specs.push_back(makeSpec("big", "c" + std::to_string(i), 1s));
  s.setChecks(specs);
  std::set<std::string> ran;
  std::size_t late = 0;
  for (int step = 0; step < 100; ++step) {
    clock.advance(10ms);
    s.poll([&](DueRun r) {
      ran.insert(r.check->key.check);
      if (r.lag >= Micros{10ms}) ++late;
      (void)s.complete(r.check->key, r.run_id, true, r.check->schedule.confirm);
    });
  }
  CHECK(ran.size() == 10000);
  CHECK(late == 0);
  CHECK(s.stats().skipped == 0);
}

TEST_CASE("a wall clock stepping back by an hour re-plans every check from the new now") {
  FakeClock clock;
  Scheduler s(clock);
  auto a = makeSpec("acme", "home", 10s);
  auto b = makeSpec("acme", "cart", 10s);
  s.setChecks({a, b});
  clock.advance(10s);
  for (const auto& r : pollAll(s)) (void)s.complete(r.check->key, r.run_id, true, r.check->schedule.confirm);
  REQUIRE(s.stats().dispatched == 2);

  const SystemTime back = clock.now() - 1h;
  clock.set(back);
  std::set<std::string> ran;
  for (int i = 0; i <= 20; ++i) {
    if (i > 0) clock.advance(500ms);
    for (const auto& r : pollAll(s)) {
      ran.insert(r.check->key.check);
      CHECK(r.scheduled >= back);
      CHECK(r.scheduled == nextSlotAtOrAfter(back, 10s, stableOffset(r.check->key, 10s)));
      (void)s.complete(r.check->key, r.run_id, true, r.check->schedule.confirm);
    }
  }
  // Both checks ran within one interval of the new now, not an hour later.
  CHECK(ran == std::set<std::string>{"home", "cart"});
  CHECK(s.stats().dispatched == 4);
  CHECK(s.stats().clock_steps_back == 1);  // logged and counted once per step
  REQUIRE(s.nextDue().has_value());
  CHECK(*s.nextDue() <= clock.now() + 10s);
}

TEST_CASE("a pending confirm moves back with the wall clock instead of waiting out the step") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "checkout", 60s, true);  // confirm_delay 5 s
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  REQUIRE(s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm).has_value());
  clock.advance(1s);
  CHECK(pollAll(s).empty());
  clock.set(clock.now() - 30min);
  CHECK(pollAll(s).empty());
  CHECK(s.stats().clock_steps_back == 1);
  clock.advance(3900ms);
  CHECK(pollAll(s).empty());
  clock.advance(100ms);  // the confirm keeps its remaining 4 s
  auto confirms = pollAll(s);
  REQUIRE(confirms.size() == 1);
  CHECK(confirms[0].confirm);
  CHECK(confirms[0].origin_run_id == runs[0].run_id);
}

TEST_CASE("a backward clock jitter under a second leaves the slots alone") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "home", 60s);
  s.setChecks({spec});
  const auto due = *s.nextDue();
  clock.set(clock.now() - 900ms);
  CHECK(pollAll(s).empty());
  CHECK(*s.nextDue() == due);
  CHECK(s.stats().clock_steps_back == 0);
}

TEST_CASE("a confirm scheduled right after a backward clock step waits its full delay") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "checkout", 60s, true);  // confirm_delay 5 s
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  // The clock steps back while the run is in flight; complete() sees the new time before any poll.
  clock.set(clock.now() - 30min);
  const auto confirm_at = s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm);
  REQUIRE(confirm_at.has_value());
  CHECK(*confirm_at == clock.now() + 5s);
  CHECK(pollAll(s).empty());  // the next poll must not take the step for new and pull the confirm in
  CHECK(s.stats().clock_steps_back == 1);
  clock.advance(4900ms);
  CHECK(pollAll(s).empty());
  clock.advance(100ms);
  auto confirms = pollAll(s);
  REQUIRE(confirms.size() == 1);
  CHECK(confirms[0].confirm);
  CHECK(confirms[0].scheduled == *confirm_at);
}

TEST_CASE("whether a failed run gets a confirm follows the spec it was dispatched with") {
  FakeClock clock;
  Scheduler s(clock);
  auto with_confirm = makeSpec("acme", "checkout", 60s, true);
  s.setChecks({with_confirm});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  // A reload turns confirm off while the run is in flight: the run's spec still decides.
  s.setChecks({makeSpec("acme", "checkout", 60s, false)});
  CHECK(s.complete(with_confirm->key, runs[0].run_id, false, runs[0].check->schedule.confirm).has_value());
  CHECK(s.isBusy(with_confirm->key));
  clock.advance(5s);
  auto confirms = pollAll(s);
  REQUIRE(confirms.size() == 1);
  CHECK(confirms[0].confirm);
  CHECK_FALSE(confirms[0].check->schedule.confirm);  // the re-check itself runs with the reloaded spec
  CHECK(s.complete(with_confirm->key, confirms[0].run_id, false, confirms[0].check->schedule.confirm) ==
        std::nullopt);
  CHECK_FALSE(s.isBusy(with_confirm->key));

  // And the other way round: dispatched without confirm, reloaded with it — no confirm, freed.
  clock.set(*s.nextDue());
  runs = pollAll(s);
  REQUIRE(runs.size() == 1);
  REQUIRE_FALSE(runs[0].check->schedule.confirm);
  s.setChecks({makeSpec("acme", "checkout", 60s, true)});
  CHECK(s.complete(with_confirm->key, runs[0].run_id, false, runs[0].check->schedule.confirm) == std::nullopt);
  CHECK_FALSE(s.isBusy(with_confirm->key));
}

namespace {

// Records, for every message, whether another thread could take the scheduler's mutex meanwhile
// (via stats()): a message logged under the mutex would find it held.
class MutexProbeSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit MutexProbeSink(const Scheduler& s) : s_(s) {}
  std::vector<bool> mutex_free;  // one entry per message
  // Probes still blocked on a held mutex finish once it is released: join them then.
  void joinProbes() { probes_.clear(); }

 protected:
  void sink_it_(const spdlog::details::log_msg&) override {
    auto done = std::make_shared<std::promise<void>>();
    auto ready = done->get_future();
    probes_.emplace_back([this, done] {
      (void)s_.stats();
      done->set_value();
    });
    // Ready at once when the mutex is free; a held mutex stays held until this sink returns.
    mutex_free.push_back(ready.wait_for(2s) == std::future_status::ready);
  }
  void flush_() override {}

 private:
  const Scheduler& s_;
  std::vector<std::jthread> probes_;
};

}  // namespace

TEST_CASE("a backward clock step is logged without holding the scheduler's mutex") {
  FakeClock clock;
  Scheduler s(clock);
  auto spec = makeSpec("acme", "checkout", 10s, true);
  s.setChecks({spec});
  clock.set(*s.nextDue());
  auto runs = pollAll(s);
  REQUIRE(runs.size() == 1);

  auto sink = std::make_shared<MutexProbeSink>(s);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("scheduler-test", sink);
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  // Stepped back, noticed first by complete() (engine thread: must not log), then by poll().
  clock.set(clock.now() - 1h);
  REQUIRE(s.complete(spec->key, runs[0].run_id, false, spec->schedule.confirm).has_value());
  const std::size_t after_complete = sink->mutex_free.size();
  (void)pollAll(s);
  const std::size_t after_poll = sink->mutex_free.size();
  // A second step, noticed by setChecks().
  clock.set(clock.now() - 1h);
  s.setChecks({spec});
  spdlog::set_default_logger(previous);
  sink->joinProbes();

  CHECK(after_complete == 0);
  CHECK(after_poll == 1);
  REQUIRE(sink->mutex_free.size() == 2);
  CHECK(sink->mutex_free[0]);
  CHECK(sink->mutex_free[1]);
  CHECK(s.stats().clock_steps_back == 2);
}
