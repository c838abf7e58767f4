#include "shopwatch/agent/insights/finding.h"

namespace shopwatch::agent::insights {

std::string findingTarget(const Finding& f) {
  std::string target = f.key.path();
  if (!f.step.empty()) target += "/" + f.step;
  return target;
}

}  // namespace shopwatch::agent::insights
