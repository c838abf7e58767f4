#include "shopwatch/agent/insights/insights_priority.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <tuple>

namespace shopwatch::agent::insights {
namespace {

bool soundsLikeCheckout(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 5> kWords{"checkout", "cart", "basket", "payment",
                                                          "order"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

const double* weightFor(const InsightsSettings& settings, const std::string& target) {
  for (const auto& [name, weight] : settings.weights)
    if (name == target) return &weight;
  return nullptr;
}

}  // namespace

double findingWeight(const Finding& finding, const InsightsSettings& settings) {
  const std::string check = finding.key.shop + "/" + finding.key.check;
  if (!finding.step.empty())
    if (const double* w = weightFor(settings, check + "/" + finding.step)) return *w;
  if (const double* w = weightFor(settings, check)) return *w;
  if (soundsLikeCheckout(finding.key.check) || soundsLikeCheckout(finding.step))
    return settings.checkout_weight;
  return 1.0;
}

rules::Severity priorityForScore(double score) {
  if (score >= kCriticalScoreSeconds) return rules::Severity::Critical;
  if (score >= kWarningScoreSeconds) return rules::Severity::Warning;
  return rules::Severity::Info;
}

void rankFindings(std::vector<Finding>& findings, const InsightsSettings& settings) {
  for (Finding& f : findings) {
    const double byte_seconds = static_cast<double>(f.saving_bytes) / kReferenceBytesPerSecond;
    f.saving_seconds = std::max({f.saving_seconds, byte_seconds, 0.0});
    f.score = findingWeight(f, settings) * f.saving_seconds;
    f.priority = priorityForScore(f.score);
  }
  // One per identity: the larger saving wins (ties: the first reported).
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (std::tie(a.key, a.step, a.finding) != std::tie(b.key, b.step, b.finding))
      return std::tie(a.key, a.step, a.finding) < std::tie(b.key, b.step, b.finding);
    return a.score > b.score;
  });
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [](const Finding& a, const Finding& b) {
                               return std::tie(a.key, a.step, a.finding) ==
                                      std::tie(b.key, b.step, b.finding);
                             }),
                 findings.end());
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.saving_bytes != b.saving_bytes) return a.saving_bytes > b.saving_bytes;
    return std::tie(a.key, a.step, a.finding) < std::tie(b.key, b.step, b.finding);
  });
}

}  // namespace shopwatch::agent::insights
