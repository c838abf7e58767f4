#include "shopwatch/agent/runtime/entry.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/agent/runtime/demo_shop.h"
#include "shopwatch/agent/runtime/logging.h"

namespace shopwatch::agent {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;

/// Blocks the signals we wait for in this thread; threads created afterwards inherit the mask, so
/// only sigwait() ever sees them.
sigset_t blockControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Waits for SIGTERM/SIGINT (stop, returns 0) and SIGHUP (`on_hup`).
int waitForSignals(const sigset_t& set, runtime::AgentRuntime& agent,
                   const std::function<void()>& on_hup) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      on_hup();
      continue;
    }
    spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    agent.stop();
    return kExitOk;
  }
}

void logConfigErrors(const LoadResult& loaded) {
  for (const auto& error : loaded.errors) spdlog::error("{}", error.format());
}

}  // namespace

int runAgent(const std::string& config_path) {
  const sigset_t set = blockControlSignals();
  runtime::configureLogging("info");
  LoadResult loaded = loadConfigFile(config_path);
  if (!loaded.ok()) {
    logConfigErrors(loaded);
    spdlog::error("{}: invalid config, not starting", config_path);
    return kExitFailed;
  }
  for (const auto& warning : loaded.warnings) spdlog::warn("{}", warning.formatWarning());
  runtime::AgentRuntime agent;
  if (auto st = agent.start(std::move(*loaded.config)); !st) {
    spdlog::error("cannot start: {}", st.error().message);
    return kExitFailed;
  }
  return waitForSignals(set, agent, [&] {
    spdlog::info("received SIGHUP, reloading {}", config_path);
    (void)agent.reloadFile(config_path);  // failures are logged and shown by the reload gauge
  });
}

int runDemo(const std::string& listen) {
  const sigset_t set = blockControlSignals();
  runtime::configureLogging("info");

  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string dir_template = (tmp / "shopwatch-demo-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    spdlog::error("cannot create a temporary directory in {}", tmp.string());
    return kExitFailed;
  }
  const std::filesystem::path dir = dir_template;
  struct RemoveDir {
    std::filesystem::path path;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } remove_dir{dir};

  runtime::DemoShop shop;
  if (auto st = shop.start(); !st) {
    spdlog::error("cannot start the demo shop: {}", st.error().message);
    return kExitFailed;
  }
  runtime::DemoBacklogOptions backlog_options;
  backlog_options.token = runtime::demoApiToken();
  runtime::DemoBacklog backlog(backlog_options);
  if (auto st = backlog.start(); !st) {
    spdlog::error("cannot start the demo backlog: {}", st.error().message);
    return kExitFailed;
  }
  const std::string yaml =
      runtime::demoConfigYaml(shop.baseUrl(), listen, (dir / "demo.db").string(), backlog.baseUrl());
  LoadOptions options;
  options.require_client = false;
  LoadResult loaded = loadConfigString(yaml, "<demo>", options);
  if (!loaded.ok()) {
    logConfigErrors(loaded);
    return kExitFailed;
  }
  runtime::RuntimeOptions runtime_options;
  runtime_options.require_client = false;
  runtime::AgentRuntime agent(runtime_options);
  if (auto st = agent.start(std::move(*loaded.config)); !st) {
    spdlog::error("cannot start the demo agent: {}", st.error().message);
    return kExitFailed;
  }
  const std::string agent_url = "http://" + agent.listenAddress();
  std::printf(
      "shopwatch demo is running (Ctrl-C stops it).\n"
      "  demo shop:   %s/\n"
      "  break it:    %s/toggle  (flips /checkout to 503 and back;\n"
      "               the checkout journey then fails at its checkout step)\n"
      "  metrics:     %s/metrics\n"
      "  checks API:  %s/api/v1/checks\n"
      "  alerts API:  %s/api/v1/alerts  (pending, then firing within a minute of breaking it)\n"
      "  backlog:     %s/  (a demo Jira: the firing alert files an issue there, recovery resolves it)\n"
      "  maintenance: curl -X POST -H 'Authorization: Bearer %s' -d '{\"shops\":[\"demo\"],"
      "\"duration\":\"10m\",\"reason\":\"deploy\"}' %s/api/v1/maintenance\n"
      "  database:    %s (removed at exit)\n",
      shop.baseUrl().c_str(), shop.baseUrl().c_str(), agent_url.c_str(), agent_url.c_str(),
      agent_url.c_str(), backlog.baseUrl().c_str(), runtime::demoApiToken().c_str(), agent_url.c_str(),
      (dir / "demo.db").c_str());
  std::fflush(stdout);
  const int code = waitForSignals(set, agent, [] {
    spdlog::info("received SIGHUP: the demo's config is built in, nothing to reload");
  });
  shop.stop();
  backlog.stop();
  return code;
}

}  // namespace shopwatch::agent
