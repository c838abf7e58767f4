#pragma once
// `web:` (web_keys.cpp): the endpoint's TLS and basic auth.

#include "key_table.h"
#include "parse_context.h"
#include "shopwatch/agent/config/web_settings.h"

namespace shopwatch::agent::detail {

struct LoadState;

const KeyTable<WebSettings>& webKeyTable();
const KeyTable<TlsServerSettings>& tlsServerKeyTable();
/// The top-level `web:` section into state.config.web.
void applyWeb(ParseContext& ctx, const MapEntry& section, LoadState& state);
/// After the whole file: warns when agent.listen is not loopback and neither TLS nor basic auth is set.
void finalizeWeb(LoadState& state, const YAML::Node& root);

}  // namespace shopwatch::agent::detail
