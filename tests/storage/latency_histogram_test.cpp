#include <catch2/catch.hpp>

#include <cmath>
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

TEST_CASE("decodeEncoded gives the pairs forEach gives after mergeEncoded") {
  LatencyHistogram h;
  for (std::int64_t v : std::initializer_list<std::int64_t>{0, 1, 127, 128, 1000, 1001, 250000, 5000000, 3600000000})
    h.add(Micros{v}, 2);
  h.add(Micros{1000}, 5);
  std::vector<std::pair<Micros, std::uint64_t>> expected;
  LatencyHistogram merged;
  REQUIRE(merged.mergeEncoded(h.encode()));
  merged.forEach([&](Micros v, std::uint64_t n) { expected.emplace_back(v, n); });
  std::vector<std::pair<Micros, std::uint64_t>> decoded = {{Micros{9}, 9}};  // replaced, not appended
  REQUIRE(LatencyHistogram::decodeEncoded(h.encode(), decoded));
  CHECK(decoded == expected);
  CHECK(LatencyHistogram::decodeEncoded("", decoded));
  CHECK(decoded.empty());
  CHECK_FALSE(LatencyHistogram::decodeEncoded(std::string_view("\x80", 1), decoded));
  // Every representative comes from the same rule as bucketValue computed without the table.
  for (int b = 0; b < 1200; b += 7) CHECK(LatencyHistogram::bucketOf(LatencyHistogram::bucketValue(b)) == b);
}

TEST_CASE("bucketOf agrees with the logarithmic definition at every bucket edge, and clear empties") {
  // Every bucket's lowest value and the value just below it, up to an hour: the table lookup must
  // give exactly the bucket the log formula defines (the stored rollups depend on it).
  auto byLog = [](std::int64_t v) {
    return 128 + static_cast<int>(std::floor(std::log(static_cast<double>(v) / 128) /
                                             std::log(LatencyHistogram::kRatio)));
  };
  int mismatches = 0;
  for (std::int64_t v = 128; v < 2'000'000; ++v) mismatches += LatencyHistogram::bucketOf(Micros{v}) != byLog(v);
  for (std::int64_t v = 128; v < 3'600'000'000; v = v + 1 + v / 997) {
    mismatches += LatencyHistogram::bucketOf(Micros{v}) != byLog(v);
  }
  for (int b = 129; b < 1200; ++b) {  // both sides of every bound
    const std::int64_t lo = LatencyHistogram::bucketValue(b).count();
    for (std::int64_t v : {lo, lo - lo / 60, lo + lo / 60}) {
      mismatches += LatencyHistogram::bucketOf(Micros{v}) != byLog(v);
    }
  }
  CHECK(mismatches == 0);
  LatencyHistogram h;
  h.add(Micros{5000}, 3);
  h.clear();
  CHECK(h.empty());
  CHECK_FALSE(h.percentile(0.5));
  h.add(Micros{7}, 1);
  CHECK(h.percentile(1.0) == Micros{7});
}
