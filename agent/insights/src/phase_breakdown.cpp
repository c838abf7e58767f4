#include "shopwatch/agent/insights/phase_breakdown.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sample_stats.h"

namespace shopwatch::agent::insights {
namespace {

double ms(core::Micros d) { return static_cast<double>(d.count()) / 1000.0; }

double round1(double v) { return std::round(v * 10.0) / 10.0; }

}  // namespace

double phaseMs(const TimingSample& s, std::size_t phase) {
  switch (phase) {
    case 0: return ms(s.phases.resolve);
    case 1: return ms(s.phases.connect);
    case 2: return ms(s.phases.tls);
    case 3: return ms(s.phases.processing);
    default: return ms(s.phases.transfer);
  }
}

std::string_view phaseWord(std::size_t phase) {
  static constexpr std::array<std::string_view, kPhaseCount> kWords{"DNS", "connect", "TLS", "server time",
                                                                     "transfer"};
  return kWords[std::min(phase, kPhaseCount - 1)];
}

std::string_view phaseKey(std::size_t phase) {
  static constexpr std::array<std::string_view, kPhaseCount> kKeys{"resolve", "connect", "tls", "processing",
                                                                    "transfer"};
  return kKeys[std::min(phase, kPhaseCount - 1)];
}

std::optional<PhaseBreakdown> phaseBreakdown(const std::vector<TimingSample>& samples,
                                             core::SystemTime from, core::SystemTime to) {
  std::vector<const TimingSample*> in;
  for (const auto& s : samples)
    if (s.started >= from && s.started < to) in.push_back(&s);
  if (in.empty()) return std::nullopt;
  std::vector<double> durations;
  durations.reserve(in.size());
  for (const auto* s : in) durations.push_back(ms(s->duration));
  std::sort(durations.begin(), durations.end());
  PhaseBreakdown b;
  b.samples = in.size();
  b.p50_ms = detail::percentileSorted(durations, 0.50);
  b.p95_ms = detail::percentileSorted(durations, 0.95);
  const double lo = detail::percentileSorted(durations, 0.90);
  const double hi = detail::percentileSorted(durations, 0.99);
  double total = 0;
  std::size_t n = 0;
  for (const auto* s : in) {
    const double d = ms(s->duration);
    if (d < lo || d > hi) continue;
    ++n;
    total += d;
    for (std::size_t p = 0; p < kPhaseCount; ++p) b.phase_ms[p] += phaseMs(*s, p);
  }
  for (std::size_t p = 0; p < kPhaseCount; ++p) {
    b.phase_ms[p] /= static_cast<double>(n);
    b.phase_percent[p] = total > 0 ? 100.0 * b.phase_ms[p] * static_cast<double>(n) / total : 0;
    if (b.phase_ms[p] > b.phase_ms[b.dominant]) b.dominant = p;
  }
  return b;
}

std::string breakdownSentence(const PhaseBreakdown& b, const std::string& target) {
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.0f%%", b.phase_percent[b.dominant]);
  return std::string(phaseWord(b.dominant)) + " is " + pct + " of " + target + " p95 (" +
         formatMs(b.p95_ms) + ")";
}

std::string formatMs(double value_ms) {
  char buf[32];
  if (value_ms >= 1000)
    std::snprintf(buf, sizeof buf, "%.2f s", value_ms / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%.0f ms", value_ms);
  return buf;
}

nlohmann::json breakdownJson(const PhaseBreakdown& b) {
  nlohmann::json phases = nlohmann::json::object();
  for (std::size_t p = 0; p < kPhaseCount; ++p)
    phases[std::string(phaseKey(p))] = {{"ms", round1(b.phase_ms[p])}, {"percent", round1(b.phase_percent[p])}};
  return {{"samples", b.samples},
          {"p50_ms", round1(b.p50_ms)},
          {"p95_ms", round1(b.p95_ms)},
          {"phases", std::move(phases)},
          {"dominant", std::string(phaseKey(b.dominant))}};
}

}  // namespace shopwatch::agent::insights
