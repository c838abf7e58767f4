#pragma once
/// What the rule engine takes from a loaded config (rules::RuleSet), and the target expansion and
/// timer defaults `check-config -v` shows. Pure functions of an AgentConfig; thread-safe.

#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent {

/// The engine's input: `config`'s rules, SLOs and maintenance windows; one CheckInfo per check
/// (key, interval, journey steps then cleanup steps, resolved `depends_on`) in file order, then one
/// per canary; the canaries' keys.
rules::RuleSet ruleSetOf(const AgentConfig& config);

/// The targets of `pattern` among `set.checks` (canaries are never targets), in check order: a
/// check-level pattern gives each matching check (every env), a step pattern each journey's step.
std::vector<rules::Target> targetsOf(const rules::RuleSet& set,
                                     const rules::TargetPattern& pattern);

/// A rule's effective `for` on a check of `interval`: as written, else 2 × interval.
core::Micros effectiveFor(const rules::RuleSpec& rule, core::Micros interval);
/// A rule's effective `clear_for`: as written, else max(2 × interval, 5m).
core::Micros effectiveClearFor(const rules::RuleSpec& rule, core::Micros interval);

}  // namespace shopwatch::agent
