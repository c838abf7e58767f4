#pragma once
/// How performance findings are weighted ([F]). Built-in defaults for now: the `insights:` config
/// section (asset hosts, backlog filing, weights) is not parsed yet.

#include <string>
#include <utility>
#include <vector>

namespace shopwatch::agent {

struct InsightsSettings {
  /// A check's (`shop/check`) or a step's (`shop/check/step`) importance; the most specific entry
  /// wins. Unlisted: checkout_weight for checks and steps whose name contains checkout, cart,
  /// basket, payment or order; else 1.
  std::vector<std::pair<std::string, double>> weights;
  double checkout_weight = 3.0;
};

}  // namespace shopwatch::agent
