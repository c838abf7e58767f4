#include <catch2/catch.hpp>

#include "exposition_lint.h"
#include "external_tool.h"

#include <chrono>
#include <vector>

#include "shopwatch/agent/status/agent_metrics.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/metrics_writer.h"
#include "status_fixtures.h"
#include "test_client.h"

using namespace shopwatch;
using agent::status::AgentMetrics;
using agent::status::CheckStateTable;
using testing::failingResult;
using testing::makeSpec;
using testing::passingResult;

namespace {

const std::string kPromtool = "/usr/bin/promtool";

/// A table with: a passing check, a confirmed failure, a histogram check with several runs, a check
/// never run, and one in another env with an odd label value.
void fillTable(CheckStateTable& table) {
  auto home = makeSpec("acme", "home");
  auto cart = makeSpec("acme", "cart");
  auto search = makeSpec("acme", "search", true);
  auto fresh = makeSpec("acme", "fresh", true);
  auto staging = makeSpec("acme", "quo\"te\\d\nline", false, "staging");
  table.setChecks({home, cart, search, fresh, staging});
  testing::recordRun(table, home->key, passingResult(), false);
  testing::recordRun(table, cart->key, failingResult(core::FailureReason::HttpStatus), false);
  testing::recordRun(table, cart->key, failingResult(core::FailureReason::HttpStatus), true);
  testing::recordRun(table, cart->key, failingResult(core::FailureReason::Timeout), true);
  for (int ms : {3, 40, 40, 700, 45000}) testing::recordRun(table, search->key, passingResult(1'800'000'000, ms), false);
  testing::recordRun(table, staging->key, passingResult(), false);
}

void checkWithPromtool(const std::string& text) {
  if (!shopwatch::testing::externalToolAvailable(kPromtool, "promtool check")) return;
  const auto r = testing::runTool(kPromtool + " check metrics", text);
  INFO("promtool output:\n" << r.output << "\ntext:\n" << text);
  CHECK(r.exit_code == 0);
  CHECK(r.output.empty());
}

/// The checks promtool 2.42 misses (duplicate series, split families, broken histograms, ...).
void checkWithExpositionLint(const std::string& text) {
  const auto problems = testing::lintExposition(text);
  INFO("exposition lint:\n" << testing::formatLintProblems(problems) << "\ntext:\n" << text);
  CHECK(problems.empty());
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("per-check metrics with agent metrics pass promtool check metrics and the exposition lint") {
  CheckStateTable table;
  fillTable(table);
  AgentMetrics metrics(agent::status::BuildInfo{"0.1.0", "7.88.1", "OpenSSL/3.0.11"});
  metrics.observeSchedulerLag(std::chrono::milliseconds{3});
  metrics.setConfigReload(true, core::SystemTime{std::chrono::seconds{1'800'000'000}});
  metrics.setStoreStats({false, 3, 0, 1000, 2, 1 << 20});
  std::string text;
  agent::status::writeCheckMetrics(table, text);
  metrics.appendText(text);
  checkWithPromtool(text);
  checkWithExpositionLint(text);

  // The content, not just the form.
  CHECK(contains(text, "probe_success{shop=\"acme\",env=\"production\",check=\"cart\"} 0\n"));
  CHECK(contains(text, "probe_http_status_code{shop=\"acme\",env=\"production\",check=\"cart\"} 503\n"));
  CHECK(contains(text, "probe_http_version{shop=\"acme\",env=\"production\",check=\"cart\"} 2\n"));
  CHECK(contains(text, "probe_http_version{shop=\"acme\",env=\"production\",check=\"home\"} 1.1\n"));
  CHECK(contains(text, "probe_http_duration_seconds{shop=\"acme\",env=\"production\",check=\"home\",phase=\"connect\"} 0.0025\n"));
  CHECK(contains(text, "probe_ssl_earliest_cert_expiry{shop=\"acme\",env=\"production\",check=\"home\"} 1900000000\n"));
  CHECK_FALSE(contains(text, "probe_ssl_earliest_cert_expiry{shop=\"acme\",env=\"production\",check=\"cart\"}"));
  CHECK(contains(text, "shopwatch_check_failures_total{shop=\"acme\",env=\"production\",check=\"cart\",reason=\"http_status\"} 1\n"));
  CHECK(contains(text, "shopwatch_check_failures_total{shop=\"acme\",env=\"production\",check=\"cart\",reason=\"timeout\"} 1\n"));
  CHECK(contains(text, "shopwatch_check_runs_total{shop=\"acme\",env=\"production\",check=\"cart\",result=\"failure\"} 3\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_bucket{shop=\"acme\",env=\"production\",check=\"search\",le=\"0.005\"} 1\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_bucket{shop=\"acme\",env=\"production\",check=\"search\",le=\"0.05\"} 3\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_bucket{shop=\"acme\",env=\"production\",check=\"search\",le=\"30\"} 4\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_bucket{shop=\"acme\",env=\"production\",check=\"search\",le=\"+Inf\"} 5\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_count{shop=\"acme\",env=\"production\",check=\"search\"} 5\n"));
  CHECK(contains(text, "shopwatch_check_duration_seconds_count{shop=\"acme\",env=\"production\",check=\"fresh\"} 0\n"));
  CHECK_FALSE(contains(text, "shopwatch_check_duration_seconds_count{shop=\"acme\",env=\"production\",check=\"home\"}"));
  CHECK_FALSE(contains(text, "probe_success{shop=\"acme\",env=\"production\",check=\"fresh\"}"));
  CHECK(contains(text, "shopwatch_build_info{"));
  CHECK(contains(text, "shopwatch_store_results_written_total 1000\n"));
  CHECK(contains(text, "shopwatch_store_queue_length 3\n"));
  CHECK(contains(text, "shopwatch_config_last_reload_successful 1\n"));
  CHECK(contains(text, "shopwatch_scheduler_lag_seconds_bucket{le=\"0.005\"} 1\n"));
  CHECK(contains(text, "process_resident_memory_bytes "));
  CHECK(contains(text, "process_open_fds "));
}

TEST_CASE("an empty table and fresh agent metrics also pass the linters") {
  CheckStateTable table;
  AgentMetrics metrics(agent::status::BuildInfo{"0.1.0", "", ""});
  std::string text;
  agent::status::writeCheckMetrics(table, text);
  CHECK(text.empty());
  metrics.appendText(text);
  checkWithPromtool(text);
  checkWithExpositionLint(text);
}

TEST_CASE("the linters catch a broken exposition (the harness is real)") {
  // Two blocks of one family and a duplicate series: promtool 2.42 passes parts of this, the
  // exposition lint not.
  const std::string bad =
      "# HELP probe_success x\n# TYPE probe_success gauge\nprobe_success{check=\"a\"} 1\n"
      "# HELP other x\n# TYPE other gauge\nother 1\nprobe_success{check=\"a\"} 1\n";
  const auto problems = testing::lintExposition(bad);
  CHECK(testing::hasProblem(problems, testing::LintCheck::SplitFamily));
  CHECK(testing::hasProblem(problems, testing::LintCheck::DuplicateSeries));
  // promtool is really run: it rejects a counter without the _total suffix (and without HELP).
  if (shopwatch::testing::externalToolAvailable(kPromtool, "promtool check")) {
    CHECK(testing::runTool(kPromtool + " check metrics", "# TYPE c counter\nc 1\n").exit_code != 0);
  }
}

// Speed is measured in bench/; this only catches a pathological slowdown (bound generous for ASan on
// a loaded 2-core CI runner).
TEST_CASE("10000 checks with results render completely within a generous time bound") {
  CheckStateTable table;
  std::vector<std::shared_ptr<const core::Check>> specs;
  for (int i = 0; i < 10000; ++i) {
    specs.push_back(makeSpec("shop" + std::to_string(i / 20), "check-" + std::to_string(i), i % 10 == 0));
  }
  table.setChecks(specs);
  for (int i = 0; i < 10000; ++i) {
    testing::recordRun(table, specs[static_cast<std::size_t>(i)]->key,
                 i % 7 == 0 ? failingResult(core::FailureReason::Connect) : passingResult(), true);
  }
  std::string text;
  const auto t0 = std::chrono::steady_clock::now();
  agent::status::writeCheckMetrics(table, text);
  const auto took = std::chrono::steady_clock::now() - t0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  WARN("rendered 10000 checks (" << text.size() / 1024 << " KiB) in " << ms << " ms");
  CHECK(ms < 2000);
  CHECK(contains(text, "probe_success{shop=\"shop0\",env=\"production\",check=\"check-0\"} 0\n"));
  CHECK(contains(text, "probe_success{shop=\"shop499\",env=\"production\",check=\"check-9999\"} 1\n"));
  std::size_t probe_success_series = 0;
  for (auto pos = text.find("\nprobe_success{"); pos != std::string::npos;
       pos = text.find("\nprobe_success{", pos + 1)) {
    ++probe_success_series;
  }
  CHECK(probe_success_series == 10000);
  checkWithExpositionLint(text);
}

// ---- journeys ([B1]): shopwatch_step_* families ---------------------------------------------------

namespace {

std::shared_ptr<core::Check> makeJourney(const std::string& check, const std::vector<std::string>& steps,
                                         const std::vector<std::string>& cleanup) {
  auto spec = std::make_shared<core::Check>();
  spec->key = core::CheckKey{"acme", "production", check};
  spec->schedule.confirm = false;
  core::JourneyProbe journey;
  for (const auto& name : steps) journey.steps.emplace_back().name = name;
  for (const auto& name : cleanup) journey.cleanup.emplace_back().name = name;
  spec->probe = std::move(journey);
  return spec;
}

core::StepResult step(const std::string& name, int status, bool ok = true, bool cleanup = false) {
  core::StepResult s;
  s.name = name;
  s.cleanup = cleanup;
  s.result = ok ? passingResult() : failingResult(core::FailureReason::HttpStatus);
  s.result.status_code = status;
  return s;
}

core::StepResult skipped(const std::string& name) {
  core::StepResult s;
  s.name = name;
  s.skipped = true;
  return s;
}

core::ProbeResult journeyRun(std::vector<core::StepResult> steps, std::int64_t started_s) {
  core::ProbeResult r;
  r.started = core::SystemTime{std::chrono::seconds{started_s}};
  r.success = true;
  r.duration = std::chrono::milliseconds{1250};
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

std::size_t countLines(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  for (auto pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos + 1)) {
    if (pos == 0 || text[pos - 1] == '\n') ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("journey steps get shopwatch_step_* families that pass promtool and the exposition lint") {
  CheckStateTable table;
  fillTable(table);
  auto snap = table.snapshot();
  std::vector<std::shared_ptr<const core::Check>> specs;
  for (const auto& s : snap) specs.push_back(s.meta->spec);
  auto checkout = makeJourney("checkout", {"product", "add-to-cart", "cart", "checkout-page"}, {"empty-cart"});
  auto login = makeJourney("login", {"form", "submit"}, {});  // never run
  specs.push_back(checkout);
  specs.push_back(login);
  table.setChecks(specs);  // the plain checks keep their state beside the new journeys
  testing::recordRun(table, checkout->key,
                     journeyRun({step("product", 200), step("add-to-cart", 302), step("cart", 200),
                                 step("checkout-page", 200), step("empty-cart", 302, true, true)},
                                1'800'000'000),
                     false);
  // The demo's broken checkout: the last step fails; then add-to-cart fails and the later steps are skipped.
  testing::recordRun(table, checkout->key,
                     journeyRun({step("product", 200), step("add-to-cart", 302), step("cart", 200),
                                 step("checkout-page", 503, false), step("empty-cart", 302, true, true)},
                                1'800'000'300),
                     false);
  testing::recordRun(table, checkout->key,
                     journeyRun({step("product", 200), step("add-to-cart", 403, false), skipped("cart"),
                                 skipped("checkout-page"), step("empty-cart", 302, true, true)},
                                1'800'000'600),
                     false);

  AgentMetrics metrics(agent::status::BuildInfo{"0.1.0", "7.88.1", "OpenSSL/3.0.11"});
  std::string text;
  agent::status::writeCheckMetrics(table, text);
  metrics.appendText(text);
  checkWithPromtool(text);
  checkWithExpositionLint(text);

  const std::string labels = "shop=\"acme\",env=\"production\",check=\"checkout\"";
  // The journey as a whole is one probe_* series: its success, its total duration, the failing step's status.
  CHECK(countLines(text, "probe_success{" + labels) == 1);
  CHECK(contains(text, "probe_success{" + labels + "} 0\n"));
  CHECK(contains(text, "probe_duration_seconds{" + labels + "} 1.25\n"));
  CHECK(contains(text, "probe_http_status_code{" + labels + "} 403\n"));
  CHECK(countLines(text, "probe_http_duration_seconds{" + labels) == 5);
  for (const char* family : {"probe_", "shopwatch_check_"}) {
    for (auto pos = text.find(std::string("\n") + family); pos != std::string::npos;
         pos = text.find(std::string("\n") + family, pos + 1)) {
      const auto end = text.find('\n', pos + 1);
      INFO(text.substr(pos + 1, end - pos - 1));
      CHECK(text.substr(pos, end - pos).find("step=") == std::string::npos);
    }
  }
  // Per step.
  CHECK(contains(text, "shopwatch_step_success{" + labels + ",step=\"product\"} 1\n"));
  CHECK(contains(text, "shopwatch_step_success{" + labels + ",step=\"add-to-cart\"} 0\n"));
  CHECK(contains(text, "shopwatch_step_status_code{" + labels + ",step=\"add-to-cart\"} 403\n"));
  CHECK(contains(text, "shopwatch_step_duration_seconds{" + labels + ",step=\"product\"} 0.12\n"));
  CHECK(contains(text, "shopwatch_step_phase_seconds{" + labels + ",step=\"product\",phase=\"connect\"} 0.0025\n"));
  CHECK(countLines(text, "shopwatch_step_phase_seconds{" + labels + ",step=\"cart\"") == 5);
  // Skipped in the latest run: the values of the run before stay (checkout-page failed with 503 then).
  CHECK(contains(text, "shopwatch_step_success{" + labels + ",step=\"cart\"} 1\n"));
  CHECK(contains(text, "shopwatch_step_success{" + labels + ",step=\"checkout-page\"} 0\n"));
  CHECK(contains(text, "shopwatch_step_status_code{" + labels + ",step=\"checkout-page\"} 503\n"));
  CHECK(contains(text, "shopwatch_step_success{" + labels + ",step=\"empty-cart\"} 1\n"));
  // A journey that never ran has no step series (and no probe_* series).
  CHECK_FALSE(contains(text, "check=\"login\",step="));
  CHECK_FALSE(contains(text, "probe_success{shop=\"acme\",env=\"production\",check=\"login\"}"));
  CHECK(contains(text, "shopwatch_check_runs_total{shop=\"acme\",env=\"production\",check=\"login\",result=\"success\"} 0\n"));
  // Four step families, one header each.
  for (const char* family : {"shopwatch_step_success", "shopwatch_step_duration_seconds", "shopwatch_step_phase_seconds",
                             "shopwatch_step_status_code"}) {
    CHECK(countLines(text, std::string("# TYPE ") + family + " gauge") == 1);
  }
}

TEST_CASE("a table with only plain checks writes no step families") {
  CheckStateTable table;
  fillTable(table);
  std::string text;
  agent::status::writeCheckMetrics(table, text);
  CHECK_FALSE(contains(text, "shopwatch_step_"));
}
