#pragma once
// A check being assembled: the shop's defaults first, then the check's own keys on top, each
// written key remembered with its place in the file and its source (for errors that involve
// several keys, for derived defaults and for `check-config -v`).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "key_table.h"
#include "parse_context.h"
#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/core/check.h"

namespace shopwatch::agent::detail {

/// Where a written value is in the file, and whether the check or its shop's defaults wrote it.
struct KeyOrigin {
  YAML::Node node;
  std::string path;
  ValueSource source = ValueSource::Set;
};

struct CheckDraft {
  /// Its probe is an HttpProbe (the variant's first kind) while keys are applied; a journey's is
  /// replaced by the JourneyProbe at the end (journey_parser.h).
  core::Check check;
  /// The source of the keys being applied now: FromDefaults while the shop's `defaults:` are read.
  ValueSource writing = ValueSource::Set;
  /// Written keys by dotted path (`timeout`, `expect.status`); only keys whose value was accepted.
  std::map<std::string, KeyOrigin, std::less<>> origins;
  /// Unwritten keys whose value was computed from another one (check_finalize.h).
  std::vector<std::string> derived;
  /// `depends_on: shop/check` as written: `env` stays empty until every shop is loaded and the
  /// parent is resolved (rules_draft.h).
  std::optional<core::CheckKey> depends_on;

  core::HttpRequest& request() { return std::get<core::HttpProbe>(check.probe).request; }
  core::Expectations& expect() { return std::get<core::HttpProbe>(check.probe).expect; }
  std::vector<std::string>& secrets() { return check.secrets; }

  const KeyOrigin* origin(std::string_view key) const {
    auto it = origins.find(key);
    return it == origins.end() ? nullptr : &it->second;
  }
};

/// A journey step being assembled. It is a CheckDraft, so the check's request and expect appliers
/// (check_keys.cpp) write the step's request and expectations unchanged; the step-only keys
/// (journey_keys.cpp) write `step`. Only the step table is ever applied to a StepDraft, and only
/// StepDrafts are given to it: its appliers reach the step through stepOf().
struct StepDraft : CheckDraft {
  core::JourneyStep step;
};

/// The StepDraft a step-table applier was given (see StepDraft).
inline StepDraft& stepOf(CheckDraft& draft) { return static_cast<StepDraft&>(draft); }

using CheckKeyRow = KeyRow<CheckDraft>;
using CheckKeyTable = KeyTable<CheckDraft>;

/// Applies `entries` through `table`, recording each key that was accepted (no new error) as
/// written under `prefix` + key, with the draft's current source.
void applyTracked(ParseContext& ctx, const CheckKeyTable& table,
                  const std::vector<MapEntry>& entries, CheckDraft& draft,
                  std::string_view prefix = {});

}  // namespace shopwatch::agent::detail
