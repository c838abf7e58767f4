#include <cstdio>
#include <string>

#include "cli.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/config_reference.h"

namespace shopwatch::cli {
namespace {

// A journey's steps under its values: one line per step (cleanup steps marked), e.g.
//   step add-to-cart     POST https://shop/cart/add  timeout 1m  body form  extracts csrf
void printJourneySteps(const agent::AgentConfig& config, const core::Check& check) {
  for (const auto& step : agent::journeySteps(config, check)) {
    std::string extracts;
    for (const auto& name : step.extracts) extracts += (extracts.empty() ? "" : ", ") + name;
    std::printf("  %-7s %-16s %s %s  timeout %s  body %s%s%s\n", step.cleanup ? "cleanup" : "step",
                step.name.c_str(), step.method.c_str(), step.url.c_str(), step.timeout.c_str(),
                step.body.c_str(), extracts.empty() ? "" : "  extracts ", extracts.c_str());
  }
}

// One block per check: its `shop/env/check` path, then one aligned line per effective value.
void printEffectiveValues(const agent::AgentConfig& config) {
  for (const auto& check : config.checks) {
    std::printf("\n%s%s\n", check->key.path().c_str(), check->journey() ? " (journey)" : "");
    for (const auto& value : agent::effectiveValues(config, *check)) {
      const std::string_view source = agent::describeSource(value.source);
      std::printf("  %-17s %s %.*s\n", value.key.c_str(), value.value.c_str(),
                  static_cast<int>(source.size()), source.data());
    }
    printJourneySteps(config, *check);
  }
}

}  // namespace

int checkConfigCommand(const std::string& path, bool verbose) {
  auto loaded = agent::loadConfigFile(path);
  // Warnings never change the exit code: the config is valid, the user should still look.
  for (const auto& warning : loaded.warnings)
    std::fprintf(stderr, "%s\n", warning.formatWarning().c_str());
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
