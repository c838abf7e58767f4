#include <catch2/catch.hpp>

#include <thread>

#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/metrics_writer.h"
#include "status_fixtures.h"

using namespace shopwatch;
using agent::status::CheckStateTable;
using testing::failingResult;
using testing::makeSpec;
using testing::passingResult;

namespace {

std::string render(const CheckStateTable& t) {
  std::string out;
  agent::status::writeCheckMetrics(t, out);
  return out;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("setChecks keeps the state of staying checks, drops removed ones and starts new ones empty") {
  CheckStateTable table;
  auto home = makeSpec("acme", "home");
  auto cart = makeSpec("acme", "cart");
  table.setChecks({home, cart});
  testing::recordRun(table, home->key, passingResult(), false);
  testing::recordRun(table, cart->key, passingResult(), false);
  const auto before = render(table);
  CHECK(contains(before, "probe_success{shop=\"acme\",env=\"production\",check=\"cart\"} 1\n"));

  auto home2 = makeSpec("acme", "home");  // a reload builds new spec objects
  home2->http()->request.url = "http://127.0.0.1:1/changed";
  auto search = makeSpec("acme", "search");
  table.setChecks({home2, search});
  REQUIRE(table.size() == 2);
  const auto after = render(table);
  CHECK(contains(after, "probe_success{shop=\"acme\",env=\"production\",check=\"home\"} 1\n"));
  CHECK(contains(after, "shopwatch_check_runs_total{shop=\"acme\",env=\"production\",check=\"home\",result=\"success\"} 1\n"));
  CHECK_FALSE(contains(after, "check=\"cart\""));
  // The new check has counters but no probe_* series until its first run.
  CHECK(contains(after, "shopwatch_check_runs_total{shop=\"acme\",env=\"production\",check=\"search\",result=\"success\"} 0\n"));
  CHECK_FALSE(contains(after, "probe_success{shop=\"acme\",env=\"production\",check=\"search\"}"));
  const auto found = table.find(home2->key);
  REQUIRE(found);
  CHECK(found->meta->spec->http()->request.url == "http://127.0.0.1:1/changed");
  CHECK(found->counters.runs_success == 1);
}

TEST_CASE("record ignores a key that is not in the table") {
  CheckStateTable table;
  table.setChecks({makeSpec("acme", "home")});
  testing::recordRun(table, core::CheckKey{"acme", "production", "gone"}, passingResult(), false);
  testing::recordRun(table, core::CheckKey{"acme", "staging", "home"}, passingResult(), false);
  const auto snap = table.snapshot();
  REQUIRE(snap.size() == 1);
  CHECK(snap[0].counters.runs_success == 0);
  CHECK_FALSE(snap[0].last);
}

TEST_CASE("a first failure awaiting its confirm re-check does not change the gauges") {
  CheckStateTable table;
  auto spec = makeSpec("acme", "home");
  table.setChecks({spec});
  testing::recordRun(table, spec->key, passingResult(), false);
  testing::recordRun(table, spec->key, failingResult(core::FailureReason::HttpStatus), false);
  auto s = table.find(spec->key);
  REQUIRE(s);
  CHECK(s->last->success);
  CHECK(s->counters.awaiting_confirm);
  CHECK(s->counters.runs_failure == 1);
  CHECK(s->counters.failures[static_cast<std::size_t>(core::FailureReason::HttpStatus)] == 0);

  testing::recordRun(table, spec->key, failingResult(core::FailureReason::HttpStatus, 1'800'000'065), true);
  s = table.find(spec->key);
  CHECK_FALSE(s->last->success);
  CHECK_FALSE(s->counters.awaiting_confirm);
  CHECK(s->counters.runs_failure == 2);
  CHECK(s->counters.failures[static_cast<std::size_t>(core::FailureReason::HttpStatus)] == 1);
  REQUIRE(s->result);
  CHECK(s->result->message == "status 503");
}

TEST_CASE("a check without confirm counts its first failure at once") {
  CheckStateTable table;
  auto spec = std::make_shared<core::Check>(*makeSpec("acme", "home"));
  spec->schedule.confirm = false;
  table.setChecks({spec});
  testing::recordRun(table, spec->key, failingResult(core::FailureReason::Timeout), false);
  const auto s = table.find(spec->key);
  CHECK_FALSE(s->last->success);
  CHECK(s->counters.failures[static_cast<std::size_t>(core::FailureReason::Timeout)] == 1);
}

TEST_CASE("label values escape quotes, backslashes and newlines") {
  CheckStateTable table;
  table.setChecks({makeSpec("we\"ird", "back\\slash\nnew")});
  testing::recordRun(table, core::CheckKey{"we\"ird", "production", "back\\slash\nnew"}, passingResult(), false);
  const auto text = render(table);
  CHECK(contains(text, "probe_success{shop=\"we\\\"ird\",env=\"production\",check=\"back\\\\slash\\nnew\"} 1\n"));
  std::string escaped;
  agent::status::appendEscapedLabelValue(escaped, "a\"b\\c\nd");
  CHECK(escaped == "a\\\"b\\\\c\\nd");
}

TEST_CASE("a snapshot's result stays as it was while later runs are recorded") {
  CheckStateTable table;
  auto spec = std::make_shared<core::Check>(*makeSpec("acme", "home"));
  spec->schedule.confirm = false;
  table.setChecks({spec});
  CHECK_FALSE(table.find(spec->key)->result);
  testing::recordRun(table, spec->key, failingResult(core::FailureReason::HttpStatus), false);
  const auto before = table.snapshot(true);
  REQUIRE(before.size() == 1);
  REQUIRE(before[0].result);
  CHECK_FALSE(table.snapshot(false)[0].result);  // /metrics does not take results

  testing::recordRun(table, spec->key, passingResult(1'800'000'120), false);
  CHECK(before[0].result->message == "status 503");
  CHECK_FALSE(before[0].result->success);
  const auto after = table.find(spec->key);
  REQUIRE(after->result);
  CHECK(after->result->success);
  CHECK(after->result.get() != before[0].result.get());
}

TEST_CASE("snapshots taken while the engine records see whole results") {
  CheckStateTable table;
  auto spec = std::make_shared<core::Check>(*makeSpec("acme", "home"));
  spec->schedule.confirm = false;
  table.setChecks({spec});
  constexpr int kRuns = 2000;
  std::jthread engine([&] {
    for (int i = 0; i < kRuns; ++i) {
      testing::recordRun(table, spec->key, i % 2 == 0 ? passingResult() : failingResult(core::FailureReason::HttpStatus),
                   false);
    }
  });
  for (int i = 0; i < kRuns; ++i) {
    const auto snap = table.snapshot(true);
    if (!snap[0].result) continue;
    // Gauges and result are taken under one lock, so they describe the same run.
    REQUIRE(snap[0].last);
    CHECK(snap[0].result->success == snap[0].last->success);
    CHECK(snap[0].result->message == (snap[0].result->success ? "" : "status 503"));
  }
  engine.join();
  CHECK(table.find(spec->key)->counters.runs_success + table.find(spec->key)->counters.runs_failure == kRuns);
}

TEST_CASE("the spec a run was dispatched with decides whether its failure awaits a confirm") {
  CheckStateTable table;
  auto spec = std::make_shared<core::Check>(*makeSpec("acme", "home"));
  spec->schedule.confirm = true;  // the current spec, after a reload turned confirm on
  table.setChecks({spec});
  // Dispatched while confirm was off: the failure counts at once.
  testing::recordRun(table, spec->key, failingResult(core::FailureReason::Timeout), false, false);
  auto s = table.find(spec->key);
  CHECK_FALSE(s->counters.awaiting_confirm);
  CHECK(s->counters.failures[static_cast<std::size_t>(core::FailureReason::Timeout)] == 1);
  // Dispatched with confirm on: the next failure waits for its re-check.
  testing::recordRun(table, spec->key, failingResult(core::FailureReason::Connect), false, true);
  s = table.find(spec->key);
  CHECK(s->counters.awaiting_confirm);
  CHECK(s->counters.failures[static_cast<std::size_t>(core::FailureReason::Connect)] == 0);
}

TEST_CASE("record reports the accounted runs that flip a check between up and down") {
  CheckStateTable table;
  auto spec = std::make_shared<core::Check>(*makeSpec("acme", "home"));
  table.setChecks({spec});
  CHECK_FALSE(testing::recordRun(table, spec->key, passingResult(), false));  // first run up: nothing to report
  CHECK_FALSE(testing::recordRun(table, spec->key, failingResult(core::FailureReason::Timeout), false));  // awaits confirm
  CHECK(testing::recordRun(table, spec->key, failingResult(core::FailureReason::Timeout), true));  // confirmed: down
  CHECK_FALSE(testing::recordRun(table, spec->key, failingResult(core::FailureReason::Timeout), true));  // still down
  CHECK(testing::recordRun(table, spec->key, passingResult(), false));  // up again
  CHECK_FALSE(testing::recordRun(table, core::CheckKey{"acme", "production", "gone"}, passingResult(), false));
}

TEST_CASE("a run timed while the engine was saturated shows in the gauges but not in the duration histogram") {
  CheckStateTable table;
  auto spec = makeSpec("acme", "home", true);
  table.setChecks({spec});
  auto busy = passingResult(1'800'000'000, 900);
  busy.saturated = true;
  testing::recordRun(table, spec->key, busy, false);
  auto s = table.find(spec->key);
  CHECK(s->last->duration == std::chrono::milliseconds{900});
  CHECK(s->counters.duration_count == 0);
  testing::recordRun(table, spec->key, passingResult(1'800'000'060, 100), false);
  s = table.find(spec->key);
  CHECK(s->counters.duration_count == 1);
  CHECK(s->counters.duration_sum == Approx(0.1));
}
