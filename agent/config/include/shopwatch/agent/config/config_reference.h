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
/// follow_redirects and expect.status of `check` (a check of `config`), in that order.
std::vector<EffectiveValue> effectiveValues(const AgentConfig& config, const core::Check& check);

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
