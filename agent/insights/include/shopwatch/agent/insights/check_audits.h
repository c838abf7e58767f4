#pragma once
/// The response audits ([F]) of a config's pages: every plain HTTP check in scope whose request is a
/// GET, and each journey step that is a GET without a body whose URL needs no variable (one per
/// distinct URL; its findings carry the step's name), is fetched as a browser would — the page, then the assets its HTML names (audit_fetcher.h: own host and
/// `insights.asset_hosts` only) — and audited (audits.h) with the limits of `insights:`.

#include <functional>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/insights/audits.h"
#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::agent::insights {

/// AuditLimits from `insights:` (page_weight_limit, image_limit; the rest built in).
AuditLimits auditLimits(const InsightsSettings& settings);

/// Whether `check` is audited: a plain HTTP check whose request is a GET.
bool auditable(const core::Check& check);
/// The steps of a journey that are audited (see above), in order; empty for other checks.
std::vector<std::string> auditableSteps(const core::Check& check);

/// The audit findings of every auditable check in scope, one page after the other on `engine`
/// (its per-host limits apply). `stopping` returning true ends early with what is done. Not ranked.
std::vector<Finding> auditChecks(probes::HttpProbeEngine& engine, const AgentConfig& config,
                                 const InsightsScope& scope, const std::function<bool()>& stopping = {});

}  // namespace shopwatch::agent::insights
