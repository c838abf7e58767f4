#include <cstdio>
#include <string>

#include "cli.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/backlog_summary.h"
#include "shopwatch/agent/config/config_reference.h"
#include "shopwatch/agent/config/insights_summary.h"
#include "shopwatch/agent/config/rules_summary.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

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
    if (auto parent = config.depends_on.find(check->key); parent != config.depends_on.end())
      std::printf("  %-17s %s (set)\n", "depends_on", parent->second.path().c_str());
    printJourneySteps(config, *check);
  }
}

// Rules, SLOs, maintenance windows and canaries, each one line plus one line per target:
//   home-slow  p95 > 800ms  window 15m  warning
//     acme/home (production)  for 5m  clear_for 10m (default)
void printRules(const agent::AgentConfig& config) {
  const auto rules = agent::ruleSummaries(config);
  if (!rules.empty()) std::printf("\nrules:\n");
  for (const auto& rule : rules) {
    std::printf("  %s  %s  window %s  %s\n", rule.name.c_str(), rule.expr.c_str(),
                rule.window.c_str(), rule.severity.c_str());
    for (const auto& t : rule.targets) {
      std::printf("    %s  for %s%s  clear_for %s%s\n", t.target.c_str(), t.for_duration.c_str(),
                  t.for_set ? "" : " (default)", t.clear_for.c_str(),
                  t.clear_for_set ? "" : " (default)");
    }
  }
  const auto slos = agent::sloSummaries(config);
  if (!slos.empty()) std::printf("\nslos:\n");
  for (const auto& slo : slos) {
    std::printf("  %s  objective %s over %s  budget %s%s%s\n", slo.name.c_str(),
                slo.objective.c_str(), slo.period.c_str(), slo.budget.c_str(),
                slo.latency.empty() ? "" : "  latency threshold ", slo.latency.c_str());
    for (const auto& target : slo.targets) std::printf("    %s\n", target.c_str());
  }
  const auto windows = agent::maintenanceSummaries(config, core::SystemClock::instance().now());
  if (!windows.empty()) std::printf("\nmaintenance:\n");
  for (const auto& w : windows) {
    std::printf("  %s  %s  %s  for %s  next %s%s%s\n", w.name.c_str(), w.shops.c_str(),
                w.schedule.c_str(), w.duration.c_str(), w.next.c_str(),
                w.reason.empty() ? "" : "  reason: ", w.reason.c_str());
  }
  if (!config.canaries.empty())
    std::printf("\ncanaries (every 30s; when all fail, alerts are suppressed):\n");
  for (const auto& canary : config.canaries) {
    if (const core::HttpProbe* http = canary->http())
      std::printf("  %s  %s\n", canary->key.check.c_str(), http->request.url.c_str());
  }
}

// Where incidents go: one line per sink and per rule with its own notify (never a secret).
void printBacklog(const agent::AgentConfig& config) {
  const auto lines = agent::backlogSummary(config);
  if (!lines.empty()) std::printf("\nbacklog:\n");
  for (const auto& line : lines) std::printf("  %s\n", line.c_str());
}

// The SLA terms monthly reports measure against, one line per entry plus its checks:
//   acme  target 99.9%  maintenance exclude  unmonitored exclude  apdex T 500ms  (timezone Europe/Vienna)
//     acme/home, acme/checkout
void printSla(const agent::AgentConfig& config) {
  if (config.sla.empty()) return;
  std::printf("\nsla (calendar months in %s):\n", config.agent.timezone.c_str());
  for (const auto& terms : config.sla) {
    std::string shops;
    for (const auto& shop : terms.shops) shops += (shops.empty() ? "" : ", ") + shop;
    const auto maintenance = agent::slaMaintenanceName(terms.maintenance);
    const auto unmonitored = agent::slaUnmonitoredName(terms.unmonitored);
    std::printf("  %s  target %s  maintenance %.*s  unmonitored %.*s  apdex T %s\n", shops.c_str(),
                terms.target_text.c_str(), static_cast<int>(maintenance.size()), maintenance.data(),
                static_cast<int>(unmonitored.size()), unmonitored.data(),
                core::formatDuration(terms.apdex_t).c_str());
    std::string checks;
    for (const auto& check : terms.checks) checks += (checks.empty() ? "" : ", ") + check;
    std::printf("    %s\n", checks.empty() ? "every check of these shops" : checks.c_str());
  }
}

// The `insights:` settings ([F]) when the section is written: hosts, audits, filing, weights.
void printInsights(const agent::AgentConfig& config) {
  const auto lines = agent::insightsSummary(config);
  if (!lines.empty()) std::printf("\ninsights:\n");
  for (const auto& line : lines) std::printf("  %s\n", line.c_str());
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
  if (verbose) {
    printEffectiveValues(config);
    printRules(config);
    printBacklog(config);
    printSla(config);
    printInsights(config);
  }
  return kExitOk;
}

}  // namespace shopwatch::cli
