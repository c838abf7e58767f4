#include <cstdio>
#include <string>

#include "cli.h"
#include "probe_flags.h"
#include "probe_output.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/status/result_json.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::cli {

int probeCommand(const ProbeOptions& o) {
  core::Check check;
  if (!o.config.empty()) {
    if (o.check.empty()) {
      std::fprintf(stderr, "shopwatch probe: -c needs --check SHOP/CHECK\n");
      return kExitUsage;
    }
    auto loaded = agent::loadConfigFile(o.config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.format().c_str());
      return kExitFailed;
    }
    const core::Check* found = nullptr;
    int matches = 0;
    for (const auto& c : loaded.config->checks) {
      if (o.check == c->key.str() || o.check == c->key.path()) {
        found = c.get();
        ++matches;
      }
    }
    if (matches == 0) {
      std::fprintf(stderr, "shopwatch probe: no check \"%s\" in %s (use SHOP/CHECK)\n", o.check.c_str(),
                   o.config.c_str());
      return kExitUsage;
    }
    if (matches > 1) {
      std::fprintf(stderr, "shopwatch probe: \"%s\" exists in several envs; use SHOP/ENV/CHECK\n", o.check.c_str());
      return kExitUsage;
    }
    check = *found;
  } else {
    if (o.url.empty()) {
      std::fprintf(stderr, "shopwatch probe: give a URL, or -c FILE --check SHOP/CHECK\n");
      return kExitUsage;
    }
    auto flagged = checkFromFlags(o);
    if (!flagged) {
      std::fprintf(stderr, "shopwatch probe: %s\n", flagged.error().message.c_str());
      return kExitUsage;
    }
    check = std::move(flagged.value());
  }

  core::ProbeResult result = probes::probeOnce(check);
  if (o.json) {
    std::printf("%s\n", agent::status::probeResultJson(result, check.secrets, 2).c_str());
  } else {
    printProbeResult(check, result);
  }
  return result.success ? kExitOk : kExitFailed;
}

}  // namespace shopwatch::cli
