#pragma once
// Synthetic timing samples for the insights tests: deterministic seeds, lognormal noise.

#include <chrono>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "shopwatch/agent/insights/timing_samples.h"

namespace shopwatch::testing {

/// Phases in milliseconds of one synthetic run.
struct PhaseMs {
  double resolve = 2, connect = 5, tls = 30, processing = 150, transfer = 20;
};

inline core::Micros usOf(double ms) { return core::Micros{static_cast<std::int64_t>(std::llround(ms * 1000))}; }

inline agent::insights::TimingSample sampleAt(core::SystemTime t, const PhaseMs& p) {
  agent::insights::TimingSample s;
  s.started = t;
  s.phases.resolve = usOf(p.resolve);
  s.phases.connect = usOf(p.connect);
  s.phases.tls = usOf(p.tls);
  s.phases.processing = usOf(p.processing);
  s.phases.transfer = usOf(p.transfer);
  s.duration = s.phases.resolve + s.phases.connect + s.phases.tls + s.phases.processing + s.phases.transfer;
  return s;
}

/// One sample every `every` over [now − span, now), phases from `shape(t, rng)`.
inline agent::insights::SeriesSamples series(
    core::SystemTime now, std::chrono::hours span, std::chrono::seconds every,
    const std::function<PhaseMs(core::SystemTime, std::mt19937&)>& shape, unsigned seed) {
  agent::insights::SeriesSamples s;
  s.key = {"acme", "production", "checkout"};
  s.step = "cart";
  std::mt19937 rng(seed);
  for (auto t = now - span; t < now; t += every) s.samples.push_back(sampleAt(t, shape(t, rng)));
  return s;
}

/// `base` scaled by lognormal noise (sigma), with a spike (×spike_factor) with probability spike_p.
inline double noisy(double base, double sigma, std::mt19937& rng, double spike_p = 0, double spike_factor = 5) {
  std::lognormal_distribution<double> ln(0.0, sigma);
  std::uniform_real_distribution<double> u(0, 1);
  double v = base * ln(rng);
  if (u(rng) < spike_p) v *= spike_factor;
  return v;
}

}  // namespace shopwatch::testing
