#include "shopwatch/agent/insights/regression.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sample_stats.h"
#include "shopwatch/agent/insights/phase_breakdown.h"
#include "shopwatch/agent/insights/timing_findings.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::insights {
namespace {

struct MetricRegression {
  double z = 0;
  double baseline_median = 0, baseline_p95 = 0, baseline_mad = 0;
  double recent_median = 0, recent_p95 = 0;
  std::size_t baseline_n = 0, recent_n = 0;
  core::SystemTime since{};
};

/// One-sided Mann–Whitney z of `b` being larger than `a` (normal approximation, tie-corrected).
double mannWhitneyZ(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t na = a.size(), nb = b.size(), n = na + nb;
  std::vector<std::pair<double, bool>> all;
  all.reserve(n);
  for (double v : a) all.emplace_back(v, false);
  for (double v : b) all.emplace_back(v, true);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double rank_sum_b = 0, tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum_b += avg_rank;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double dna = static_cast<double>(na), dnb = static_cast<double>(nb), dn = static_cast<double>(n);
  const double u = rank_sum_b - dnb * (dnb + 1) / 2.0;
  const double mean = dna * dnb / 2.0;
  const double var = dna * dnb / 12.0 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  return var > 0 ? (u - mean) / std::sqrt(var) : 0;
}

template <class Value>
std::optional<MetricRegression> regressed(const SeriesSamples& series, core::SystemTime now,
                                          const RegressionOptions& o, Value value) {
  const auto recent_from = now - std::chrono::hours{24};
  const auto baseline_from = now - std::chrono::hours{24 * 8};
  std::vector<double> baseline;
  std::vector<const TimingSample*> recent;
  for (const auto& s : series.samples) {
    if (s.started >= baseline_from && s.started < recent_from) baseline.push_back(value(s));
    else if (s.started >= recent_from && s.started < now) recent.push_back(&s);
  }
  if (baseline.size() < o.min_baseline || recent.size() < o.min_recent) return std::nullopt;
  std::sort(baseline.begin(), baseline.end());
  const double base_median = detail::percentileSorted(baseline, 0.5);

  // Change point: scores 1 above the baseline median, 0 below; the split k maximising the bridge
  // (k/n)·S_n − S_k, i.e. where the samples before it are furthest below the window's average.
  // When the part before the split already sits closer to the later level than to the baseline's
  // ½, the change is older than the window: cut at 0. Fewer than min_recent samples after the
  // change is not evidence yet (the split is never moved earlier to make up the count: `since`
  // must be when it started).
  const std::size_t n = recent.size();
  std::vector<double> prefix(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + (value(*recent[i]) > base_median ? 1.0 : 0.0);
  const double total = prefix[n];
  double best = 0;
  std::size_t cut = 0;
  for (std::size_t k = 1; k < n; ++k) {
    const double bridge = static_cast<double>(k) / static_cast<double>(n) * total - prefix[k];
    if (bridge > best) {
      best = bridge;
      cut = k;
    }
  }
  if (cut > 0) {
    const double before = prefix[cut] / static_cast<double>(cut);
    const double after = (total - prefix[cut]) / static_cast<double>(n - cut);
    if (before - 0.5 > (after - 0.5) / 2) cut = 0;
  }
  if (n - cut < o.min_recent) return std::nullopt;
  std::vector<double> segment;
  for (std::size_t i = cut; i < recent.size(); ++i) segment.push_back(value(*recent[i]));
  std::vector<double> sorted = segment;
  std::sort(sorted.begin(), sorted.end());

  MetricRegression r;
  r.baseline_n = baseline.size();
  r.recent_n = segment.size();
  r.baseline_median = base_median;
  r.baseline_p95 = detail::percentileSorted(baseline, 0.95);
  r.baseline_mad = detail::scaledMad(baseline);
  r.recent_median = detail::percentileSorted(sorted, 0.5);
  r.recent_p95 = detail::percentileSorted(sorted, 0.95);
  r.since = recent[cut]->started;
  if (r.recent_p95 < o.min_ratio * r.baseline_p95) return std::nullopt;
  if (r.recent_p95 - r.baseline_p95 < o.min_increase_ms) return std::nullopt;
  if (r.recent_median <= r.baseline_median + r.baseline_mad) return std::nullopt;
  r.z = mannWhitneyZ(baseline, segment);
  if (r.z < o.min_z) return std::nullopt;
  return r;
}

double round1(double v) { return std::round(v * 10) / 10; }

}  // namespace

std::optional<Finding> detectRegression(const SeriesSamples& series, core::SystemTime now,
                                        const RegressionOptions& options) {
  const auto duration = regressed(series, now, options, [](const TimingSample& s) {
    return static_cast<double>(s.duration.count()) / 1000.0;
  });
  const auto ttfb = regressed(series, now, options, [](const TimingSample& s) { return phaseMs(s, 3); });
  if (!duration && !ttfb) return std::nullopt;
  bool use_ttfb = ttfb.has_value();
  if (duration && ttfb) {
    use_ttfb = (ttfb->recent_p95 - ttfb->baseline_p95) >= 0.5 * (duration->recent_p95 - duration->baseline_p95);
  }
  const MetricRegression& r = use_ttfb ? *ttfb : *duration;
  const std::string metric = use_ttfb ? "ttfb" : "duration";
  const std::string name = seriesName(series);

  Finding f;
  f.key = series.key;
  f.step = series.step;
  f.finding = ids::kRegression;
  f.since = r.since;
  f.saving_seconds = (r.recent_p95 - r.baseline_p95) / 1000.0;
  const double percent = r.baseline_p95 > 0 ? 100.0 * (r.recent_p95 / r.baseline_p95 - 1.0) : 0;
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.0f%%", percent);
  f.summary = std::string(use_ttfb ? "server time" : "response time") + " p95 of " + name + " rose " + pct +
              " (" + formatMs(r.baseline_p95) + " → " + formatMs(r.recent_p95) + ") since " +
              core::formatRfc3339(r.since);
  f.evidence = {{"metric", metric},
                {"since", core::formatRfc3339(r.since)},
                {"baseline_samples", r.baseline_n},
                {"recent_samples", r.recent_n},
                {"baseline_median_ms", round1(r.baseline_median)},
                {"recent_median_ms", round1(r.recent_median)},
                {"baseline_p95_ms", round1(r.baseline_p95)},
                {"recent_p95_ms", round1(r.recent_p95)},
                {"baseline_mad_ms", round1(r.baseline_mad)},
                {"z", std::round(r.z * 100) / 100}};
  return f;
}

}  // namespace shopwatch::agent::insights
