#include "sample_stats.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace shopwatch::agent::insights::detail {

double percentileSorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return percentileSorted(values, q);
}

double scaledMad(const std::vector<double>& sorted) {
  if (sorted.empty()) return 0;
  const double median = percentileSorted(sorted, 0.5);
  std::vector<double> dev;
  dev.reserve(sorted.size());
  for (double v : sorted) dev.push_back(std::fabs(v - median));
  return 1.4826 * percentile(std::move(dev), 0.5);
}

}  // namespace shopwatch::agent::insights::detail
