#pragma once
// Measuring helpers shared by the engine benchmark's modes: process CPU and peak RSS, percentiles,
// and submitting a batch of checks to an engine and waiting for all of them.

#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::bench {

inline double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

inline long peakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/// The q-quantile (0..1) of `values` (sorted in place); 0 when empty.
inline double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(i, values.size() - 1)];
}

/// Submits every check at once and blocks until all have completed; results in completion order.
inline std::vector<core::ProbeResult> runBatch(
    probes::HttpProbeEngine& engine, const std::vector<std::shared_ptr<const core::Check>>& specs) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<core::ProbeResult> results;
  results.reserve(specs.size());
  for (const auto& spec : specs) {
    engine.submit(spec, [&](core::ProbeResult r) {
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return results.size() == specs.size(); });
  return results;
}

}  // namespace shopwatch::bench
