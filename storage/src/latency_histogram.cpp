#include "shopwatch/storage/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace shopwatch::storage {

namespace {

const double kLogRatio = std::log(LatencyHistogram::kRatio);
constexpr int kMaxBucket = 2000;  // far beyond any timeout (1.035^1800 µs)

void putVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool getVarint(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::size_t nearestRank(double p, std::uint64_t n) {
  auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(n) - 1e-9));
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(rank, 1, n));
}

// The definition of a value's bucket (bucketOf answers the same from a table of bucket bounds).
int bucketByLog(std::int64_t v) {
  if (v < LatencyHistogram::kLinearBelow) return static_cast<int>(std::max<std::int64_t>(v, 0));
  auto b = LatencyHistogram::kLinearBelow +
           static_cast<int>(std::floor(std::log(static_cast<double>(v) / LatencyHistogram::kLinearBelow) /
                                       kLogRatio));
  return std::min(b, kMaxBucket);
}

// The smallest integer µs value in `bucket` (bucket ≥ kLinearBelow).
std::int64_t lowestIn(int bucket) {
  auto guess = static_cast<std::int64_t>(
      std::ceil(LatencyHistogram::kLinearBelow * std::exp((bucket - LatencyHistogram::kLinearBelow) * kLogRatio)));
  // Correct the floating-point guess against the definition.
  while (bucketByLog(guess) < bucket) ++guess;
  while (bucketByLog(guess - 1) >= bucket) --guess;
  return guess;
}

// lowestIn(kLinearBelow + i) for every log bucket up to the one of 2^62 µs, computed once: reports
// bucket and un-bucket hundreds of thousands of rollup values, each otherwise a log or several exp.
const std::vector<std::int64_t>& lowerBounds() {
  static const std::vector<std::int64_t> table = [] {
    std::vector<std::int64_t> t;
    const int last = bucketByLog(INT64_MAX / 2);
    for (int b = LatencyHistogram::kLinearBelow; b <= last + 1; ++b) t.push_back(lowestIn(b));
    return t;
  }();
  return table;
}

// A value ≥ kLinearBelow (2^7) falls in a cell: its binary exponent and the 8 bits below its leading
// bit (cells 0.4 % wide or narrower, so a cell holds at most one bucket bound: buckets are 3.5 %).
constexpr int kCellBits = 8;
int cellOf(std::uint64_t v) {
  const int e = std::bit_width(v) - 1;  // ≥ 7
  const std::uint64_t below = v - (std::uint64_t{1} << e);
  const std::uint64_t top = e >= kCellBits ? below >> (e - kCellBits) : below << (kCellBits - e);
  return (e - 7) * (1 << kCellBits) + static_cast<int>(top);
}

// The bucket of each cell's smallest value, for every cell below lowerBounds().back().
const std::vector<int>& cellBuckets() {
  static const std::vector<int> table = [] {
    const auto& bounds = lowerBounds();
    const auto last = static_cast<std::uint64_t>(bounds.back());
    std::vector<int> t(static_cast<std::size_t>(cellOf(last)) + 1, -1);
    // Walk the values cell by cell: a cell's smallest value is the first value that maps to it.
    std::size_t b = 0;  // index into bounds of the current bucket
    for (std::uint64_t v = LatencyHistogram::kLinearBelow; v <= last;) {
      const int cell = cellOf(v);
      while (b + 1 < bounds.size() && static_cast<std::uint64_t>(bounds[b + 1]) <= v) ++b;
      t[static_cast<std::size_t>(cell)] = LatencyHistogram::kLinearBelow + static_cast<int>(b);
      // The next cell starts where the cell's low bits roll over.
      const int e = std::bit_width(v) - 1;
      const std::uint64_t step = e >= kCellBits ? std::uint64_t{1} << (e - kCellBits) : 1;
      v = (v / step + 1) * step;
    }
    return t;
  }();
  return table;
}

}  // namespace

int LatencyHistogram::bucketOf(core::Micros value) {
  const auto v = value.count();
  if (v < kLinearBelow) return static_cast<int>(std::max<std::int64_t>(v, 0));
  const auto& bounds = lowerBounds();
  if (v >= bounds.back()) return bucketByLog(v);
  // The bucket of the cell's first value, then past the one bound the cell may hold.
  int b = cellBuckets()[static_cast<std::size_t>(cellOf(static_cast<std::uint64_t>(v)))];
  while (bounds[static_cast<std::size_t>(b + 1 - kLinearBelow)] <= v) ++b;
  return b;
}

