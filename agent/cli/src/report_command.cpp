// `shopwatch report -c FILE --month YYYY-MM [--shop NAME] [--format text|json|csv|html|pdf] [-o FILE]
// [--freeze]`: the monthly SLA report ([E]) from the agent's database, read-only (safe while the agent
// runs); a frozen month renders from its stored copy. --freeze stores an ended month's report. A built
// report (and a frozen copy when it is made) carries what to improve next: the top performance findings
// ([F]) of the stored timings of the last 8 days, as `shopwatch insights` ranks them now.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "cli.h"
#include "command_config.h"
#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/agent/report/frozen_reports.h"
#include "shopwatch/agent/report/report_builder.h"
#include "shopwatch/agent/report/report_calendar.h"
#include "shopwatch/agent/report/report_formats.h"
#include "shopwatch/agent/runtime/report_improvements.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::cli {
namespace {

namespace report = agent::report;

int failed(const std::string& message) {
  std::fprintf(stderr, "shopwatch: %s\n", message.c_str());
  return kExitFailed;
}

int usage(const std::string& message) {
  std::fprintf(stderr, "shopwatch report: %s\nRun with --help for more information.\n", message.c_str());
  return kExitUsage;
}

/// The terms a month was frozen under: the `sla:` entries and the contract time zone.
std::string termsJson(const agent::AgentConfig& config) {
  nlohmann::ordered_json terms;
  terms["timezone"] = config.agent.timezone;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const auto& t : config.sla) {
    nlohmann::ordered_json e;
    e["shops"] = t.shops;
    e["target"] = t.target_text;
    e["target_ratio"] = t.target;
    e["checks"] = t.checks;
    e["maintenance"] = std::string(agent::slaMaintenanceName(t.maintenance));
    e["unmonitored"] = std::string(agent::slaUnmonitoredName(t.unmonitored));
    e["apdex_t_seconds"] = static_cast<double>(t.apdex_t.count()) / 1e6;
    entries.push_back(std::move(e));
  }
  terms["sla"] = std::move(entries);
  return terms.dump();
}

/// The frozen copy of `month`, if any (a database without the table has none).
core::Result<std::optional<report::FrozenReport>> readFrozen(storage::SqliteResultStore& store,
                                                             const std::string& month) {
  std::optional<report::FrozenReport> frozen;
  auto st = store.read([&](storage::Db& db) -> core::Status {
    auto loaded = report::loadFrozenReport(db, month);
    if (!loaded) {
      if (loaded.error().message.find("no such table") != std::string::npos) return {};
      return loaded.error();
    }
    frozen = std::move(*loaded);
    return {};
  });
  if (!st) return st.error();
  return frozen;
}

core::Result<report::MonthReport> fromFrozen(const report::FrozenReport& frozen) {
  auto parsed = report::reportFromJson(frozen.report_json);
  if (!parsed) {
    return core::makeError(parsed.error().code,
                           "the frozen copy of " + frozen.month + " is damaged: " + parsed.error().message);
  }
  parsed->frozen = true;
  parsed->frozen_at = frozen.frozen_at;
  return std::move(*parsed);
}

/// Stores the whole month's report; Invalid when the month is already frozen.
core::Status freeze(const agent::AgentConfig& config, const report::MonthReport& whole) {
  auto db = storage::Db::open(config.agent.database, false, 5000);
  if (!db) return db.error();
  if (auto st = (*db)->migrate({storage::resultsStorageComponent(), report::frozenReportsComponent()}); !st)
    return st.error();
  report::FrozenReport frozen{whole.month, *whole.frozen_at, termsJson(config), report::reportJson(whole)};
  return report::saveFrozenReport(**db, frozen);
}

/// What to improve next, now: the ranked findings of `shop`'s checks ("" every shop) over the same
/// read-only store. What the analysis could not look at only shortens the list.
std::vector<report::ReportImprovement> improvementsNow(storage::SqliteResultStore& store,
                                                       const agent::AgentConfig& config,
                                                       const std::string& shop, core::SystemTime now) {
  const auto insights =
      agent::insights::buildInsightsReport(&store, config, config.insights, agent::insights::InsightsScope{shop}, now);
  return agent::runtime::reportImprovements(insights.findings, agent::runtime::kReportImprovements, shop);
}

