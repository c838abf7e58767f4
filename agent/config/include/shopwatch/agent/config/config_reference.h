#pragma once
/// What `check-config -v` and the docs show: a check's effective values with their source, and the
/// reference of every config key (the same tables the loader validates with).

#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"

namespace shopwatch::agent {

/// "(set)", "(from defaults)", "(default)", "(derived from interval)".
std::string_view describeSource(ValueSource source);

/// One effective value of a check, formatted for people ("30s", "GET", "200-299, 304").
struct EffectiveValue {
  std::string key;  ///< dotted key path: `url`, `interval`, `expect.status`
  std::string value;
  ValueSource source = ValueSource::Default;
};

/// The effective url, method, interval, timeout, confirm, confirm_delay, max_body,
/// follow_redirects and expect.status of `check` (a check of `config`), in that order. For a
/// journey: interval, journey_timeout, confirm and confirm_delay (its steps: journeySteps()).
std::vector<EffectiveValue> effectiveValues(const AgentConfig& config, const core::Check& check);

/// "none", "body", "form", "json" or "graphql": the key that gave a step its body.
std::string_view bodyKindName(core::BodyKind kind);

/// One step of a journey as `check-config -v` shows it.
struct StepSummary {
  std::string name;
  bool cleanup = false;  ///< a `cleanup:` step
  std::string method;
  std::string url;                    ///< secrets redacted; `${variables}` as written
  std::string timeout;                ///< "5s"
  std::string body;                   ///< bodyKindName()
  std::vector<std::string> extracts;  ///< the variable names it extracts, in order
};

/// The steps, then the cleanup steps, of journey `check` (a check of `config`); empty for a check
/// that is not a journey.
std::vector<StepSummary> journeySteps(const AgentConfig& config, const core::Check& check);

/// Where a key may be written.
enum class KeyPlace {
  Anywhere,   ///< in a check and in a shop's `defaults:`
  CheckOnly,  ///< in a check, not in `defaults:` (`name`, `url`)
  Section,    ///< in its own section (`agent:`, `retention:`, a shop, the top level)
};

/// One row of the key reference.
struct KeyDoc {
  std::string section;  ///< "", "agent", "retention", "shops[]", "check", "check.expect", ...
  std::string key;
  std::string doc;  ///< one line
  KeyPlace place = KeyPlace::Section;
};

/// Every key the loader accepts, section by section, in table order.
std::vector<KeyDoc> keyReference();

}  // namespace shopwatch::agent
