#include "shopwatch/storage/latency_histogram.h"

#include <algorithm>
#include <cmath>

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

}  // namespace

int LatencyHistogram::bucketOf(core::Micros value) {
  auto v = value.count();
  if (v < kLinearBelow) return static_cast<int>(std::max<std::int64_t>(v, 0));
  auto b = kLinearBelow +
           static_cast<int>(std::floor(std::log(static_cast<double>(v) / kLinearBelow) / kLogRatio));
  return std::min(b, kMaxBucket);
}

namespace {

// The smallest integer µs value in `bucket` (bucket ≥ kLinearBelow).
std::int64_t lowestIn(int bucket) {
  auto guess = static_cast<std::int64_t>(
      std::ceil(LatencyHistogram::kLinearBelow * std::exp((bucket - LatencyHistogram::kLinearBelow) * kLogRatio)));
  // Correct the floating-point guess against bucketOf, the definition.
  while (LatencyHistogram::bucketOf(core::Micros{guess}) < bucket) ++guess;
  while (LatencyHistogram::bucketOf(core::Micros{guess - 1}) >= bucket) --guess;
  return guess;
}

}  // namespace

core::Micros LatencyHistogram::bucketValue(int bucket) {
  if (bucket < kLinearBelow) return core::Micros{std::max(bucket, 0)};
  auto a = static_cast<double>(lowestIn(bucket));
  auto c = static_cast<double>(lowestIn(bucket + 1) - 1);
  // The harmonic mean equalises the relative error at both ends; pick the better integer next to it.
  auto h = 2 * a * c / (a + c);
  auto err = [&](double x) { return std::max(x / a - 1, 1 - x / c); };
  auto lo = std::floor(h);
  auto hi = std::ceil(h);
  return core::Micros{static_cast<std::int64_t>(err(lo) <= err(hi) ? lo : hi)};
}

void LatencyHistogram::add(core::Micros value, std::uint64_t count) {
  auto b = static_cast<std::size_t>(bucketOf(value));
  if (buckets_.size() <= b) buckets_.resize(b + 1, 0);
  buckets_[b] += count;
  count_ += count;
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

std::optional<core::Micros> exactPercentile(std::vector<core::Micros>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return values[nearestRank(p, values.size()) - 1];
}

}  // namespace shopwatch::storage
