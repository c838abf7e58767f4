// `depends_on: shop/check` of a check: read with the check, resolved once every shop is loaded (the
// parent's env, no self-dependency, no cycle), and a warning when nothing could ever suppress.
#include <algorithm>
#include <set>

#include "check_appliers.h"
#include "key_suggestion.h"
#include "load_state.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {

void applyDependsOn(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  // Checks only: the shop parser reports it in `defaults:` (KeyPlace::CheckOnly).
  if (d.writing == ValueSource::FromDefaults) return;
  auto raw = ctx.scalar(e.value, e.path, "a check (`shop/check`)");
  if (!raw) return;
  auto pattern = rules::parseTargetPattern(*raw);
  if (!pattern) {
    ctx.report(e.value, e.path, pattern.error().message);
    return;
  }
  if (pattern->wildcard() || !pattern->step.empty()) {
    ctx.report(e.value, e.path,
               "depends_on names one check (`shop/check`), not `" + *raw +
                   "`: a check depends on a whole check, not on a shop or a journey step");
    return;
  }
  d.depends_on = core::CheckKey{pattern->shop, "", pattern->check};
}

namespace {

// KPIs whose alerts say "the parent is down" (the rule engine suppresses on these).
bool watchesAvailability(rules::Kpi kpi) {
  return kpi == rules::Kpi::Availability || kpi == rules::Kpi::ErrorRate ||
         kpi == rules::Kpi::FailureStreak || kpi == rules::Kpi::NoData;
}

bool parentIsWatched(const AgentConfig& config, const core::CheckKey& parent) {
  for (const auto& rule : config.rules) {
    if (watchesAvailability(rule.expr.kpi) && rule.target.matches(parent, "")) return true;
  }
  return std::any_of(config.slos.begin(), config.slos.end(),
                     [&](const rules::SloSpec& slo) { return slo.target.matches(parent, ""); });
}

// "`eu` and `us`", "`eu`, `us` and `ap`".
std::string envList(const std::vector<std::string>& envs) {
  std::string out;
  for (std::size_t i = 0; i < envs.size(); ++i) {
    if (i > 0) out += (i + 1 == envs.size()) ? " and " : ", ";
    out += "`" + envs[i] + "`";
  }
  return out;
}

// One cycle: `a -> b -> a`, starting at `start`.
std::string describeCycle(const AgentConfig& config, const core::CheckKey& start) {
  std::string out = start.str();
  core::CheckKey at = config.depends_on.at(start);
  while (true) {
    out += " -> " + at.str();
    if (at == start) break;
    at = config.depends_on.at(at);
  }
  return out;
}

}  // namespace

void resolveDependencies(LoadState& state) {
  ParseContext& ctx = state.ctx;
  AgentConfig& config = state.config;
  // `shop/check` → the envs that have it, in file order.
  std::map<std::string, std::vector<std::string>> envs_of;
  std::vector<std::string> known;
  for (const auto& check : config.checks) {
    auto& envs = envs_of[check->key.str()];
    if (envs.empty()) known.push_back(check->key.str());
    envs.push_back(check->key.env);
  }
  std::vector<std::string_view> candidates(known.begin(), known.end());

  std::vector<const DependencyRef*> resolved;
  for (const DependencyRef& dep : state.rules.dependencies) {
    const std::string wanted = dep.parent_shop + "/" + dep.parent_check;
    auto it = envs_of.find(wanted);
    if (it == envs_of.end()) {
      // A parent with errors of its own is reported there, not twice.
      if (state.rules.declared_checks.count(declaredKey(dep.parent_shop, dep.parent_check)))
        continue;
      std::string message = "depends_on: no check `" + wanted + "` in this config";
      if (auto suggestion = suggestKey(wanted, candidates))
        message += "; did you mean `" + *suggestion + "`?";
      ctx.report(dep.at.node, dep.at.path, std::move(message));
      continue;
    }
    const std::vector<std::string>& envs = it->second;
    std::string env;
    if (std::find(envs.begin(), envs.end(), dep.child.env) != envs.end()) {
      env = dep.child.env;
    } else if (envs.size() == 1) {
      env = envs.front();
    } else {
      ctx.report(dep.at.node, dep.at.path,
                 "depends_on `" + wanted + "` is ambiguous: it exists in envs " + envList(envs) +
                     " but not in `" + dep.child.env + "` (this check's env)");
      continue;
    }
    const core::CheckKey parent{dep.parent_shop, env, dep.parent_check};
    if (parent == dep.child) {
      ctx.report(dep.at.node, dep.at.path, "a check cannot depend on itself");
      continue;
    }
    config.depends_on[dep.child] = parent;
    resolved.push_back(&dep);
  }

  // Each check has at most one parent: following parents from a check either ends or comes back
  // round. A cycle is reported once, at the first of its checks in the file.
  std::set<core::CheckKey> reported;
  for (const DependencyRef* dep : resolved) {
    if (reported.count(dep->child)) continue;
    std::set<core::CheckKey> seen{dep->child};
    core::CheckKey at = config.depends_on.at(dep->child);
    bool cycle = false;
    while (true) {
      if (at == dep->child) {
        cycle = true;
        break;
      }
      auto next = config.depends_on.find(at);
      if (next == config.depends_on.end() || !seen.insert(at).second) break;
      at = next->second;
    }
    if (!cycle) continue;
    for (const auto& member : seen) reported.insert(member);
    ctx.report(dep->at.node, dep->at.path,
               "depends_on forms a cycle: " + describeCycle(config, dep->child) +
                   " (a parent's outage could never be told apart from its child's)");
  }

  for (const DependencyRef* dep : resolved) {
    const core::CheckKey& parent = config.depends_on.at(dep->child);
    if (parentIsWatched(config, parent)) continue;
    ctx.warn(dep->at.node, dep->at.path,
             "depends_on has no effect: no rule on `" + parent.str() +
                 "` watches availability, error_rate, failure_streak or no_data, and no SLO "
                 "watches it, so nothing of the parent ever holds this check's alerts");
  }
}

}  // namespace shopwatch::agent::detail
