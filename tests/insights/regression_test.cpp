// Regressions ([F]): a known slowdown is found with its start; noise, small changes and too few
// samples are not (a false-positive run over many seeds).
#include <catch2/catch.hpp>

#include "insights_test_support.h"
#include "shopwatch/agent/insights/regression.h"
#include "shopwatch/core/time_format.h"

namespace ins = shopwatch::agent::insights;
namespace t = shopwatch::testing;
using namespace std::chrono_literals;
using shopwatch::core::SystemTime;

namespace {
const SystemTime kNow{std::chrono::seconds{1796000000}};

/// 8 days at 1/min: server time `base` ms with lognormal noise, ×factor from `change` on.
ins::SeriesSamples slowing(unsigned seed, SystemTime change, double factor, double sigma = 0.25,
                           double spikes = 0.01) {
  return t::series(kNow, 24h * 8, 60s, [=](SystemTime at, std::mt19937& rng) {
    t::PhaseMs p;
    p.processing = t::noisy(300, sigma, rng, spikes) * (at >= change ? factor : 1.0);
    p.transfer = t::noisy(20, 0.3, rng);
    return p;
  }, seed);
}
}  // namespace

TEST_CASE("a target that slows down at a known time gives a regression with its start", "[regression]") {
  const SystemTime change = kNow - 10h;
  for (unsigned seed : {1u, 2u, 3u}) {
    auto found = ins::detectRegression(slowing(seed, change, 1.4), kNow);
    REQUIRE(found);
    CHECK(found->finding == "regression");
    CHECK(found->evidence["metric"] == "ttfb");
    REQUIRE(found->since);
    const auto off = *found->since > change ? *found->since - change : change - *found->since;
    CHECK(off <= 30min);
    CHECK(found->saving_seconds > 0.08);
    CHECK(found->evidence["recent_p95_ms"].get<double>() > found->evidence["baseline_p95_ms"].get<double>() * 1.3);
    CHECK(found->evidence["since"] == shopwatch::core::formatRfc3339(*found->since));
  }
}

TEST_CASE("a slowdown outside server time is reported on the duration", "[regression]") {
  auto s = t::series(kNow, 24h * 8, 60s, [](SystemTime at, std::mt19937& rng) {
    t::PhaseMs p;
    p.processing = t::noisy(100, 0.2, rng);
    p.transfer = t::noisy(200, 0.2, rng) * (at >= kNow - 6h ? 2.0 : 1.0);
    return p;
  }, 7);
  auto found = ins::detectRegression(s, kNow);
  REQUIRE(found);
  CHECK(found->evidence["metric"] == "duration");
}

TEST_CASE("a noisy but unchanged target never gives a regression over 200 seeds", "[regression]") {
  int found = 0;
  for (unsigned seed = 1; seed <= 200; ++seed) {
    // Heavy-tailed noise, 2 % spikes, a mild daily rhythm.
    auto s = t::series(kNow, 24h * 8, 60s, [](SystemTime at, std::mt19937& rng) {
      const double hour = static_cast<double>((at.time_since_epoch() / 1h) % 24);
      t::PhaseMs p;
      p.processing = t::noisy(300, 0.35, rng, 0.02, 6) * (1.0 + 0.15 * std::sin(hour / 24.0 * 6.2832));
      p.transfer = t::noisy(20, 0.4, rng);
      return p;
    }, seed);
    if (ins::detectRegression(s, kNow)) ++found;
  }
  CHECK(found == 0);
}

TEST_CASE("a small change is not a regression", "[regression]") {
  for (unsigned seed : {11u, 12u, 13u}) CHECK_FALSE(ins::detectRegression(slowing(seed, kNow - 12h, 1.05), kNow));
}

TEST_CASE("too few samples are never a regression", "[regression]") {
  auto s = slowing(5, kNow - 10h, 2.0);
  // Keep one sample per hour: 24 recent (< 30) and 168 baseline.
  std::vector<ins::TimingSample> thin;
  for (std::size_t i = 0; i < s.samples.size(); i += 60) thin.push_back(s.samples[i]);
  s.samples = thin;
  CHECK_FALSE(ins::detectRegression(s, kNow));
}
