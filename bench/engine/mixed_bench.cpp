// [B1] benchmark, compressed schedule ("100 journeys of 8 steps every 5 minutes beside 1,000 plain
// checks at 60 s"): instead of waiting out the intervals, each kind is submitted as fast as the
// engine takes it, in separate phases of one process (a fresh engine each), so CPU per kind is
// measured over the same transport (HTTP/1.1 on loopback, nginx) in the same run:
//   journeys  all journeys at once (each its own run; per-host limit = journeys, so all are in
//             flight together): CPU per 1,000 steps, peak RSS added per journey;
//   plain     all plain checks at once: CPU per 1,000 checks (a fresh connection per check);
//   mixed     both submitted together: CPU against the sum of the two phases;
//   stall     plain checks paced every plain_every_ms against a fast URL, first alone, then while
//             journeys extract by css from a 5 MiB page: the plain checks' median and p99 total
//             duration in both, and the engine's longest loop lag (EngineStats::loop_busy_max,
//             loop_late_wake_max).

#include "mixed_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "bench_support.h"

namespace shopwatch::bench {
namespace {

using CheckPtr = std::shared_ptr<const core::Check>;

CheckPtr plainCheck(const std::string& url, int per_host_limit) {
  core::Check check;
  core::HttpProbe http;
  http.request.url = url;
  http.request.timeout = std::chrono::seconds{10};
  http.expect.body_contains = "ok";
  check.probe = std::move(http);
  check.schedule.timeout = std::chrono::seconds{10};
  check.per_host_limit = per_host_limit;
  return std::make_shared<const core::Check>(std::move(check));
}

core::Extraction csrfByCss() {
  core::Extraction x;
  x.variable = "csrf";
  x.kind = core::Extraction::Kind::Css;
  x.expression = R"(form.cart input[name="_csrf"])";
  x.attribute = "value";
  return x;
}

// Like a shop's: the first step reads a token by css, the later ones send it back.
CheckPtr smallJourney(const MixedOptions& o, std::size_t n) {
  core::JourneyProbe journey;
  for (std::size_t i = 0; i < o.steps; ++i) {
    core::JourneyStep step;
    step.name = "s" + std::to_string(i);
    step.request.url = o.journey_base + "/j/" + std::to_string(n) + "/" + std::to_string(i);
    step.request.timeout = std::chrono::seconds{10};
    step.expect.body_contains = "ok";
    if (i == 0) {
      step.extract.push_back(csrfByCss());
    } else {
      step.request.headers.emplace_back("X-Csrf", "${csrf}");
    }
    journey.steps.push_back(std::move(step));
  }
  core::Check check;
  check.key.check = "journey-" + std::to_string(n);
  check.probe = std::move(journey);
  check.schedule.timeout = std::chrono::seconds{60};
  check.per_host_limit = static_cast<int>(o.journeys);
  return std::make_shared<const core::Check>(std::move(check));
}

CheckPtr bigPageJourney(const MixedOptions& o) {
  core::JourneyStep step;
  step.name = "big";
  step.request.url = o.big_url;
  step.request.timeout = std::chrono::seconds{30};
  step.request.max_body = 16ull * 1024 * 1024;
  step.extract.push_back(csrfByCss());
  core::JourneyProbe journey;
  journey.steps.push_back(std::move(step));
  core::Check check;
  check.key.check = "big-page";
  check.probe = std::move(journey);
  check.schedule.timeout = std::chrono::seconds{60};
  check.per_host_limit = static_cast<int>(o.big_in_flight);
  return std::make_shared<const core::Check>(std::move(check));
}

struct Phase {
  double cpu_s = 0;
  double wall_s = 0;
  std::size_t runs = 0;
  std::size_t failed = 0;
  std::size_t steps = 0;  // journey steps that ran
  long peak_rss_before_kib = 0;
  long peak_rss_after_kib = 0;
};

std::size_t reportFailures(const std::vector<core::ProbeResult>& results, const char* phase) {
  std::size_t failed = 0;
  for (const auto& r : results) {
    if (r.success) continue;
    if (failed++ < 3) {
      std::cerr << phase << ": failed: " << r.final_url << " step=" << r.failed_step << ": "
                << r.message << "\n";
    }
  }
  return failed;
}

std::size_t stepsRun(const std::vector<core::ProbeResult>& results) {
  std::size_t n = 0;
  for (const auto& r : results) {
    for (const auto& s : r.steps) n += s.skipped ? 0 : 1;
  }
  return n;
}

Phase timedBatch(const std::vector<CheckPtr>& specs, const char* name) {
  Phase p;
  p.peak_rss_before_kib = peakRssKiB();
  const double cpu0 = cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<core::ProbeResult> results;
  {
    probes::HttpProbeEngine engine;
    results = runBatch(engine, specs);
  }
  p.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  p.cpu_s = cpuSeconds() - cpu0;
  p.peak_rss_after_kib = peakRssKiB();
  p.runs = results.size();
  p.failed = reportFailures(results, name);
  p.steps = stepsRun(results);
  return p;
}

struct Stall {
  double median_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::size_t plain = 0;
  std::size_t plain_failed = 0;
  std::size_t plain_saturated = 0;
  std::size_t big = 0;
  std::size_t big_failed = 0;
  double loop_busy_max_ms = 0;
  double loop_late_wake_max_ms = 0;
};

// Paces plain checks for `seconds`; with `big`, keeps big_in_flight big-page journeys running.
Stall stallPhase(const MixedOptions& o, const CheckPtr& big) {
  Stall s;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<double> durations_ms;
  std::size_t outstanding = 0;
  std::atomic<std::size_t> big_running{0};
  probes::EngineOptions engine_options;
  engine_options.evaluation_threads = o.evaluation_threads;
  probes::HttpProbeEngine engine(engine_options);
  auto plain = plainCheck(o.plain_base + "/p/stall", o.concurrency);
  const auto every = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(o.plain_every_ms));
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(o.stall_seconds));
  for (auto next = std::chrono::steady_clock::now(); next < end; next += every) {
    std::this_thread::sleep_until(next);
    {
      std::lock_guard lock(mu);
      outstanding += 1;
    }
    engine.submit(plain, [&](core::ProbeResult r) {
      std::lock_guard lock(mu);
      ++s.plain;
      if (!r.success) ++s.plain_failed;
      if (r.saturated) ++s.plain_saturated;
      if (r.success) durations_ms.push_back(static_cast<double>(r.duration.count()) / 1e3);
      --outstanding;
      cv.notify_all();
    });
    while (big && big_running.load() < o.big_in_flight) {
      big_running.fetch_add(1);
      {
        std::lock_guard lock(mu);
        outstanding += 1;
      }
      engine.submit(big, [&](core::ProbeResult r) {
        std::lock_guard lock(mu);
        ++s.big;
        if (!r.success) {
          if (s.big_failed++ < 3) std::cerr << "stall: big page failed: " << r.message << "\n";
        }
        big_running.fetch_sub(1);
        --outstanding;
        cv.notify_all();
      });
    }
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  const auto stats = engine.stats();
  s.loop_busy_max_ms = static_cast<double>(stats.loop_busy_max.count()) / 1e3;
  s.loop_late_wake_max_ms = static_cast<double>(stats.loop_late_wake_max.count()) / 1e3;
  s.median_ms = quantile(durations_ms, 0.5);
  s.p99_ms = quantile(durations_ms, 0.99);
  s.max_ms = durations_ms.empty() ? 0 : durations_ms.back();
  return s;
}

double per1000(double cpu, std::size_t n) {
  return n == 0 ? 0 : cpu * 1000.0 / static_cast<double>(n);
}

}  // namespace

