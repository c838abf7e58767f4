#pragma once
// The last step of a check: the defaults nobody wrote are derived from what was written, then the
// rules across keys are checked, each at the place of the key the user wrote.

#include <string>

#include "check_draft.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::detail {

/// The built-in ceilings of the derived defaults (README, "Configuration reference").
inline constexpr core::Micros kDefaultTimeout = std::chrono::seconds{10};
inline constexpr core::Micros kDefaultConfirmDelay = std::chrono::seconds{5};
/// A journey's: an unset `journey_timeout` is min(60s, interval).
inline constexpr core::Micros kDefaultJourneyTimeout = std::chrono::seconds{60};

/// Derives an unwritten `timeout` as min(10s, interval) and an unwritten `confirm_delay` as
/// min(5s, interval / 2); reports written values that conflict (timeout above the interval,
/// confirm_delay not below it, an interval under 1s, key_file without cert_file) at their own
/// position, or at the check (`node`, `path`) when nobody wrote the key. Sets the request's
/// timeout to the run's. For a journey (`journey`), the run's limit is the `journey_timeout` key
/// (min(60s, interval) when unset) and a `timeout` written in the shop's defaults does not apply.
void finalizeCheck(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                   CheckDraft& draft, bool journey = false);

/// The sources of `draft`'s keys for AgentConfig::sources.
CheckSources sourcesOf(const CheckDraft& draft);

}  // namespace shopwatch::agent::detail
