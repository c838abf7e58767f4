// The checks of rules, SLOs and maintenance windows that need every shop loaded: each target
// matches a loaded check or journey step, each maintenance shop exists; then depends_on and the
// warnings.
#include <algorithm>
#include <set>

#include "key_suggestion.h"
#include "load_state.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {
namespace {

/// The loaded checks as targets see them.
struct TargetIndex {
  std::set<std::string> shops;           ///< shop names (any env)
  std::vector<std::string> check_names;  ///< `shop/check`, once each, file order
  std::map<std::string, std::vector<std::string>>
      steps_of;  ///< journey `shop/check` → `shop/check/step`
};

std::vector<std::string> stepNames(const core::Check& check) {
  std::vector<std::string> out;
  if (const core::JourneyProbe* journey = check.journey()) {
    for (const auto& step : journey->steps) out.push_back(step.name);
    for (const auto& step : journey->cleanup) out.push_back(step.name);
  }
  return out;
}

TargetIndex indexOf(const AgentConfig& config) {
  TargetIndex index;
  for (const auto& shop : config.shops) index.shops.insert(shop.name);
  for (const auto& check : config.checks) {
    const std::string name = check->key.str();
    if (std::find(index.check_names.begin(), index.check_names.end(), name) ==
        index.check_names.end())
      index.check_names.push_back(name);
    if (!check->journey()) continue;
    auto& steps = index.steps_of[name];
    for (const auto& step : stepNames(*check)) {
      const std::string target = name + "/" + step;
      if (std::find(steps.begin(), steps.end(), target) == steps.end()) steps.push_back(target);
    }
  }
  return index;
}

std::string withSuggestion(std::string message, std::string_view wanted,
                           const std::vector<std::string>& known) {
  std::vector<std::string_view> candidates(known.begin(), known.end());
  if (auto suggestion = suggestKey(wanted, candidates))
    message += "; did you mean `" + *suggestion + "`?";
  return message;
}

bool declaredInShop(const RulesDraft& draft, const std::string& shop) {
  auto it = draft.declared_checks.lower_bound(shop + "\n");
  return it != draft.declared_checks.end() && it->starts_with(shop + "\n");
}

/// Why `pattern` matches nothing, or nothing to say when a check it names has its own errors.
std::optional<std::string> missMessage(const rules::TargetPattern& pattern,
                                       const TargetIndex& index, const RulesDraft& draft) {
  if (pattern.wildcard()) {
    if (declaredInShop(draft, pattern.shop)) return std::nullopt;
    if (index.shops.count(pattern.shop))
      return "`" + pattern.str() + "` matches no check: shop `" + pattern.shop + "` has none";
    std::vector<std::string> wildcards;
    for (const auto& shop : index.shops) wildcards.push_back(shop + "/*");
    return withSuggestion("no shop `" + pattern.shop + "` in this config", pattern.str(),
                          wildcards);
  }
  const std::string check = pattern.shop + "/" + pattern.check;
  const bool loaded = std::find(index.check_names.begin(), index.check_names.end(), check) !=
                      index.check_names.end();
  if (!loaded) {
    if (draft.declared_checks.count(declaredKey(pattern.shop, pattern.check))) return std::nullopt;
    return withSuggestion("no check `" + check + "` in this config", check, index.check_names);
  }
  auto steps = index.steps_of.find(check);
  if (steps == index.steps_of.end())
    return "`" + check + "` is not a journey, so it has no step `" + pattern.step + "`";
  return withSuggestion("journey `" + check + "` has no step `" + pattern.step + "`", pattern.str(),
                        steps->second);
}

/// A matched target's check (its interval), or nothing.
struct Match {
  const core::Check* slowest = nullptr;
  bool any = false;
};

Match matchesOf(const rules::TargetPattern& pattern, const AgentConfig& config) {
  Match match;
  for (const auto& check : config.checks) {
    bool hit = false;
    if (pattern.step.empty()) {
      hit = pattern.matches(check->key, "");
    } else {
      for (const auto& step : stepNames(*check)) hit = hit || pattern.matches(check->key, step);
    }
    if (!hit) continue;
    match.any = true;
    if (!match.slowest || check->schedule.interval > match.slowest->schedule.interval)
      match.slowest = check.get();
  }
  return match;
}

// These KPIs look at the latest runs, not at a window (rule_spec.h).
bool usesWindow(rules::Kpi kpi) {
  return kpi != rules::Kpi::FailureStreak && kpi != rules::Kpi::SuccessStreak &&
         kpi != rules::Kpi::CertDays && kpi != rules::Kpi::NoData;
}

void checkRuleTargets(LoadState& state, const TargetIndex& index) {
  ParseContext& ctx = state.ctx;
  for (const RulePlaces& places : state.rules.rules) {
    const rules::RuleSpec& rule = state.config.rules[places.index];
    const Match match = matchesOf(rule.target, state.config);
    if (!match.any) {
      if (auto message = missMessage(rule.target, index, state.rules))
        ctx.report(places.check.node, places.check.path, std::move(*message));
      continue;
    }
    const core::Micros interval = match.slowest->schedule.interval;
    if (!usesWindow(rule.expr.kpi) || rule.window >= 2 * interval) continue;
    const Place& at = places.window ? *places.window : places.check;
    ctx.warn(at.node, at.path,
             "window " + core::formatDuration(rule.window) + " holds at most one run of `" +
                 match.slowest->key.str() + "` (interval " + core::formatDuration(interval) +
                 "): use at least " + core::formatDuration(2 * interval));
  }
}

void checkSloTargets(LoadState& state, const TargetIndex& index) {
  for (const SloPlaces& places : state.rules.slos) {
    const rules::SloSpec& slo = state.config.slos[places.index];
    if (matchesOf(slo.target, state.config).any) continue;
    if (auto message = missMessage(slo.target, index, state.rules))
      state.ctx.report(places.check.node, places.check.path, std::move(*message));
  }
}

void checkMaintenanceShops(LoadState& state, const TargetIndex& index) {
  const std::vector<std::string> shops(index.shops.begin(), index.shops.end());
  for (const MaintenanceShopRef& ref : state.rules.maintenance_shops) {
    if (index.shops.count(ref.shop)) continue;
    state.ctx.report(ref.at.node, ref.at.path,
                     withSuggestion("no shop `" + ref.shop + "` in this config", ref.shop, shops));
  }
}

}  // namespace

void finalizeRules(LoadState& state) {
  const TargetIndex index = indexOf(state.config);
  checkRuleTargets(state, index);
  checkSloTargets(state, index);
  checkMaintenanceShops(state, index);
  resolveDependencies(state);
}

}  // namespace shopwatch::agent::detail
