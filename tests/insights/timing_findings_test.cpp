// Where the time goes and slow phases ([F]): breakdown shares, thresholds, minimum samples.
#include <catch2/catch.hpp>

#include "insights_test_support.h"
#include "shopwatch/agent/insights/phase_breakdown.h"
#include "shopwatch/agent/insights/timing_findings.h"

namespace ins = shopwatch::agent::insights;
namespace t = shopwatch::testing;
using namespace std::chrono_literals;

namespace {
const shopwatch::core::SystemTime kNow{std::chrono::seconds{1796000000}};

ins::SeriesSamples constant(const t::PhaseMs& p, std::chrono::hours span = 24h) {
  return t::series(kNow, span, 60s, [p](auto, auto&) { return p; }, 1);
}
}  // namespace

TEST_CASE("the breakdown splits a known mix into its phases", "[timing]") {
  auto s = constant({10, 20, 30, 820, 120});  // 1,000 ms
  auto b = ins::phaseBreakdown(s.samples, kNow - 24h, kNow);
  REQUIRE(b);
  CHECK(b->samples == 1440);
  CHECK(b->p95_ms == Approx(1000));
  CHECK(b->phase_percent[3] == Approx(82));
  CHECK(b->phase_percent[0] == Approx(1));
  CHECK(b->dominant == 3);
  CHECK(ins::breakdownSentence(*b, "acme/checkout/cart") == "server time is 82% of acme/checkout/cart p95 (1.00 s)");
  const auto j = ins::breakdownJson(*b);
  CHECK(j["phases"]["processing"]["ms"] == 820.0);
  CHECK(j["dominant"] == "processing");
}

TEST_CASE("the breakdown describes the slow runs around the p95, not the typical ones", "[timing]") {
  // 80 % fast runs dominated by server time; the slowest 20 % are slow in transfer.
  int i = 0;
  auto s = t::series(kNow, 24h, 60s, [&i](auto, auto&) {
    return (i++ % 5 == 0) ? t::PhaseMs{1, 1, 1, 100, 1900} : t::PhaseMs{1, 1, 1, 100, 10};
  }, 1);
  auto b = ins::phaseBreakdown(s.samples, kNow - 24h, kNow);
  REQUIRE(b);
  CHECK(b->dominant == 4);
  CHECK(b->phase_percent[4] > 90);
}

TEST_CASE("slow server time gives a slow-ttfb finding with its evidence", "[timing]") {
  auto s = constant({2, 5, 30, 900, 20}, 24h * 7);
  auto found = ins::timingFindings(s, kNow);
  REQUIRE(found.size() == 1);
  const auto& f = found[0];
  CHECK(f.finding == "slow-ttfb");
  CHECK(f.key.check == "checkout");
  CHECK(f.step == "cart");
  CHECK(f.saving_seconds == Approx(0.7));
  CHECK(f.evidence["p95_ms"] == 900.0);
  CHECK(f.evidence["samples"] == 1440);
  CHECK(f.evidence["threshold_ms"] == 600.0);
  CHECK(f.evidence["breakdown_24h"]["phases"]["processing"]["percent"] == Approx(94.0));
  CHECK(f.evidence["breakdown_7d"]["samples"] == 1440 * 7);
  CHECK(f.summary.find("server time is 94% of acme/checkout/cart p95") != std::string::npos);
}

TEST_CASE("each slow phase fires exactly when its p95 passes its threshold", "[timing]") {
  CHECK(ins::timingFindings(constant({2, 5, 30, 150, 20}), kNow).empty());
  CHECK(ins::timingFindings(constant({100, 150, 200, 600, 500}), kNow).empty());  // at, not over
  auto all = ins::timingFindings(constant({101, 151, 201, 601, 501}), kNow);
  REQUIRE(all.size() == 5);
  CHECK(all[0].finding == "slow-dns");
  CHECK(all[1].finding == "slow-connect");
  CHECK(all[2].finding == "slow-tls");
  CHECK(all[2].saving_seconds == Approx(0.121));
  CHECK(all[3].finding == "slow-ttfb");
  CHECK(all[4].finding == "slow-transfer");
}

TEST_CASE("a p95 over the threshold is found among fast runs", "[timing]") {
  int i = 0;
  auto s = t::series(kNow, 24h, 60s, [&i](auto, auto&) {
    return (i++ % 10 < 1) ? t::PhaseMs{2, 5, 30, 1200, 20} : t::PhaseMs{2, 5, 30, 100, 20};
  }, 1);
  auto found = ins::timingFindings(s, kNow);
  REQUIRE(found.size() == 1);
  CHECK(found[0].evidence["p95_ms"] == 1200.0);
}

TEST_CASE("no finding under the minimum sample count", "[timing]") {
  ins::SeriesSamples s;
  s.key = {"acme", "production", "home"};
  for (int i = 0; i < 19; ++i) s.samples.push_back(t::sampleAt(kNow - std::chrono::minutes{60 - i}, {2, 5, 30, 2000, 20}));
  CHECK(ins::timingFindings(s, kNow).empty());
  s.samples.push_back(t::sampleAt(kNow - 1s, {2, 5, 30, 2000, 20}));
  CHECK(ins::timingFindings(s, kNow).size() == 1);
}

TEST_CASE("only the last 24 hours decide a slow phase", "[timing]") {
  auto s = t::series(kNow, 24h * 7, 60s, [](shopwatch::core::SystemTime at, auto&) {
    return at < kNow - 24h ? t::PhaseMs{2, 5, 30, 3000, 20} : t::PhaseMs{2, 5, 30, 100, 20};
  }, 1);
  CHECK(ins::timingFindings(s, kNow).empty());
}
