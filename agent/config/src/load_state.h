#pragma once
// One config load: the parse context, the config being built, and the section tables the loader
// walks (top level, `agent:`, `retention:`, `shops[]`). The check tables are check_appliers.h; the
// rules, SLO and maintenance sections rules_draft.h; `sla:` sla_keys.h; `insights:` insights_keys.h.

#include <filesystem>
#include <map>
#include <string>

#include "backlog_draft.h"
#include "insights_keys.h"
#include "key_table.h"
#include "parse_context.h"
#include "rules_draft.h"
#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/config/config_loader.h"
#include "sla_keys.h"

namespace shopwatch::agent::detail {

struct LoadState {
  LoadState(std::string source, const LoadOptions& load_options, std::filesystem::path base_dir)
      : ctx(source, SecretExpander(load_options.getenv, std::move(base_dir))),
        options(load_options) {
    config.source = std::move(source);
  }

  ParseContext ctx;
  const LoadOptions& options;
  AgentConfig config;
  bool has_agent = false;
  /// "name\nenv" → "LINE:COL" of the shop's name, for duplicate messages.
  std::map<std::string, std::string> shop_positions;
  /// The places of rules, SLOs, maintenance windows and depends_on (rules_draft.h).
  RulesDraft rules;
  /// `notify:` lists and `backlog.jira.projects` envs, checked once the file is read.
  BacklogDraft backlog;
  /// The places of `sla:` entries and which shop has terms (sla_keys.h).
  SlaDraft sla;
  /// Where `insights.backlog` and the `insights.weights` names stand (insights_keys.h).
  InsightsDraft insights;
};

struct ShopDraft;

// section_keys.cpp
const KeyTable<LoadState>& topKeyTable();
const KeyTable<AgentSettings>& agentKeyTable();
const KeyTable<RetentionSettings>& retentionKeyTable();
// shop_parser.cpp
const KeyTable<ShopDraft>& shopKeyTable();
/// `shops:` — every shop with its checks into state.config.
void applyShops(ParseContext& ctx, const MapEntry& section, LoadState& state);

/// "LINE:COL" of `node` ("?" when it has no position).
std::string position(const YAML::Node& node);

}  // namespace shopwatch::agent::detail
