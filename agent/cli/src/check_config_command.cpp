#include <cstdio>

#include "cli.h"
#include "shopwatch/agent/config/config_loader.h"

namespace shopwatch::cli {

int checkConfigCommand(const std::string& path) {
  auto loaded = agent::loadConfigFile(path);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) std::fprintf(stderr, "%s\n", error.format().c_str());
    std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), loaded.errors.size(),
                 loaded.errors.size() == 1 ? "" : "s");
    return kExitFailed;
  }
  const auto& config = *loaded.config;
  std::printf("%s: ok (client %s, %zu shop%s, %zu check%s)\n", path.c_str(), config.agent.client.c_str(),
              config.shops.size(), config.shops.size() == 1 ? "" : "s", config.checks.size(),
              config.checks.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace shopwatch::cli
