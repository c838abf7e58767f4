#include <cstdio>

#include "cli.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/config_reference.h"

namespace shopwatch::cli {
namespace {

// One block per check: its `shop/env/check` path, then one aligned line per effective value.
void printEffectiveValues(const agent::AgentConfig& config) {
  for (const auto& check : config.checks) {
    std::printf("\n%s\n", check->key.path().c_str());
    for (const auto& value : agent::effectiveValues(config, *check)) {
      const std::string_view source = agent::describeSource(value.source);
      std::printf("  %-17s %s %.*s\n", value.key.c_str(), value.value.c_str(),
                  static_cast<int>(source.size()), source.data());
    }
  }
}

}  // namespace

int checkConfigCommand(const std::string& path, bool verbose) {
  auto loaded = agent::loadConfigFile(path);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) std::fprintf(stderr, "%s\n", error.format().c_str());
    std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), loaded.errors.size(),
                 loaded.errors.size() == 1 ? "" : "s");
    return kExitFailed;
  }
  const auto& config = *loaded.config;
  std::printf("%s: ok (client %s, %zu shop%s, %zu check%s)\n", path.c_str(),
              config.agent.client.c_str(), config.shops.size(), config.shops.size() == 1 ? "" : "s",
              config.checks.size(), config.checks.size() == 1 ? "" : "s");
  if (verbose) printEffectiveValues(config);
  return kExitOk;
}

}  // namespace shopwatch::cli
