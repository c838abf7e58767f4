#include "shopwatch/agent/insights/timing_findings.h"

#include <cmath>

#include "sample_stats.h"

namespace shopwatch::agent::insights {

const char* slowPhaseId(std::size_t phase) {
  static constexpr std::array<const char*, kPhaseCount> kIds{ids::kSlowDns, ids::kSlowConnect, ids::kSlowTls,
                                                             ids::kSlowTtfb, ids::kSlowTransfer};
  return kIds[phase < kPhaseCount ? phase : kPhaseCount - 1];
}

std::string seriesName(const SeriesSamples& series) {
  std::string name = series.key.str();
  if (!series.step.empty()) name += "/" + series.step;
  return name;
}

std::vector<Finding> timingFindings(const SeriesSamples& series, core::SystemTime now,
                                    const TimingThresholds& thresholds) {
  const auto day_from = now - std::chrono::hours{24};
  std::vector<const TimingSample*> day;
  for (const auto& s : series.samples)
    if (s.started >= day_from && s.started < now) day.push_back(&s);
  if (day.size() < thresholds.min_samples) return {};

  const auto day_breakdown = phaseBreakdown(series.samples, day_from, now);
  const auto week_breakdown = phaseBreakdown(series.samples, now - std::chrono::hours{24 * 7}, now);
  const std::string name = seriesName(series);
  std::vector<Finding> out;
  for (std::size_t p = 0; p < kPhaseCount; ++p) {
    std::vector<double> values;
    values.reserve(day.size());
    for (const auto* s : day) values.push_back(phaseMs(*s, p));
    const double p95 = detail::percentile(std::move(values), 0.95);
    if (p95 <= thresholds.threshold_ms[p]) continue;
    Finding f;
    f.key = series.key;
    f.step = series.step;
    f.finding = slowPhaseId(p);
    f.saving_seconds = (p95 - thresholds.target_ms[p]) / 1000.0;
    f.summary = std::string(phaseWord(p)) + " p95 is " + formatMs(p95) + " on " + name + " (over " +
                formatMs(thresholds.threshold_ms[p]) + "; " + formatMs(thresholds.target_ms[p]) +
                " is achievable)";
    if (day_breakdown) f.summary += "; " + breakdownSentence(*day_breakdown, name);
    f.evidence = {{"window", "24h"},
                  {"samples", day.size()},
                  {"phase", std::string(phaseKey(p))},
                  {"p95_ms", std::round(p95 * 10) / 10},
                  {"threshold_ms", thresholds.threshold_ms[p]},
                  {"target_ms", thresholds.target_ms[p]}};
    if (day_breakdown) f.evidence["breakdown_24h"] = breakdownJson(*day_breakdown);
    if (week_breakdown) f.evidence["breakdown_7d"] = breakdownJson(*week_breakdown);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace shopwatch::agent::insights
