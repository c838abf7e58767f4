#pragma once
// Order statistics the timing analyses share: one percentile rule (nearest rank), median, MAD.

#include <vector>

namespace shopwatch::agent::insights::detail {

/// Nearest-rank percentile of an ascending vector (q in [0, 1]); 0 for an empty one.
double percentileSorted(const std::vector<double>& sorted, double q);
/// Sorts a copy, then percentileSorted.
double percentile(std::vector<double> values, double q);
/// Median absolute deviation from the median, scaled by 1.4826 (a normal's sigma).
double scaledMad(const std::vector<double>& sorted);

}  // namespace shopwatch::agent::insights::detail
