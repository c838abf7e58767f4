#pragma once
/// The monthly report's "what to improve next" ([F] into [E]): ranked insights findings as the
/// report's own ReportImprovement (agent/report never includes agent/insights). The one converter
/// `shopwatch report` (agent/cli) and GET /api/v1/report (ReportService) use.

#include <cstddef>
#include <string>
#include <vector>

#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/report/month_report.h"

namespace shopwatch::agent::runtime {

/// How many findings a report keeps.
inline constexpr std::size_t kReportImprovements = 10;

/// The first `limit` of `findings` (ranked: most important first) whose shop is `shop` ("": every
/// shop), in their order.
std::vector<report::ReportImprovement> reportImprovements(const std::vector<insights::Finding>& findings,
                                                          std::size_t limit = kReportImprovements,
                                                          const std::string& shop = "");

}  // namespace shopwatch::agent::runtime
