#include <catch2/catch.hpp>

#include <random>

#include "shopwatch/storage/latency_histogram.h"

using shopwatch::core::Micros;
using shopwatch::storage::LatencyHistogram;

TEST_CASE("every bucket's representative is within 2 percent of every value in it") {
  double worst = 0;
  auto check = [&](std::int64_t v) {
    auto rep = LatencyHistogram::bucketValue(LatencyHistogram::bucketOf(Micros{v}));
    worst = std::max(worst, std::abs(static_cast<double>(rep.count() - v)) / static_cast<double>(v));
  };
  for (std::int64_t v = 1; v < 300'000; ++v) check(v);
  for (std::int64_t v = 300'000; v < 1'000'000'000; v = v * 101 / 100 + 1) check(v);
  CHECK(worst <= 0.02);
  CHECK(LatencyHistogram::bucketValue(LatencyHistogram::bucketOf(Micros{0})) == Micros{0});
}

TEST_CASE("histogram percentiles are within 2 percent of exact nearest-rank percentiles") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(11.5, 0.8);  // around 100 ms with a long tail
  LatencyHistogram h;
  std::vector<Micros> values;
  for (int i = 0; i < 20000; ++i) {
    Micros v{static_cast<std::int64_t>(dist(rng)) + 100};
    values.push_back(v);
    h.add(v);
  }
  for (double p : {0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    auto exact = shopwatch::storage::exactPercentile(values, p);
    auto approx = h.percentile(p);
    REQUIRE(exact);
    REQUIRE(approx);
    CHECK(std::abs(static_cast<double>(approx->count() - exact->count())) / static_cast<double>(exact->count()) <=
          0.02);
  }
}

TEST_CASE("histogram encoding round-trips and merges") {
  LatencyHistogram a;
  LatencyHistogram b;
  a.add(Micros{1000}, 3);
  a.add(Micros{0});
  a.add(Micros{5'000'000});
  b.add(Micros{1000});
  LatencyHistogram merged;
  REQUIRE(merged.mergeEncoded(a.encode()));
  REQUIRE(merged.mergeEncoded(b.encode()));
  a.merge(b);
  CHECK(merged.count() == 6);
  CHECK(merged.encode() == a.encode());
  CHECK(merged.percentile(1.0) == a.percentile(1.0));
  CHECK_FALSE(merged.mergeEncoded(std::string_view("\x80", 1)));
  CHECK_FALSE(LatencyHistogram{}.percentile(0.5));
}
