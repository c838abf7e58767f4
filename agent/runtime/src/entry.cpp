#include "shopwatch/agent/runtime/entry.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <spdlog/spdlog.h>

#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/agent/runtime/demo_shop.h"
#include "shopwatch/agent/runtime/logging.h"
#include "entry_support.h"
#include "service_notifier.h"
#include "shopwatch/agent/platforms/platform_fake.h"
#include "demo_platform.h"

namespace shopwatch::agent {

using detail::blockControlSignals;
using detail::kExitFailed;
using detail::kExitOk;
using detail::logConfigErrors;
using detail::waitForSignals;

namespace {
/// systemd's STATUS= line (`systemctl status`) for a running agent.
std::string runningStatus(const runtime::AgentRuntime& agent, std::string_view prefix = {}) {
  return std::string(prefix) + "probing " + std::to_string(agent.config()->checks.size()) +
         " checks, endpoint " + (agent.config()->web.tls ? "https://" : "http://") +
         agent.listenAddress() + "/metrics";
}
}  // namespace

/// "YYYY-MM" of now in UTC (the demo's contract time zone).
static std::string currentMonthText() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}

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
  // Logged before the database opens, so a slow start (a busy disk) shows where it waits.
  spdlog::info("starting: {} ({} checks), database {}", config_path, loaded.config->checks.size(),
               loaded.config->agent.database);
  runtime::AgentRuntime agent;
  // sd_notify: no-ops unless systemd started us (Type=notify). Declared after `agent`, so its
  // watchdog thread (which reads agent's scheduler stats) ends first.
  runtime::ServiceNotifier notifier;
  if (auto st = agent.start(std::move(*loaded.config)); !st) {
    spdlog::error("cannot start: {}", st.error().message);
    notifier.status("cannot start: " + st.error().message);
    return kExitFailed;
  }
  // start() has restored state and windows and bound the endpoint: ready.
  notifier.ready(runningStatus(agent));
  notifier.startWatchdog([&agent] { return agent.schedulerStats().polls; });
  return waitForSignals(
      set, agent,
      [&] {
        notifier.reloading();
        spdlog::info("received SIGHUP, reloading {}", config_path);
        // Failures are logged and shown by the reload gauge; the running config stays.
        const bool ok = agent.reloadFile(config_path).ok();
        notifier.ready(runningStatus(agent, ok ? "" : "last reload failed, "));
      },
      [&] { notifier.stopping(); });
}

int runDemo(const DemoOptions& demo) {
  if (!demo.platform.empty()) return detail::runPlatformDemo(demo);
  const std::string& listen = demo.listen;
  const sigset_t set = blockControlSignals();
  runtime::configureLogging("info");
  auto temp = detail::TempDir::create("shopwatch-demo");
  if (!temp) return kExitFailed;
  const std::filesystem::path dir = temp->path();

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
      "  status page: %s/  (open this first: every check, the last 24 h, incidents)\n"
      "  SLA report:  %s/api/v1/report?month=%s  (also: shopwatch report -c FILE --month ...)\n"
      "  demo shop:   %s/\n"
      "  break it:    %s/toggle  (flips /checkout to 503 and back;\n"
      "               the checkout journey then fails at its checkout step)\n"
      "  metrics:     %s/metrics\n"
      "  checks API:  %s/api/v1/checks\n"
      "  alerts API:  %s/api/v1/alerts  (pending, then firing within a minute of breaking it)\n"
      "  backlog:     %s/  (a demo Jira: the firing alert files an issue there, recovery resolves it)\n"
      "  maintenance: curl -X POST -H 'Authorization: Bearer %s' -d '{\"shops\":[\"demo\"],"
      "\"duration\":\"10m\",\"reason\":\"deploy\"}' %s/api/v1/maintenance\n"
      "  database:    %s (removed at exit)\n"
      "  recipes:     shopwatch demo --platform NAME serves a fake shop for the journey recipes in\n"
      "               examples/journeys/ (NAME: %s)\n",
      agent_url.c_str(), agent_url.c_str(), currentMonthText().c_str(),
      shop.baseUrl().c_str(), shop.baseUrl().c_str(), agent_url.c_str(), agent_url.c_str(),
      agent_url.c_str(), backlog.baseUrl().c_str(), runtime::demoApiToken().c_str(), agent_url.c_str(),
      (dir / "demo.db").c_str(), platforms::platformNames().c_str());
  std::fflush(stdout);
  const int code = waitForSignals(set, agent, [] {
    spdlog::info("received SIGHUP: the demo's config is built in, nothing to reload");
  });
  shop.stop();
  backlog.stop();
  return code;
}

}  // namespace shopwatch::agent
