// Drives HttpProbeEngine over the URLs of a file and prints throughput, CPU and TTFB figures.
// Usage: shopwatch_engine_bench URL_FILE [--concurrency N] [--ttfb-out FILE] [--journey-steps N]
// With --journey-steps, consecutive URLs form journeys of N steps (one run each, keep-alive
// within a run); cpu_s_per_1000 is then per 1,000 steps.
//        shopwatch_engine_bench --mixed --plain-base URL --journey-base URL --big-url URL
//          [--journeys N] [--steps N] [--checks N] [--concurrency N] [--stall-seconds S]
//          [--plain-every-ms MS] [--big-in-flight N] [--evaluation-threads N]
// The [B1] benchmark: journeys beside plain checks, CPU per kind, RSS per journey and the
// stall a 5 MiB page's css extraction causes (mixed_bench.cpp).

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "bench_support.h"
#include "mixed_bench.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace {

using shopwatch::bench::cpuSeconds;
using shopwatch::bench::peakRssKiB;

int mixedMain(int argc, char** argv) {
  shopwatch::bench::MixedOptions o;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--plain-base")
      o.plain_base = value;
    else if (flag == "--journey-base")
      o.journey_base = value;
    else if (flag == "--big-url")
      o.big_url = value;
    else if (flag == "--journeys")
      o.journeys = std::stoul(value);
    else if (flag == "--steps")
      o.steps = std::stoul(value);
    else if (flag == "--checks")
      o.checks = std::stoul(value);
    else if (flag == "--concurrency")
      o.concurrency = std::stoi(value);
    else if (flag == "--stall-seconds")
      o.stall_seconds = std::stod(value);
    else if (flag == "--plain-every-ms")
      o.plain_every_ms = std::stod(value);
    else if (flag == "--big-in-flight")
      o.big_in_flight = std::stoul(value);
    else if (flag == "--evaluation-threads")
      o.evaluation_threads = std::stoi(value);
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (o.plain_base.empty() || o.journey_base.empty() || o.big_url.empty()) {
    std::cerr << "--mixed needs --plain-base, --journey-base and --big-url\n";
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int rc = shopwatch::bench::runMixedBench(o);
  curl_global_cleanup();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: shopwatch_engine_bench URL_FILE [--concurrency N] [--ttfb-out FILE]\n";
    return 2;
  }
  if (std::string(argv[1]) == "--mixed") return mixedMain(argc, argv);
  int concurrency = 32;
  std::string ttfb_out;
  std::size_t journey_steps = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--concurrency")
      concurrency = std::atoi(argv[i + 1]);
    else if (flag == "--ttfb-out")
      ttfb_out = argv[i + 1];
    else if (flag == "--journey-steps")
      journey_steps = static_cast<std::size_t>(std::atoi(argv[i + 1]));
  }
  std::vector<std::string> urls;
  {
    std::ifstream in(argv[1]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) urls.push_back(line);
    }
  }
  if (urls.empty()) {
    std::cerr << "no URLs\n";
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::vector<std::shared_ptr<const shopwatch::core::Check>> specs;
  for (std::size_t first = 0; journey_steps > 0 && first + journey_steps <= urls.size();
       first += journey_steps) {
    shopwatch::core::Check check;
    shopwatch::core::JourneyProbe journey;
    for (std::size_t i = first; i < first + journey_steps; ++i) {
      shopwatch::core::JourneyStep step;
      step.name = "s" + std::to_string(i - first);
      step.request.url = urls[i];
      step.request.timeout = std::chrono::seconds{10};
      step.expect.body_contains = "ok";
      journey.steps.push_back(std::move(step));
    }
    check.probe = std::move(journey);
    check.schedule.timeout = std::chrono::seconds{60};
    check.per_host_limit = concurrency;
    specs.push_back(std::make_shared<const shopwatch::core::Check>(std::move(check)));
  }
  for (const auto& url : urls) {
    if (journey_steps > 0) break;
    shopwatch::core::Check check;
    shopwatch::core::HttpProbe http;
    http.request.url = url;
    http.request.timeout = std::chrono::seconds{10};
    http.expect.body_contains = "ok";
    check.probe = std::move(http);
    check.schedule.timeout = std::chrono::seconds{10};
    check.per_host_limit = concurrency;
    specs.push_back(std::make_shared<const shopwatch::core::Check>(std::move(check)));
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<shopwatch::core::ProbeResult> results;
  results.reserve(urls.size());

  const double cpu0 = cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  {
    shopwatch::probes::HttpProbeEngine engine;
    for (const auto& spec : specs) {
      engine.submit(spec, [&](shopwatch::core::ProbeResult r) {
        std::lock_guard lock(mu);
        results.push_back(std::move(r));
        cv.notify_all();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return results.size() == specs.size(); });
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpuSeconds() - cpu0;

  std::size_t failed = 0;
  std::size_t saturated = 0;
  std::vector<double> ttfb_ms;
  std::vector<double> queue_wait_ms;
  for (const auto& r : results) {
    if (r.saturated) ++saturated;
    queue_wait_ms.push_back(static_cast<double>(r.queue_wait.count()) / 1e3);
    if (!r.success) {
      if (failed++ < 3) std::cerr << "failed: " << r.final_url << ": " << r.message << "\n";
      continue;
    }
    const auto& p = r.phases;
    ttfb_ms.push_back(static_cast<double>((p.resolve + p.connect + p.tls + p.processing).count()) /
                      1e3);
  }
  std::sort(ttfb_ms.begin(), ttfb_ms.end());
  const double median = ttfb_ms.empty() ? 0 : ttfb_ms[ttfb_ms.size() / 2];
  std::sort(queue_wait_ms.begin(), queue_wait_ms.end());
  const double median_wait = queue_wait_ms.empty() ? 0 : queue_wait_ms[queue_wait_ms.size() / 2];
  if (!ttfb_out.empty()) {
    std::ofstream out(ttfb_out);
    for (double v : ttfb_ms) out << v << "\n";
  }
  std::printf(
      "checks=%zu failed=%zu concurrency=%d wall_s=%.3f checks_per_s=%.0f cpu_s=%.3f "
      "cpu_s_per_1000=%.3f peak_rss_mib=%.1f median_ttfb_ms=%.4f median_queue_wait_ms=%.4f "
      "saturated=%zu journey_steps=%zu\n",
      results.size(), failed, concurrency, wall, static_cast<double>(results.size()) / wall, cpu,
      cpu * 1000.0 / static_cast<double>(results.size() * (journey_steps > 0 ? journey_steps : 1)),
      static_cast<double>(peakRssKiB()) / 1024.0, median, median_wait, saturated, journey_steps);
  curl_global_cleanup();
  return failed == 0 ? 0 : 1;
}
