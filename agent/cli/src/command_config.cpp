#include "command_config.h"

#include <cstdio>

#include "shopwatch/agent/config/config_loader.h"

namespace shopwatch::cli {

std::optional<agent::AgentConfig> loadCommandConfig(const std::string& path) {
  auto loaded = agent::loadConfigFile(path);
  for (const auto& warning : loaded.warnings)
    std::fprintf(stderr, "%s\n", warning.formatWarning().c_str());
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) std::fprintf(stderr, "%s\n", error.format().c_str());
    std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), loaded.errors.size(),
                 loaded.errors.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  return std::move(*loaded.config);
}

}  // namespace shopwatch::cli
