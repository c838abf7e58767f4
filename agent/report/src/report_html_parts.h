#pragma once
/// The sections of reportHtml (report_html.cpp: document, summary, charts; report_html_details.cpp:
/// the detail tables). Internal to shopwatch_agent_report.

#include <string>

#include "shopwatch/agent/report/month_report.h"

namespace shopwatch::agent::report::html {

/// "November 2026" for "2026-11" (the text itself when it is not YYYY-MM).
std::string monthTitle(const std::string& month);
/// "acme" or "acme (staging)" when the env is not production.
std::string shopTitle(const ShopReport& shop);
/// The shop's downtime: the SLA figure, else the sum over its checks.
core::Micros shopDowntime(const ShopReport& shop);
/// `<section id="details">`: checks, incidents (ticket links), maintenance (who announced it),
/// slowest journey steps, worst days.
std::string detailsSection(const MonthReport& report);

}  // namespace shopwatch::agent::report::html