core::Status renderPdfAtomically(const report::MonthReport& r, const std::filesystem::path& path) {
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid()) + ".pdf";
  auto st = report::renderPdf(report::reportHtml(r), tmp);
  std::error_code ec;
  if (!st) {
    std::filesystem::remove(tmp, ec);
    return st;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return core::makeError(core::ErrorCode::Io, "cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

int output(const ReportOptions& options, const report::MonthReport& r) {
  if (options.format == "pdf") {
    if (auto st = renderPdfAtomically(r, options.output); !st) return failed(st.error().message);
    return kExitOk;
  }
  std::string text;
  if (options.format == "json") text = report::reportJson(r);
  else if (options.format == "csv") text = report::reportCsv(r);
  else if (options.format == "html") text = report::reportHtml(r);
  else text = report::reportText(r);
  if (options.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
  }
  if (auto st = writeAtomically(options.output, text); !st) return failed(st.error().message);
  return kExitOk;
}

}  // namespace

int reportCommand(const ReportOptions& options) {
  if (options.format == "pdf" && options.output.empty())
    return usage("--format pdf: needs -o FILE (a PDF is not written to the terminal)");
  if (options.freeze && !options.shop.empty())
    return usage("--freeze: freezes the whole month (every shop), not with --shop");
  auto config = loadCommandConfig(options.config);
  if (!config) return kExitFailed;
  auto month = report::parseMonth(options.month);
  if (!month) return usage("--month: " + month.error().message);
  const std::string& database = config->agent.database;
  std::error_code ec;
  if (!std::filesystem::exists(database, ec))
    return failed("no database at " + database + " (agent.database): has the agent run?");
  const core::SystemTime now = core::SystemClock::instance().now();
  const std::string tz = config->agent.timezone;

  auto store = storage::SqliteResultStore::openReadOnly(database);
  if (!store) return failed("cannot open " + database + ": " + store.error().message);
  auto frozen = readFrozen(**store, month->str());
  if (!frozen) return failed("cannot read " + database + ": " + frozen.error().message);

  if (options.freeze) {
    auto span = report::monthInZone(*month, tz);
    if (!span) return failed(span.error().message);
    if (now < span->second) {
      return failed("month " + month->str() + " has not ended (in " + tz + " it ends " +
                    report::localTimeText(span->second, tz) + "): only a past month can be frozen");
    }
    if (*frozen) {
      // Worded as saveFrozenReport words it (µs shown when the instant has them).
      const core::SystemTime at = (*frozen)->frozen_at;
      return failed("month " + month->str() + " is already frozen (at " +
                    core::formatRfc3339(at, core::toMicros(at) % 1000000 != 0) + ")");
    }
    auto built = report::buildMonthReport(*config, **store, {*month, std::nullopt, now, true});
    if (!built) return failed(built.error().message);
    built->improvements = improvementsNow(**store, *config, "", now);  // kept with the frozen copy
    built->frozen = true;
    built->frozen_at = now;
    store->reset();  // the read connection is not needed while the copy is written
    if (auto st = freeze(*config, *built); !st) return failed(st.error().message);
    std::fprintf(stderr, "shopwatch: froze %s in %s\n", month->str().c_str(), database.c_str());
    return output(options, *built);
  }

  report::MonthReport r;
  if (*frozen) {
    auto parsed = fromFrozen(**frozen);
    if (!parsed) return failed(parsed.error().message);
    r = std::move(*parsed);
    if (!options.shop.empty()) {
      r = report::filterShop(std::move(r), options.shop);
      if (r.shops.empty())
        return failed("no shop \"" + options.shop + "\" in the frozen report of " + month->str());
    }
  } else {
    std::optional<std::string> shop;
    if (!options.shop.empty()) shop = options.shop;
    auto built = report::buildMonthReport(*config, **store, {*month, shop, now, true});
    if (!built) return failed(built.error().message);
    r = std::move(*built);
    r.improvements = improvementsNow(**store, *config, options.shop, now);
  }
  return output(options, r);
}

}  // namespace shopwatch::cli
