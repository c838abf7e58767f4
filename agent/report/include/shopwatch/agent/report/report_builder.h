#pragma once
/// Builds a MonthReport from the agent's database: hourly rollups (figures, days, phases, steps),
/// the incident table (incidents, ticket keys) and maintenance (config windows + the API's audit).
/// Reads only: pass a store opened with SqliteResultStore::openReadOnly (its own connection, so a
/// report never holds the running agent's read lock).

#include <optional>
#include <string>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/agent/report/report_calendar.h"
#include "shopwatch/core/result.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::report {

struct ReportRequest {
  YearMonth month;
  std::optional<std::string> shop;  ///< only this shop (every env of it); empty: every shop
  core::SystemTime now{};           ///< generated_at; bounds open runs and open incidents
  /// Read the month's totals and its hourly pass at once, over a second read-only connection (the
  /// CLI: the machine is its own). The agent leaves it off: its reports stay on its two workers.
  bool parallel_reads = false;
};

/// The report of `request.month` in `config.agent.timezone` under `config.sla`. Shops: the
/// configured ones plus any with stored results in the month (a removed shop keeps its history);
/// checks likewise. Error (NotFound) when `request.shop` names no configured or stored shop.
core::Result<MonthReport> buildMonthReport(const AgentConfig& config, storage::SqliteResultStore& store,
                                           const ReportRequest& request);

/// Only `shop` (every env of it) of a report (a frozen copy asked for with --shop): its shops, the
/// maintenance that concerns it and its improvements.
MonthReport filterShop(MonthReport report, const std::string& shop);

}  // namespace shopwatch::agent::report
