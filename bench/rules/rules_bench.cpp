// Rule engine benchmark ([C]): 1,000 rules over 1,000 checks plus 100 SLOs with 30-day windows.
//   rules_bench tick [CHECKS] [TICKS]    time per evaluation tick, memory of the window state
//   rules_bench restore DB_PATH [CHECKS] start-up restore from a real store (raw rows + rollups)
// Prints one `key value` line per figure; run_rules_bench.sh takes medians over repeated runs.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/agent/runtime/rules_restore.h"
#include "shopwatch/core/accounting.h"
#include "shopwatch/rules/rule_engine.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace std::chrono_literals;
namespace core = shopwatch::core;
namespace rules = shopwatch::rules;

namespace {

long maxRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string checkName(int i) { return "check-" + std::to_string(i); }

rules::RuleSet ruleSet(int checks, int slos) {
  static const char* kExprs[] = {"availability < 99%", "p95 > 800ms",          "error_rate > 5%",
                                 "apdex(500ms) < 0.9", "failure_streak >= 3", "no_data > 5m",
                                 "ttfb_p95 > 400ms",   "p99 > 2s"};
  static const core::Micros kWindows[] = {15min, 15min, 30min, 1h, 15min, 15min, 15min, 1h};
  rules::RuleSet set;
  for (int i = 0; i < checks; ++i) {
    rules::CheckInfo info;
    info.key = {"acme", "production", checkName(i)};
    info.interval = 60s;
    set.checks.push_back(info);
    rules::RuleSpec r;
    r.name = "rule-" + std::to_string(i);
    r.target = {"acme", checkName(i), ""};
    const int k = i % 8;
    auto expr = rules::parseExpr(kExprs[k]);
    if (!expr) {
      std::fprintf(stderr, "bad expr %s: %s\n", kExprs[k], expr.error().message.c_str());
      std::exit(2);
    }
    r.expr = *expr;
    r.window = kWindows[k];
    r.severity = rules::Severity::Warning;
    set.rules.push_back(r);
  }
  for (int i = 0; i < slos; ++i) {
    rules::SloSpec s;
    s.name = "slo-" + std::to_string(i);
    s.target = {"acme", checkName(i * (checks / std::max(slos, 1))), ""};
    s.objective = 0.995;
    s.period = std::chrono::hours{24 * 30};
    s.latency_threshold = 2s;
    set.slos.push_back(s);
  }
  return set;
}

core::RunRecord record(int i, core::SystemTime at, bool ok) {
  core::RunRecord r;
  r.key = {"acme", "production", checkName(i)};
  r.run_id = at.time_since_epoch().count();
  r.interval = 60s;
  r.scheduled = at;
  r.confirm_pending = false;
  r.result.started = at;
  r.result.success = ok;
  r.result.failure = ok ? core::FailureReason::None : core::FailureReason::HttpStatus;
  r.result.duration = std::chrono::milliseconds{100 + (i * 37 + at.time_since_epoch().count() / 1000) % 900};
  r.result.phases.processing = r.result.duration / 2;
  return r;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int tickBench(int checks, int ticks) {
  const long rss_before = maxRssKiB();
  core::FakeClock clock;
  rules::RuleEngine engine(clock);
  engine.configure(ruleSet(checks, 100));
  const auto now = clock.now();
  // 30 days of SLO history as rollup hours, then the raw runs the windows need at 1/min.
  for (int s = 0; s < 100; ++s) {
    const int i = s * (checks / 100);
    for (int h = 720; h > 7; --h) {
      rules::HourRollup hour;
      hour.target = {{"acme", "production", checkName(i)}, ""};
      hour.hour = std::chrono::floor<std::chrono::hours>(now) - std::chrono::hours{h};
      hour.runs = 60;
      hour.down_runs = (h % 97 == 0) ? 3 : 0;
      hour.covered = 1h;
      hour.latency = {{200ms, 57}, {3s, 3}};
      engine.restoreHour(hour);
    }
  }
  const auto span = engine.rawSpan();
  std::size_t runs = 0;
  for (int i = 0; i < checks; ++i) {
    const auto offset = std::chrono::seconds{(i * 7) % 60};
    for (auto t = now - span + offset; t < now; t += 60s) {
      const auto r = record(i, t, (t.time_since_epoch().count() / 60'000'000 + i) % 53 != 0);
      engine.restoreRun(r, core::judgeRun(r));
      ++runs;
    }
  }
  engine.tick();
  (void)engine.takeTransitions();
  const long rss_after = maxRssKiB();
  std::vector<double> tick_ms;
  std::vector<double> second_ms;
  for (int t = 0; t < ticks; ++t) {
    clock.advance(1s);
    const auto at = clock.now();
    const auto begin = std::chrono::steady_clock::now();
    // The checks whose slot falls in this second.
    for (int i = 0; i < checks; ++i) {
      if ((i * 7) % 60 != (t + 1) % 60) continue;
      const auto r = record(i, at, (t + i) % 53 != 0);
      engine.onRun(r, core::judgeRun(r));
    }
    const auto mid = std::chrono::steady_clock::now();
    engine.tick();
    (void)engine.takeTransitions();
    const auto end = std::chrono::steady_clock::now();
    tick_ms.push_back(std::chrono::duration<double, std::milli>(end - mid).count());
    second_ms.push_back(std::chrono::duration<double, std::milli>(end - begin).count());
  }
  const auto stats = engine.stats();
  std::printf("checks %d\nrules %d\nslos 100\nrestored_runs %zu\n", checks, checks, runs);
  std::printf("tick_ms_median %.3f\ntick_ms_p99 %.3f\ntick_ms_max %.3f\n", percentile(tick_ms, 0.5),
              percentile(tick_ms, 0.99), percentile(tick_ms, 1.0));
  std::printf("second_ms_median %.3f\nsecond_ms_p99 %.3f\n", percentile(second_ms, 0.5),
              percentile(second_ms, 0.99));
  std::printf("window_samples %zu\nstate_bytes_estimate %zu\nrss_growth_kib %ld\n", stats.samples,
              stats.memory_bytes, rss_after - rss_before);
  return 0;
}

int restoreBench(const std::string& path, int checks) {
  namespace storage = shopwatch::storage;
  core::FakeClock clock;
  const auto now = clock.now();
  {
    storage::StoreOptions o;
    o.path = path;
    o.clock = &clock;
    o.components = {shopwatch::agent::persistence::alertStateComponent(),
                    shopwatch::agent::persistence::maintenanceComponent()};
    auto store = storage::SqliteResultStore::open(o);
    if (!store) {
      std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), store.error().message.c_str());
      return 1;
    }
    // 30 days hourly (rollups), then the last 8 hours at 1/min (raw rows the windows replay).
    for (int i = 0; i < checks; ++i) {
      for (auto t = now - std::chrono::hours{24 * 30}; t < now - 8h; t += 1h) {
        (void)(*store)->enqueue(record(i, t, true));
      }
      if (i % 50 == 0) (void)(*store)->flush();
    }
    for (int i = 0; i < checks; ++i) {
      for (auto t = now - 8h; t < now; t += 60s) {
        (void)(*store)->enqueue(record(i, t, (i + t.time_since_epoch().count() / 60'000'000) % 61 != 0));
      }
      if (i % 50 == 0) (void)(*store)->flush();
    }
    if (auto st = (*store)->flush(); !st) {
      std::fprintf(stderr, "flush: %s\n", st.error().message.c_str());
      return 1;
    }
    (*store)->stop();
  }
  storage::StoreOptions o;
  o.path = path;
  o.clock = &clock;
  o.components = {shopwatch::agent::persistence::alertStateComponent(),
                  shopwatch::agent::persistence::maintenanceComponent()};
  auto store = storage::SqliteResultStore::open(o);
  if (!store) return 1;
  rules::RuleEngine engine(clock);
  engine.configure(ruleSet(checks, 100));
  const auto begin = std::chrono::steady_clock::now();
  auto restored = shopwatch::agent::runtime::restoreRules(**store, engine, now);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  if (!restored) {
    std::fprintf(stderr, "restore: %s\n", restored.error().message.c_str());
    return 1;
  }
  std::printf("restore_ms %.1f\nrestored_runs %zu\nrestored_hours %zu\n", ms, restored->runs, restored->hours);
  (*store)->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "tick";
  if (mode == "tick") {
    return tickBench(argc > 2 ? std::atoi(argv[2]) : 1000, argc > 3 ? std::atoi(argv[3]) : 300);
  }
  if (mode == "restore" && argc > 2) return restoreBench(argv[2], argc > 3 ? std::atoi(argv[3]) : 1000);
  std::fprintf(stderr, "usage: rules_bench tick [CHECKS] [TICKS] | restore DB_PATH [CHECKS]\n");
  return 2;
}