int runMixedBench(const MixedOptions& o) {
  std::vector<CheckPtr> journeys;
  for (std::size_t n = 0; n < o.journeys; ++n) journeys.push_back(smallJourney(o, n));
  std::vector<CheckPtr> plain;
  for (std::size_t n = 0; n < o.checks; ++n) {
    plain.push_back(plainCheck(o.plain_base + "/p/" + std::to_string(n), o.concurrency));
  }
  std::vector<CheckPtr> mixed = plain;
  mixed.insert(mixed.end(), journeys.begin(), journeys.end());

  // Libraries' first-use allocations (OpenSSL, libcurl, gumbo) must not count as a journey's RSS.
  timedBatch({plain.begin(), plain.begin() + std::min<std::size_t>(plain.size(), 50)}, "warmup");
  timedBatch({journeys.begin(), journeys.begin() + std::min<std::size_t>(journeys.size(), 2)},
             "warmup");
  const Phase j = timedBatch(journeys, "journeys");
  const Phase p = timedBatch(plain, "plain");
  const Phase m = timedBatch(mixed, "mixed");
  const Stall alone = stallPhase(o, nullptr);
  const Stall with_big = stallPhase(o, bigPageJourney(o));

  const double cpu_steps = per1000(j.cpu_s, j.steps);
  const double cpu_checks = per1000(p.cpu_s, p.runs);
  const double ratio = cpu_checks > 0 ? cpu_steps / cpu_checks : 0;
  const double rss_per_journey_kib =
      static_cast<double>(j.peak_rss_after_kib - j.peak_rss_before_kib) /
      static_cast<double>(std::max<std::size_t>(o.journeys, 1));
  const double d_median = with_big.median_ms - alone.median_ms;
  const double d_p99 = with_big.p99_ms - alone.p99_ms;

  std::printf("== [B1] journeys beside plain checks (compressed schedule, one process)\n");
  std::printf(
      "journeys phase: journeys=%zu steps_run=%zu failed=%zu wall_s=%.3f cpu_s=%.3f "
      "cpu_s_per_1000_steps=%.3f\n",
      j.runs, j.steps, j.failed, j.wall_s, j.cpu_s, cpu_steps);
  std::printf(
      "plain phase:    checks=%zu failed=%zu wall_s=%.3f cpu_s=%.3f "
      "cpu_s_per_1000_checks=%.3f\n",
      p.runs, p.failed, p.wall_s, p.cpu_s, cpu_checks);
  std::printf(
      "mixed phase:    runs=%zu steps_run=%zu failed=%zu wall_s=%.3f cpu_s=%.3f "
      "(journeys+plain phases: %.3f)\n",
      m.runs, m.steps, m.failed, m.wall_s, m.cpu_s, j.cpu_s + p.cpu_s);
  std::printf(
      "cpu ratio:      per 1000 journey steps / per 1000 plain checks = %.2f "
      "(budget <= 1.50: %s)\n",
      ratio, ratio <= 1.5 ? "met" : "MISSED");
  std::printf(
      "rss:            peak_rss_mib before=%.1f after=%.1f added_per_journey_kib=%.1f "
      "(%zu journeys in flight together)\n",
      static_cast<double>(j.peak_rss_before_kib) / 1024.0,
      static_cast<double>(j.peak_rss_after_kib) / 1024.0, rss_per_journey_kib, o.journeys);
  for (const auto* s : {&alone, &with_big}) {
    std::printf(
        "stall %-10s plain=%zu failed=%zu saturated=%zu median_ms=%.3f p99_ms=%.3f "
        "max_ms=%.3f big_page_journeys=%zu big_failed=%zu loop_busy_max_ms=%.3f "
        "loop_late_wake_max_ms=%.3f\n",
        s == &alone ? "alone:" : "with-5MiB:", s->plain, s->plain_failed, s->plain_saturated,
        s->median_ms, s->p99_ms, s->max_ms, s->big, s->big_failed, s->loop_busy_max_ms,
        s->loop_late_wake_max_ms);
  }
  std::printf("stall delta:    median_ms=%+.3f p99_ms=%+.3f (budget |delta| <= 1 ms: %s)\n",
              d_median, d_p99,
              (std::abs(d_median) <= 1.0 && std::abs(d_p99) <= 1.0) ? "met" : "MISSED");
  const bool ok = j.failed + p.failed + m.failed + alone.plain_failed + with_big.plain_failed +
                      with_big.big_failed ==
                  0;
  return ok ? 0 : 1;
}

}  // namespace shopwatch::bench
