#pragma once
/// The "What to improve next" part of the report's text and HTML (MonthReport::improvements).
/// Internal to shopwatch_agent_report; written as agent/insights writes its own list (priority,
/// finding, target, summary, "saves ~…").

#include <string>
#include <vector>

#include "shopwatch/agent/report/month_report.h"

namespace shopwatch::agent::report::detail {

/// `shop/check[/step]`, with " (env)" when the env is not production.
std::string improvementTarget(const ReportImprovement& i);
/// "700 ms" / "1.24 s", then ", 290 KiB" when there is a byte saving.
std::string improvementSaving(const ReportImprovement& i);

/// "What to improve next:" and one numbered line per improvement; "" when there are none.
std::string improvementsText(const std::vector<ReportImprovement>& improvements);
/// `<section id="improve" class="improve">` with a numbered list; "" when there are none.
std::string improvementsHtml(const std::vector<ReportImprovement>& improvements);

}  // namespace shopwatch::agent::report::detail
