#pragma once
// What a reload cannot change while running: settings that take effect at the next start.

#include "shopwatch/agent/config/agent_config.h"

namespace shopwatch::agent::runtime {

/// Logs a warning for each restart-only setting that differs between `previous` and `next`.
/// `listen_fixed`: the listen address came from the command line (a config change is no news then).
void warnRestartOnlyChanges(const AgentConfig& previous, const AgentConfig& next, bool listen_fixed,
                            const std::string& listening_on);

}  // namespace shopwatch::agent::runtime
