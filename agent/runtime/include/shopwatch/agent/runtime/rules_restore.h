#pragma once
// Start-up restore of the rule engine (DESIGN.md, "Data flow"): persisted alert records, then the raw
// rows its windows need, then hourly rollups for SLO periods older than those rows.

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/rules/rule_engine.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

struct RulesRestoreStats {
  std::size_t alerts = 0;
  std::size_t runs = 0;
  std::size_t hours = 0;
};

/// Feeds `engine` (configured already) from the store. Errors leave the engine with what it got so far.
core::Result<RulesRestoreStats> restoreRules(storage::SqliteResultStore& store, rules::RuleEngine& engine,
                                             core::SystemTime now);

}  // namespace shopwatch::agent::runtime
