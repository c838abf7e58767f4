#pragma once
/// Log-bucketed latency histogram: exact 1 µs buckets below kLinearBelow, then bounds growing by kRatio. Each
/// bucket's representative (an integer µs chosen to minimise the worst relative error over the integers in
/// the bucket) is within 2 % of every value in it. Sparse serialisation for rollup rows.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shopwatch/core/duration.h"

namespace shopwatch::storage {

class LatencyHistogram {
 public:
  static constexpr double kRatio = 1.035;
  static constexpr int kLinearBelow = 128;

  /// b = value for values below kLinearBelow µs (0 for ≤ 0); above, kLinearBelow + ⌊log_kRatio(v /
  /// kLinearBelow)⌋.
  static int bucketOf(core::Micros value);
  /// The representative value of a bucket (within 2 % of every integer µs value in it).
  static core::Micros bucketValue(int bucket);

  void add(core::Micros value, std::uint64_t count = 1);
  void merge(const LatencyHistogram& other);
  /// Empties the histogram, keeping its storage (for a histogram reused per day or per window).
  void clear();
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  /// Nearest-rank percentile (rank ⌈p·n⌉), p in (0, 1]; the representative of the bucket holding the
  /// exact nearest-rank value. Empty when there are no samples.
  std::optional<core::Micros> percentile(double p) const;

  /// Calls `fn(representative, count)` for every non-empty bucket, ascending (count > 0).
  void forEach(const std::function<void(core::Micros, std::uint64_t)>& fn) const;

  /// Varint pairs (bucket delta, count), ascending buckets.
  std::string encode() const;
  /// Adds an encoded histogram into this one; false (and nothing added past the error) if malformed.
  bool mergeEncoded(std::string_view blob);
  /// Replaces `out` with an encoded histogram's (representative, count) pairs, ascending — what
  /// forEach would give after mergeEncoded, without building the histogram; false if malformed.
  static bool decodeEncoded(std::string_view blob,
                            std::vector<std::pair<core::Micros, std::uint64_t>>& out);

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
};

/// Exact nearest-rank percentile of `values` (sorted in place). Empty when `values` is.
std::optional<core::Micros> exactPercentile(std::vector<core::Micros>& values, double p);

}  // namespace shopwatch::storage
