#include "shopwatch/agent/insights/check_audits.h"

#include <utility>

#include "shopwatch/agent/insights/audit_fetcher.h"

namespace shopwatch::agent::insights {

AuditLimits auditLimits(const InsightsSettings& settings) {
  AuditLimits limits;
  limits.page_weight_limit = settings.page_weight_limit;
  limits.image_limit = settings.image_limit;
  return limits;
}

bool auditable(const core::Check& check) {
  const auto* http = check.http();
  return http != nullptr && http->request.method == "GET";
}

std::vector<Finding> auditChecks(probes::HttpProbeEngine& engine, const AgentConfig& config,
                                 const InsightsScope& scope, const std::function<bool()>& stopping) {
  const InsightsSettings& settings = config.insights;
  AuditFetchOptions options;
  options.asset_hosts = settings.asset_hosts;
  options.max_assets = static_cast<std::size_t>(settings.max_assets);
  options.max_asset_bytes = settings.max_asset_bytes;
  const AuditLimits limits = auditLimits(settings);
  const auto stop = [&stopping] { return stopping && stopping(); };

  std::vector<Finding> out;
  for (const auto& check : config.checks) {
    if (stop()) break;
    if (!scope.includes(check->key) || !auditable(*check)) continue;
    const PageAudit audit = fetchPageAudit(engine, *check, "", options, stop);
    if (stop()) break;  // a cut fetch is partial: its findings would be wrong
    for (auto& f : auditPage(audit, limits)) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace shopwatch::agent::insights
