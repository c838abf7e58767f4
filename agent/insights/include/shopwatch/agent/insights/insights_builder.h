#pragma once
/// Builds the ranked findings of a config's checks ([F]): timing findings and regressions from the
/// stored results of the last 8 days. Used by `shopwatch insights` and by the running agent.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/config/insights_settings.h"
#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::agent::insights {

/// Which checks: every configured check (not the canaries), or one shop's.
struct InsightsScope {
  std::string shop;  ///< "" every shop
  bool includes(const core::CheckKey& key) const { return shop.empty() || key.shop == shop; }
};

/// Timing findings and regressions of every series in scope, from the store's raw rows in
/// [now − 8 d, now): passing, unsaturated scheduled runs outside maintenance. Series the config no
/// longer has are left out; `stopping` (optional) returning true ends the scan early (a partial
/// result); `series` (optional) receives how many were analysed. Bounded memory: one series' samples at a time. Not ranked.
core::Result<std::vector<Finding>> timingInsights(storage::ResultReader& store, const AgentConfig& config,
                                                  const InsightsScope& scope, core::SystemTime now,
                                                  std::size_t* series = nullptr,
                                                  const std::function<bool()>& stopping = {});

/// The ranked findings (insights_priority.h) and what they came from.
struct InsightsReport {
  core::SystemTime generated_at{};
  std::string shop;  ///< the scope's shop ("" every shop)
  std::vector<Finding> findings;
  std::size_t series_analysed = 0;
  /// What could not be looked at, in words ("the database cannot be read: ...").
  std::vector<std::string> warnings;
};

/// Timing insights from `store` (nullptr: none, with a warning), ranked with `settings`. A store
/// that cannot be read is a warning, not a failure.
InsightsReport buildInsightsReport(storage::ResultReader* store, const AgentConfig& config,
                                   const InsightsSettings& settings, const InsightsScope& scope,
                                   core::SystemTime now, const std::function<bool()>& stopping = {});

}  // namespace shopwatch::agent::insights
