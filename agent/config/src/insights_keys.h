#pragma once
// `insights:` (insights_keys.cpp): how performance findings ([F]) are audited, weighted and filed.
// The section is read where it stands in the file; its `backlog` sink and its `weights` names are
// checked by finalizeInsights() once the whole file is read (`backlog:` and `shops:` may come
// later), at the places recorded here.

#include <optional>
#include <vector>

#include "key_table.h"
#include "parse_context.h"
#include "rules_draft.h"
#include "shopwatch/agent/config/insights_settings.h"

namespace shopwatch::agent::detail {

struct LoadState;

struct InsightsDraft {
  std::optional<Place> backlog;  ///< the `backlog:` value, when written and well-formed
  std::vector<Place> weights;    ///< the key of each InsightsSettings::weights entry (parallel)
};

/// `insights:` being read: the settings and where its cross-file references stand.
struct InsightsEntry {
  InsightsSettings settings;
  InsightsDraft* draft = nullptr;
};

const KeyTable<InsightsEntry>& insightsKeyTable();
/// The top-level `insights:` section into state.config.insights.
void applyInsights(ParseContext& ctx, const MapEntry& section, LoadState& state);
/// After the whole file: `backlog` names a configured sink, each `weights` name a loaded check or
/// journey step.
void finalizeInsights(LoadState& state);

}  // namespace shopwatch::agent::detail
