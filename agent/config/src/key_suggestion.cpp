#include "key_suggestion.h"

#include <algorithm>
#include <vector>

#include "shopwatch/core/text.h"

namespace shopwatch::agent::detail {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> suggestKey(std::string_view unknown,
                                      std::span<const std::string_view> known) {
  const std::string key = core::asciiLower(unknown);
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (std::string_view candidate : known) {
    std::size_t d = editDistance(key, candidate);
    if (d == 0) return std::string(candidate);
    if (d < best_distance && d < key.size()) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace shopwatch::agent::detail
