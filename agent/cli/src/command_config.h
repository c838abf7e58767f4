#pragma once
// The config a command works from (`incidents`, `backlog`): loaded and validated like check-config,
// its warnings and errors printed to stderr.

#include <optional>
#include <string>

#include "shopwatch/agent/config/agent_config.h"

namespace shopwatch::cli {

/// The config at `path`, or nothing after printing its errors (FILE:LINE:COL) to stderr.
std::optional<agent::AgentConfig> loadCommandConfig(const std::string& path);

}  // namespace shopwatch::cli
