#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

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

// ---- journeys ([B1]): per-step state beside the check's -------------------------------------------

namespace {

std::shared_ptr<core::Check> makeJourney(const std::string& check, const std::vector<std::string>& steps,
                                         const std::vector<std::string>& cleanup, bool confirm = false) {
  auto spec = std::make_shared<core::Check>();
  spec->key = core::CheckKey{"acme", "production", check};
  spec->schedule.confirm = confirm;
  spec->schedule.timeout = std::chrono::seconds{60};
  core::JourneyProbe journey;
  for (const auto& name : steps) {
    auto& s = journey.steps.emplace_back();
    s.name = name;
    s.request.url = "http://127.0.0.1:1/" + name;
  }
  for (const auto& name : cleanup) {
    auto& s = journey.cleanup.emplace_back();
    s.name = name;
    s.request.url = "http://127.0.0.1:1/" + name;
  }
  spec->probe = std::move(journey);
  return spec;
}

core::StepResult ranStep(const std::string& name, int status, int ms, bool cleanup = false) {
  core::StepResult s;
  s.name = name;
  s.cleanup = cleanup;
  s.result = passingResult(1'800'000'000, ms);
  s.result.status_code = status;
  s.result.phases.connect = std::chrono::microseconds{ms * 10};
  return s;
}

core::StepResult failedStep(const std::string& name, int status) {
  core::StepResult s;
  s.name = name;
  s.result = failingResult(core::FailureReason::HttpStatus);
  s.result.status_code = status;
  return s;
}

core::StepResult skippedStep(const std::string& name) {
  core::StepResult s;
  s.name = name;
  s.skipped = true;
  return s;
}

core::ProbeResult journeyRun(std::vector<core::StepResult> steps, std::int64_t started_s = 1'800'000'000) {
  core::ProbeResult r;
  r.started = core::SystemTime{std::chrono::seconds{started_s}};
  r.success = true;
  r.duration = std::chrono::milliseconds{900};
  for (const auto& s : steps) {
    if (!s.skipped && !s.cleanup && !s.result.success && r.success) {
      r.success = false;
      r.failure = s.result.failure;
      r.failed_step = s.name;
    }
  }
  r.steps = std::move(steps);
  return r;
}

const agent::status::StepState& stepOf(const agent::status::CheckSnapshot& s, const std::string& name) {
  for (std::size_t i = 0; i < s.meta->steps.size(); ++i) {
    if (s.meta->steps[i].name == name) return s.steps.at(i);
  }
  FAIL("no step " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a journey run keeps each step's last result beside the journey's own") {
  CheckStateTable table;
  auto spec = makeJourney("checkout", {"product", "add-to-cart", "cart"}, {"empty-cart"});
  table.setChecks({spec});
  auto s = table.find(spec->key);
  REQUIRE(s);
  REQUIRE(s->meta->steps.size() == 4);
  CHECK(s->meta->steps[3].name == "empty-cart");
  CHECK(s->meta->steps[3].cleanup);
  CHECK(s->meta->steps[1].labels == "shop=\"acme\",env=\"production\",check=\"checkout\",step=\"add-to-cart\"");
  REQUIRE(s->steps.size() == 4);
  CHECK_FALSE(s->steps[0].last);

  testing::recordRun(table, spec->key,
                     journeyRun({ranStep("product", 200, 100), ranStep("add-to-cart", 302, 20),
                                 ranStep("cart", 201, 30), ranStep("empty-cart", 204, 5, true)}),
                     false);
  s = table.find(spec->key);
  REQUIRE(s->last);
  CHECK(s->last->success);
  CHECK(s->last->duration == std::chrono::milliseconds{900});  // the journey's total, not a step's
  // probe_http_* of a passing journey: its last run step's response (cleanup does not count).
  CHECK(s->last->status_code == 201);
  // Phases add up over the steps that ran (cleanup included): 1000 + 200 + 300 + 50 µs.
  CHECK(s->last->phases.connect == std::chrono::microseconds{1550});
  CHECK(s->counters.runs_success == 1);
  const auto& product = stepOf(*s, "product");
  REQUIRE(product.last);
  CHECK(product.last->success);
  CHECK(product.last->status_code == 200);
  CHECK(product.last->duration == std::chrono::milliseconds{100});
  CHECK(product.last->phases.connect == std::chrono::microseconds{1000});
  CHECK(stepOf(*s, "add-to-cart").last->status_code == 302);
  CHECK(stepOf(*s, "empty-cart").last->status_code == 204);
  CHECK_FALSE(stepOf(*s, "cart").skipped);
}

TEST_CASE("a step skipped after a failing one keeps its previous result and a never-run step stays empty") {
  CheckStateTable table;
  auto spec = makeJourney("checkout", {"product", "add-to-cart", "cart"}, {"empty-cart"});
  table.setChecks({spec});
  // First run fails at the product page: every later step is skipped and has never run.
  testing::recordRun(table, spec->key,
                     journeyRun({failedStep("product", 500), skippedStep("add-to-cart"), skippedStep("cart"),
                                 ranStep("empty-cart", 204, 5, true)}),
                     false);
  auto s = table.find(spec->key);
  CHECK_FALSE(s->last->success);
  CHECK(s->last->status_code == 500);  // the failing step's response
  CHECK_FALSE(stepOf(*s, "product").last->success);
  CHECK_FALSE(stepOf(*s, "cart").last);
  CHECK(stepOf(*s, "cart").skipped);
  CHECK(stepOf(*s, "empty-cart").last);

  // A passing run, then one failing in the middle.
  testing::recordRun(table, spec->key,
                     journeyRun({ranStep("product", 200, 100), ranStep("add-to-cart", 302, 20),
                                 ranStep("cart", 200, 30), ranStep("empty-cart", 204, 5, true)},
                                1'800'000'300),
                     false);
  testing::recordRun(table, spec->key,
                     journeyRun({ranStep("product", 200, 110), failedStep("add-to-cart", 403), skippedStep("cart"),
                                 ranStep("empty-cart", 204, 5, true)},
                                1'800'000'600),
                     false);
  s = table.find(spec->key);
  CHECK_FALSE(s->last->success);
  CHECK(s->last->status_code == 403);
  CHECK(s->result->failed_step == "add-to-cart");
  CHECK(stepOf(*s, "product").last->duration == std::chrono::milliseconds{110});
  CHECK_FALSE(stepOf(*s, "add-to-cart").last->success);
  CHECK(stepOf(*s, "add-to-cart").last->status_code == 403);
  const auto& cart = stepOf(*s, "cart");
  CHECK(cart.skipped);
  REQUIRE(cart.last);  // not run: what its last run showed stays
  CHECK(cart.last->success);
  CHECK(cart.last->status_code == 200);
}

TEST_CASE("a reload keeps the state of staying steps, drops removed steps and starts new ones empty") {
  CheckStateTable table;
  auto spec = makeJourney("checkout", {"product", "add-to-cart", "cart"}, {"empty-cart"});
  table.setChecks({spec});
  testing::recordRun(table, spec->key,
                     journeyRun({ranStep("product", 200, 100), ranStep("add-to-cart", 302, 20),
                                 ranStep("cart", 200, 30), ranStep("empty-cart", 204, 5, true)}),
                     false);
  // The new config drops `cart`, adds `checkout-page` and reorders.
  auto next = makeJourney("checkout", {"add-to-cart", "product", "checkout-page"}, {"empty-cart"});
  table.setChecks({next});
  const auto s = table.find(next->key);
  REQUIRE(s->meta->steps.size() == 4);
  REQUIRE(s->steps.size() == 4);
  CHECK(s->meta->spec == next);
  CHECK(stepOf(*s, "add-to-cart").last->status_code == 302);
  CHECK(stepOf(*s, "product").last->status_code == 200);
  CHECK_FALSE(stepOf(*s, "checkout-page").last);
  CHECK(stepOf(*s, "empty-cart").last);
  CHECK(s->last->success);  // the journey's own state stays as for any check
  const auto text = render(table);
  CHECK_FALSE(contains(text, "step=\"cart\""));
  CHECK(contains(text, "shopwatch_step_success{shop=\"acme\",env=\"production\",check=\"checkout\",step=\"product\"} 1\n"));
  CHECK_FALSE(contains(text, "step=\"checkout-page\""));
  // A check that turns from a journey into a plain check loses its steps.
  auto plain = makeSpec("acme", "checkout");
  table.setChecks({plain});
  CHECK(table.find(plain->key)->steps.empty());
  CHECK_FALSE(contains(render(table), "step="));
}

TEST_CASE("a journey failure awaiting its confirm re-check leaves the step states as they were") {
  CheckStateTable table;
  auto spec = makeJourney("checkout", {"product", "cart"}, {}, true);
  table.setChecks({spec});
  testing::recordRun(table, spec->key, journeyRun({ranStep("product", 200, 100), ranStep("cart", 200, 30)}), false);
  testing::recordRun(table, spec->key, journeyRun({ranStep("product", 200, 100), failedStep("cart", 500)}, 1'800'000'300),
                     false);
  auto s = table.find(spec->key);
  CHECK(s->counters.awaiting_confirm);
  CHECK(stepOf(*s, "cart").last->success);
  testing::recordRun(table, spec->key, journeyRun({ranStep("product", 200, 100), failedStep("cart", 500)}, 1'800'000'305),
                     true);
  s = table.find(spec->key);
  CHECK_FALSE(stepOf(*s, "cart").last->success);
}

TEST_CASE("a step's own record is not counted as a run of its journey, and restore sets stored steps") {
  CheckStateTable table;
  auto spec = makeJourney("checkout", {"product", "cart"}, {});
  table.setChecks({spec});
  core::RunRecord step_run;
  step_run.key = spec->key;
  step_run.step = "product";
  step_run.result = passingResult();
  CHECK_FALSE(table.record(step_run, core::judgeRun(step_run)));
  table.restore(step_run, core::judgeRun(step_run));
  auto s = table.find(spec->key);
  CHECK(s->counters.runs_success == 0);
  CHECK_FALSE(s->counters.last_run);
  CHECK_FALSE(s->last);

  core::RunRecord stored;
  stored.key = spec->key;
  stored.result = journeyRun({ranStep("product", 200, 100)});  // a stored run holds no skipped steps
  table.restore(stored, core::judgeRun(stored));
  s = table.find(spec->key);
  REQUIRE(s->last);
  CHECK(stepOf(*s, "product").last->status_code == 200);
  CHECK_FALSE(stepOf(*s, "cart").last);
  CHECK(s->counters.runs_success == 0);
}
