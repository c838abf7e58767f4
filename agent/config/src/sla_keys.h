#pragma once
// `sla:` (sla_keys.cpp): the contract terms monthly reports measure against ([E]). Each entry is
// read where it stands in the file; its shops and checks are checked against the loaded shops by
// finalizeSla() once the whole file is read, at the places recorded here.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "key_table.h"
#include "parse_context.h"
#include "rules_draft.h"

namespace shopwatch::agent::detail {

struct LoadState;

/// An accepted `sla[]` entry: AgentConfig::sla[index], with the places of its shops and checks
/// (parallel to SlaTerms::shops and SlaTerms::checks).
struct SlaPlaces {
  std::size_t index = 0;
  std::vector<Place> shops;
  std::vector<Place> checks;
};

struct SlaDraft {
  std::vector<SlaPlaces> entries;
  /// Shop name → "LINE:COL" of the `sla[].shops` item that first named it: a shop has one SLA.
  std::map<std::string, std::string> shop_positions;
};

struct SlaEntry;
const KeyTable<SlaEntry>& slaKeyTable();
/// The top-level `sla:` section into state.config.sla.
void applySla(ParseContext& ctx, const MapEntry& section, LoadState& state);
/// After the whole file: every SLA shop is a configured shop, every `shop/check` a check of one of
/// its entry's shops.
void finalizeSla(LoadState& state);

}  // namespace shopwatch::agent::detail
