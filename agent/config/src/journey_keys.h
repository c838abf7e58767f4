#pragma once
// The key tables of a journey step and its sub-sections. A step's table reuses the check's request
// and expect rows (check_keys.cpp) with their appliers, which write the StepDraft's request and
// expectations; the step-only rows below write StepDraft::step.

#include <string_view>

#include "check_appliers.h"

namespace shopwatch::agent::detail {

// ---- tables (journey_keys.cpp)
const CheckKeyTable& stepKeyTable();
const CheckKeyTable& graphqlKeyTable();
const CheckKeyTable& extractKeyTable();
const CheckKeyTable& jsonFindKeyTable();
const CheckKeyTable& repeatUntilKeyTable();
const CheckKeyTable& skipIfKeyTable();

/// Whether check key `key` is a request or expect key a step takes over (`method`, `headers`,
/// `expect`, ...; not `name`, `url` or `timeout`): such keys are written in a journey's steps, not
/// at the journey's top level.
bool isStepRequestKey(std::string_view key);
/// Whether a shop `defaults:` key (a dotted origin path, `headers`, `tls.verify`) also applies to
/// journey steps: the request keys except `body`.
bool defaultAppliesToSteps(std::string_view key);
/// The keys that give a step a body.
inline constexpr std::string_view kBodyKeys[] = {"body", "form", "json", "graphql"};

// ---- step-only appliers (journey_keys.cpp); each takes a StepDraft (check_draft.h)
void applyStepTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyForm(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyJsonBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyGraphql(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyCookies(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyPlacesOrder(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
// (extract_keys.cpp)
void applyExtract(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyRepeatUntil(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applySkipIf(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

}  // namespace shopwatch::agent::detail
