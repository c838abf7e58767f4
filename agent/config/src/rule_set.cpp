#include "shopwatch/agent/config/rule_set.h"

#include <algorithm>

namespace shopwatch::agent {
namespace {

rules::CheckInfo infoOf(const core::Check& check) {
  rules::CheckInfo info;
  info.key = check.key;
  info.interval = check.schedule.interval;
  if (const core::JourneyProbe* journey = check.journey()) {
    for (const auto& step : journey->steps) info.steps.push_back(step.name);
    for (const auto& step : journey->cleanup) info.steps.push_back(step.name);
  }
  return info;
}

}  // namespace

rules::RuleSet ruleSetOf(const AgentConfig& config) {
  rules::RuleSet set;
  set.rules = config.rules;
  set.slos = config.slos;
  set.maintenance = config.maintenance;
  set.checks.reserve(config.checks.size() + config.canaries.size());
  for (const auto& check : config.checks) {
    rules::CheckInfo info = infoOf(*check);
    if (auto it = config.depends_on.find(check->key); it != config.depends_on.end())
      info.depends_on = it->second;
    set.checks.push_back(std::move(info));
  }
  for (const auto& canary : config.canaries) {
    set.checks.push_back(infoOf(*canary));
    set.canaries.push_back(canary->key);
  }
  return set;
}

std::vector<rules::Target> targetsOf(const rules::RuleSet& set,
                                     const rules::TargetPattern& pattern) {
  std::vector<rules::Target> out;
  for (const auto& check : set.checks) {
    if (std::find(set.canaries.begin(), set.canaries.end(), check.key) != set.canaries.end())
      continue;
    if (pattern.step.empty()) {
      if (pattern.matches(check.key, "")) out.push_back(rules::Target{check.key, ""});
      continue;
    }
    for (const auto& step : check.steps) {
      if (pattern.matches(check.key, step)) out.push_back(rules::Target{check.key, step});
    }
  }
  return out;
}

core::Micros effectiveFor(const rules::RuleSpec& rule, core::Micros interval) {
  return rule.for_duration.value_or(2 * interval);
}

core::Micros effectiveClearFor(const rules::RuleSpec& rule, core::Micros interval) {
  return rule.clear_for.value_or(std::max<core::Micros>(2 * interval, std::chrono::minutes{5}));
}

}  // namespace shopwatch::agent
