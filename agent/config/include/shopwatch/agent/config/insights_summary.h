#pragma once
/// What `check-config -v` shows of `insights:` ([F]): its effective settings, a few lines. Pure;
/// thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"

namespace shopwatch::agent {

/// "asset hosts  cdn.acme.example, static.acme.example", "audits every 6h  max 60 assets, each up
/// to 20MB  page weight limit 3MB  image limit 300KB" ("audits off" for 0), "filed into jira  issue
/// type Improvement  from warning  closed 7d after the finding is gone" ("not filed" without a
/// sink), "weights  checkout 3  acme/checkout 3, acme/checkout/cart 5". Empty when the config has
/// no `insights:` section (InsightsSettings::line is 0).
std::vector<std::string> insightsSummary(const AgentConfig& config);

/// A byte size as the config writes it: "3MiB", "20MB", "300KB", "1500B".
std::string formatByteSize(std::uint64_t bytes);

}  // namespace shopwatch::agent
