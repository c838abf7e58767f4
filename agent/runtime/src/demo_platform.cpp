// `shopwatch demo --platform NAME` ([B2]): the platform's fake where its recipes point by default,
// and an agent running the platform's first recipe every 30 s, so that a user sees a recipe pass
// (and fail, when a fault is switched on) before pointing it at a real shop.
#include "demo_platform.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "demo_recipes.h"
#include "entry_support.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/platforms/platform_fake.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/logging.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::detail {
namespace {

constexpr int kExitUsage = 2;
/// The demo runs the recipe more often than a real shop should see it.
constexpr core::Micros kDemoInterval = std::chrono::seconds{30};

std::string firstRecipe(std::string_view list) {
  std::string first(list.substr(0, list.find(',')));
  while (!first.empty() && first.back() == ' ') first.pop_back();
  return first;
}

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
}

/// The recipe as the demo agent runs it: every 30 s, its database in `dir`, its endpoint on
/// `listen`; the journey's own timeout stays unless it exceeds the demo's interval.
void adaptForDemo(AgentConfig& config, const DemoOptions& options, const std::string& database) {
  config.agent.listen = options.listen;
  config.agent.database = database;
  for (auto& check : config.checks) {
    auto copy = std::make_shared<core::Check>(*check);
    copy->schedule.interval = kDemoInterval;
    copy->schedule.timeout = std::min(copy->schedule.timeout, kDemoInterval);
    check = std::move(copy);
  }
}

}  // namespace

int runPlatformDemo(const DemoOptions& options) {
  const auto* platform = platforms::findPlatform(options.platform);
  if (platform == nullptr) {
    std::fprintf(stderr, "shopwatch demo: unknown platform \"%s\" (one of: %s)\n",
                 options.platform.c_str(), platforms::platformNames().c_str());
    return kExitUsage;
  }
  const sigset_t set = blockControlSignals();
  runtime::configureLogging("info");
  auto temp = TempDir::create("shopwatch-demo");
  if (!temp) return kExitFailed;

  auto fake = platforms::makePlatformFake(platform->name);
  const std::string default_listen = "127.0.0.1:" + std::to_string(platform->default_port);
  const std::string shop_listen = options.shop_listen.empty() ? default_listen : options.shop_listen;
  if (auto st = fake->start(shop_listen); !st) {
    spdlog::error("cannot start the {} fake: {}", platform->name, st.error().message);
    return kExitFailed;
  }
  const std::string recipe_file = firstRecipe(platform->recipes);
  std::string yaml(runtime::embeddedRecipe(recipe_file));
  if (yaml.empty()) {
    spdlog::error("this build has no embedded recipe {}", recipe_file);
    return kExitFailed;
  }
  // With --shop-listen elsewhere, the recipe follows the fake.
  replaceAll(yaml, "http://" + default_listen, fake->baseUrl());
  const std::string source = "examples/journeys/" + recipe_file;
  LoadResult loaded = loadConfigString(yaml, source);
  if (!loaded.ok()) {
    logConfigErrors(loaded);
    return kExitFailed;
  }
  adaptForDemo(*loaded.config, options, (temp->path() / "demo.db").string());
  runtime::AgentRuntime agent;
  if (auto st = agent.start(std::move(*loaded.config)); !st) {
    spdlog::error("cannot start the demo agent: {}", st.error().message);
    return kExitFailed;
  }
  const std::string agent_url = "http://" + agent.listenAddress();
  const std::string shop = fake->baseUrl();
  std::printf(
      "shopwatch demo --platform %s is running (Ctrl-C stops it).\n"
      "  fake shop:   %s  (%s, in memory)\n"
      "  try recipes: %s (examples/journeys/), e.g.\n"
      "               shopwatch probe -c %s --check demo/checkout\n"
      "  agent:       runs %s every 30 s; %s/metrics, %s/api/v1/checks\n"
      "  break it:    curl -X POST %s/__shopwatch/faults/NAME  (again to mend it; faults:\n",
      platform->name.data(), shop.c_str(), platform->title.data(), platform->recipes.data(),
      source.c_str(), source.c_str(), agent_url.c_str(), agent_url.c_str(), shop.c_str());
  for (const auto& fault : fake->faults()) {
    std::printf("               %-16s %s\n", fault.name.c_str(), fault.description.c_str());
  }
  std::printf("               )\n  database:    %s (removed at exit)\n",
              (temp->path() / "demo.db").c_str());
  std::fflush(stdout);
  const int code = waitForSignals(set, agent, [] {
    spdlog::info("received SIGHUP: the demo's config is built in, nothing to reload");
  });
  fake->stop();
  return code;
}

}  // namespace shopwatch::agent::detail
