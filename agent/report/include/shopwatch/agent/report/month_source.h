#pragma once
/// The month's report as every user-facing path gets it (`shopwatch report`, GET /api/v1/report):
/// the frozen copy when the month was frozen (`--freeze`), else built from the rollups.

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/agent/report/report_builder.h"
#include "shopwatch/core/result.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::report {

/// The frozen copy of `request.month` (frozen = true, filtered to `request.shop`) when there is one —
/// a database without the frozen-reports table has none — else buildMonthReport(config, store, request).
core::Result<MonthReport> monthReport(const AgentConfig& config, storage::SqliteResultStore& store,
                                      const ReportRequest& request);

}  // namespace shopwatch::agent::report
