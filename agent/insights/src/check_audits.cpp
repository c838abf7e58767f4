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

std::vector<std::string> auditableSteps(const core::Check& check) {
  std::vector<std::string> out;
  const auto* journey = check.journey();
  if (journey == nullptr) return out;
  std::vector<std::string> urls;
  for (const auto& step : journey->steps) {
    const auto& r = step.request;
    if (r.method != "GET" || step.body_kind != core::BodyKind::None) continue;
    if (r.url.find("${") != std::string::npos) continue;  // needs the run's variables
    bool seen = false;
    for (const auto& u : urls) seen = seen || u == r.url;
    if (seen) continue;  // one audit per page
    urls.push_back(r.url);
    out.push_back(step.name);
  }
  return out;
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
    if (!scope.includes(check->key)) continue;
    std::vector<std::string> steps = auditableSteps(*check);
    if (auditable(*check)) steps = {""};
    for (const auto& step : steps) {
      if (stop()) break;
      const PageAudit audit = fetchPageAudit(engine, *check, step, options, stop);
      if (stop()) break;  // a cut fetch is partial: its findings would be wrong
      for (auto& f : auditPage(audit, limits)) out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace shopwatch::agent::insights
