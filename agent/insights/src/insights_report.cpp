#include <utility>

#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/agent/insights/insights_priority.h"

namespace shopwatch::agent::insights {

InsightsReport buildInsightsReport(storage::ResultReader* store, const AgentConfig& config,
                                   const InsightsSettings& settings, const InsightsScope& scope,
                                   core::SystemTime now, const std::function<bool()>& stopping) {
  InsightsReport report;
  report.generated_at = now;
  report.shop = scope.shop;
  if (store == nullptr) {
    report.warnings.push_back("no stored results yet: findings need the agent's database");
  } else if (auto timing = timingInsights(*store, config, scope, now, &report.series_analysed, stopping);
             !timing) {
    report.warnings.push_back("the database cannot be read: " + timing.error().message);
  } else {
    report.findings = std::move(*timing);
  }
  rankFindings(report.findings, settings);
  return report;
}

}  // namespace shopwatch::agent::insights
