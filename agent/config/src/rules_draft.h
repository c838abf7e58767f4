#pragma once
// The top-level `rules:`, `slos:` and `maintenance:` sections, `depends_on:` of checks and
// `agent.canary`. Each section is read where it stands in the file; what needs every shop loaded
// first (targets exist, maintenance shops exist, depends_on resolves and is acyclic, the warnings)
// is checked by finalizeRules() once the whole file is read, at the places recorded here.

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "key_table.h"
#include "parse_context.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {

struct LoadState;

/// A value's place in the file: where its problems are reported.
struct Place {
  YAML::Node node;
  std::string path;
};

/// An accepted `rules[]` entry: AgentConfig::rules[index].
struct RulePlaces {
  std::size_t index = 0;
  Place check;                  ///< the `check:` value
  std::optional<Place> window;  ///< the `window:` value, when written
};

/// An accepted `slos[]` entry: AgentConfig::slos[index].
struct SloPlaces {
  std::size_t index = 0;
  Place check;
};

/// A shop named in `maintenance[].shops`.
struct MaintenanceShopRef {
  std::string shop;
  Place at;
};

/// A check's `depends_on: shop/check`, as written (the parent's env is resolved later).
struct DependencyRef {
  core::CheckKey child;
  std::string parent_shop;
  std::string parent_check;
  Place at;
};

struct RulesDraft {
  std::vector<RulePlaces> rules;
  std::vector<SloPlaces> slos;
  std::vector<MaintenanceShopRef> maintenance_shops;
  std::vector<DependencyRef> dependencies;
  /// Rule and SLO names (one namespace) → "rule at LINE:COL", for duplicate messages.
  std::map<std::string, std::string> names;
  /// Maintenance window names → "LINE:COL".
  std::map<std::string, std::string> maintenance_names;
  /// `shop\ncheck` of every check whose name was read, loaded or not: a target or parent naming a
  /// check that has its own errors is not reported a second time.
  std::set<std::string> declared_checks;
};

/// `shop\ncheck`, the key of RulesDraft::declared_checks.
inline std::string declaredKey(std::string_view shop, std::string_view check) {
  return std::string(shop) + "\n" + std::string(check);
}

// ---- sections (rule_keys.cpp, slo_keys.cpp, maintenance_keys.cpp)
/// `rules:` — each rule into state.config.rules.
void applyRules(ParseContext& ctx, const MapEntry& section, LoadState& state);
/// `slos:` — each SLO into state.config.slos.
void applySlos(ParseContext& ctx, const MapEntry& section, LoadState& state);
/// `maintenance:` — each window into state.config.maintenance.
void applyMaintenance(ParseContext& ctx, const MapEntry& section, LoadState& state);

struct RuleEntry;
struct SloEntry;
struct MaintenanceEntry;
const KeyTable<RuleEntry>& ruleKeyTable();
const KeyTable<SloEntry>& sloKeyTable();
const KeyTable<SloEntry>& sloLatencyKeyTable();
const KeyTable<MaintenanceEntry>& maintenanceKeyTable();

// ---- `agent.canary` (canary_checks.cpp)
/// Validates the URLs into state.config.agent.canary and builds state.config.canaries.
void applyCanaries(ParseContext& ctx, const MapEntry& entry, LoadState& state);

// ---- shared readers (rules_common.cpp)
/// An identity name (`name:` of rules, SLOs, windows) into `out`, remembering where it was written.
void readIdentity(ParseContext& ctx, const MapEntry& e, std::string& out, std::optional<Place>& at);
/// A target pattern (`check:` of rules and SLOs: rules::parseTargetPattern) into `out`, and its place.
void readTarget(ParseContext& ctx, const MapEntry& e, rules::TargetPattern& out,
                std::optional<Place>& at);
/// A duration in [min, max]; reports at `node` otherwise.
std::optional<core::Micros> boundedDuration(ParseContext& ctx, const YAML::Node& node,
                                            const std::string& path, core::Micros min,
                                            core::Micros max);
/// Reports every key of `required` (key, example) that `entries` lacks, at `node`.
void requireKeys(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                 const std::vector<MapEntry>& entries,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> required);
/// Records `name` (of a `kind`: "rule" or "SLO") in the rule/SLO namespace; a duplicate is an error
/// at `at` naming the first definition. False for a duplicate.
bool claimRuleName(ParseContext& ctx, LoadState& state, const std::string& name,
                   std::string_view kind, const Place& at);

// ---- after the whole file (rules_finalize.cpp, dependency_resolver.cpp)
/// Targets match loaded checks, maintenance shops exist, depends_on resolves; the warnings.
void finalizeRules(LoadState& state);
/// Resolves RulesDraft::dependencies into AgentConfig::depends_on (parent env, no self-dependency,
/// no cycle) and warns about parents no availability rule watches.
void resolveDependencies(LoadState& state);

}  // namespace shopwatch::agent::detail
