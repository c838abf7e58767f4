#pragma once
// A journey check (a check with `steps:`): the rules of its top level, its steps and cleanup
// steps, their variables and the order-placement warning.

#include <string>
#include <vector>

#include "check_draft.h"

namespace shopwatch::agent::detail {

/// Reads the journey of check `draft` (its top-level keys already applied from `entries`): rejects
/// a check-level `url`, `timeout` and request/expect keys (they belong in steps), derives the
/// `journey_timeout` (finalizeCheck), requires an interval of at least kMinJourneyInterval, reads
/// every step and cleanup step (the shop's request defaults apply to each), checks their
/// variables, warns about order placement, and replaces the draft's probe by the JourneyProbe.
void parseJourney(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                  const ShopConfig& shop, const std::vector<MapEntry>& entries, CheckDraft& draft);

/// A journey drives a real cart and checkout: the shop sees at most one run per this interval.
inline constexpr core::Micros kMinJourneyInterval = std::chrono::seconds{10};

}  // namespace shopwatch::agent::detail
