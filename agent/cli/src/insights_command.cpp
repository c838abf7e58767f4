// `shopwatch insights -c FILE [--shop NAME] [--format text|json|html] [-o FILE]`: the ranked
// performance findings ([F]) from the agent's database (read-only, safe while the agent runs) and,
// when the config has an `insights:` section with audits on and no --no-audit, the response audits
// of its pages (fetched now, on a private engine).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "atomic_file.h"
#include "cli.h"
#include "command_config.h"
#include "shopwatch/agent/insights/check_audits.h"
#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/agent/insights/insights_priority.h"
#include "shopwatch/agent/insights/insights_formats.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::cli {
namespace {

namespace insights = agent::insights;

int failed(const std::string& message) {
  std::fprintf(stderr, "shopwatch: %s\n", message.c_str());
  return kExitFailed;
}

bool hasShop(const agent::AgentConfig& config, const std::string& shop) {
  for (const auto& s : config.shops)
    if (s.name == shop) return true;
  return false;
}

}  // namespace

int insightsCommand(const InsightsOptions& options) {
  auto config = loadCommandConfig(options.config);
  if (!config) return kExitFailed;
  if (!options.shop.empty() && !hasShop(*config, options.shop))
    return failed("--shop " + options.shop + ": no such shop in " + options.config);
  const insights::InsightsScope scope{options.shop};
  const core::SystemTime now = core::SystemClock::instance().now();

  std::unique_ptr<storage::SqliteResultStore> store;
  std::string store_warning;
  const std::string& database = config->agent.database;
  std::error_code ec;
  if (std::filesystem::exists(database, ec)) {
    auto opened = storage::SqliteResultStore::openReadOnly(database);
    if (opened) store = std::move(*opened);
    else store_warning = "cannot open " + database + ": " + opened.error().message;
  }
  auto report = insights::buildInsightsReport(store.get(), *config, config->insights, scope, now);
  if (!options.no_audit && config->insights.line > 0 && config->insights.audit_interval.count() > 0) {
    probes::HttpProbeEngine engine;
    auto audits = insights::auditChecks(engine, *config, scope);
    report.findings.insert(report.findings.end(), audits.begin(), audits.end());
    insights::rankFindings(report.findings, config->insights);
  }
  if (!store_warning.empty()) report.warnings.insert(report.warnings.begin(), store_warning);

  std::string text;
  if (options.format == "json") text = insights::insightsJson(report);
  else if (options.format == "html") text = insights::insightsHtml(report);
  else text = insights::insightsText(report);
  if (options.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
  }
  if (auto st = writeAtomically(options.output, text); !st) return failed(st.error().message);
  return kExitOk;
}

}  // namespace shopwatch::cli
