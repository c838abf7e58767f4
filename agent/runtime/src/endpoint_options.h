#pragma once
// The agent endpoint's server options and auth from the config (`agent.listen`, `web:`), and the
// reload note for `web:` (its changes need a restart, like agent.listen).

#include <string>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::runtime {

/// Listen address `listen`, two io threads, TLS from web.tls_server_config.
http::HttpServerOptions endpointServerOptions(const AgentConfig& config, const std::string& listen);
/// web.basic_auth_users into `endpoints`.
void applyWebAuth(const AgentConfig& config, http::AgentEndpoints& endpoints);
/// Warns when `web:` changed: the running server keeps its TLS and users until a restart.
void warnWebChanges(const AgentConfig& previous, const AgentConfig& next);

}  // namespace shopwatch::agent::runtime
