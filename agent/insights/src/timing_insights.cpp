// Stored results → per-series samples → timing findings and regressions.
#include <set>
#include <utility>

#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/agent/insights/regression.h"
#include "shopwatch/agent/insights/timing_findings.h"

namespace shopwatch::agent::insights {
namespace {

/// The series the config still has: each check, and each step of a journey.
std::set<storage::SeriesKey> configuredSeries(const AgentConfig& config, const InsightsScope& scope) {
  std::set<storage::SeriesKey> out;
  for (const auto& check : config.checks) {
    if (!scope.includes(check->key)) continue;
    out.insert({check->key, ""});
    if (const auto* journey = check->journey()) {
      for (const auto& step : journey->steps) out.insert({check->key, step.name});
    }
  }
  return out;
}

}  // namespace

core::Result<std::vector<Finding>> timingInsights(storage::ResultReader& store, const AgentConfig& config,
                                                  const InsightsScope& scope, core::SystemTime now,
                                                  std::size_t* series,
                                                  const std::function<bool()>& stopping) {
  const auto wanted = configuredSeries(config, scope);
  std::vector<Finding> findings;
  std::size_t analysed = 0;
  SeriesSamples current;
  bool have = false;
  auto flush = [&] {
    if (!have) return;
    if (wanted.count({current.key, current.step}) != 0) {
      ++analysed;
      auto timing = timingFindings(current, now, TimingThresholds{});
      for (auto& f : timing) findings.push_back(std::move(f));
      if (auto regression = detectRegression(current, now, RegressionOptions{}))
        findings.push_back(std::move(*regression));
    }
    current.samples.clear();
    have = false;
  };
  const auto from = now - std::chrono::hours{24 * 8};
  std::size_t rows = 0;
  auto st = store.scan(from, now, [&](const storage::StoredResult& row) {
    if (stopping && ++rows % 4096 == 0 && stopping()) return false;
    if (!have || row.series.key != current.key || row.series.step != current.step) {
      flush();
      current.key = row.series.key;
      current.step = row.series.step;
      have = true;
    }
    if (row.confirm || row.in_maintenance || !row.result.success || row.result.saturated) return true;
    current.samples.push_back({row.result.started, row.result.duration, row.result.phases});
    return true;
  });
  if (!st) return st.error();
  flush();
  if (series != nullptr) *series = analysed;
  return findings;
}

}  // namespace shopwatch::agent::insights