namespace {

// The representative of a log bucket, from its bounds (see bucketValue).
core::Micros representativeOf(int bucket) {
  const auto& bounds = lowerBounds();
  const auto i = static_cast<std::size_t>(bucket - LatencyHistogram::kLinearBelow);
  const bool tabled = i + 1 < bounds.size();
  auto a = static_cast<double>(tabled ? bounds[i] : lowestIn(bucket));
  auto c = static_cast<double>((tabled ? bounds[i + 1] : lowestIn(bucket + 1)) - 1);
  // The harmonic mean equalises the relative error at both ends; pick the better integer next to it.
  auto h = 2 * a * c / (a + c);
  auto err = [&](double x) { return std::max(x / a - 1, 1 - x / c); };
  auto lo = std::floor(h);
  auto hi = std::ceil(h);
  return core::Micros{static_cast<std::int64_t>(err(lo) <= err(hi) ? lo : hi)};
}

// Every log bucket a µs value can reach (up to the bucket of the largest int64), computed once:
// reports turn hundreds of thousands of rollup buckets into values, each otherwise several exp/log.
const std::vector<core::Micros>& representatives() {
  static const std::vector<core::Micros> table = [] {
    const int last = LatencyHistogram::bucketOf(core::Micros{INT64_MAX / 2});
    std::vector<core::Micros> t;
    t.reserve(static_cast<std::size_t>(last + 1));
    for (int b = 0; b <= last; ++b) {
      t.push_back(b < LatencyHistogram::kLinearBelow ? core::Micros{b} : representativeOf(b));
    }
    return t;
  }();
  return table;
}

}  // namespace

core::Micros LatencyHistogram::bucketValue(int bucket) {
  if (bucket < kLinearBelow) return core::Micros{std::max(bucket, 0)};
  const auto& table = representatives();
  if (static_cast<std::size_t>(bucket) < table.size()) return table[static_cast<std::size_t>(bucket)];
  return representativeOf(bucket);
}

void LatencyHistogram::add(core::Micros value, std::uint64_t count) {
  auto b = static_cast<std::size_t>(bucketOf(value));
  if (buckets_.size() <= b) buckets_.resize(b + 1, 0);
  buckets_[b] += count;
  count_ += count;
}

void LatencyHistogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (buckets_.size() < other.buckets_.size()) buckets_.resize(other.buckets_.size(), 0);
  for (std::size_t i = 0; i < other.buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

std::optional<core::Micros> LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return std::nullopt;
  auto rank = nearestRank(p, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return bucketValue(static_cast<int>(i));
  }
  return bucketValue(static_cast<int>(buckets_.size()) - 1);
}

void LatencyHistogram::forEach(const std::function<void(core::Micros, std::uint64_t)>& fn) const {
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i] != 0) fn(bucketValue(static_cast<int>(i)), buckets_[i]);
  }
}

std::string LatencyHistogram::encode() const {
  std::string out;
  std::size_t prev = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i] == 0) continue;
    putVarint(out, i - prev);
    putVarint(out, buckets_[i]);
    prev = i;
  }
  return out;
}

bool LatencyHistogram::mergeEncoded(std::string_view blob) {
  std::uint64_t bucket = 0;
  while (!blob.empty()) {
    std::uint64_t delta = 0;
    std::uint64_t count = 0;
    if (!getVarint(blob, delta) || !getVarint(blob, count)) return false;
    bucket += delta;
    if (bucket > kMaxBucket) return false;
    if (buckets_.size() <= bucket) buckets_.resize(bucket + 1, 0);
    buckets_[bucket] += count;
    count_ += count;
  }
  return true;
}

bool LatencyHistogram::decodeEncoded(std::string_view blob,
                                     std::vector<std::pair<core::Micros, std::uint64_t>>& out) {
  out.clear();
  std::uint64_t bucket = 0;
  while (!blob.empty()) {
    std::uint64_t delta = 0;
    std::uint64_t count = 0;
    if (!getVarint(blob, delta) || !getVarint(blob, count)) return false;
    bucket += delta;
    if (bucket > kMaxBucket) return false;
    if (count == 0) continue;
    // Buckets ascend (deltas ≥ 0); a repeated bucket (delta 0 after the first) merges.
    if (!out.empty() && delta == 0) {
      out.back().second += count;
    } else {
      out.emplace_back(bucketValue(static_cast<int>(bucket)), count);
    }
  }
  return true;
}

std::optional<core::Micros> exactPercentile(std::vector<core::Micros>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return values[nearestRank(p, values.size()) - 1];
}

}  // namespace shopwatch::storage
