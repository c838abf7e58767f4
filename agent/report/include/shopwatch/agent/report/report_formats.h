#pragma once
/// The formats of `shopwatch report --format text|json|csv|html|pdf`. All render a MonthReport.

#include <filesystem>
#include <string>
#include <string_view>

#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::report {

/// The JSON document (the keys plus days, phases, steps, maintenance, …); times RFC 3339 UTC,
/// durations in seconds, availability in percent (4 decimals kept exactly: value rounded to 1e-6).
std::string reportJson(const MonthReport& report);
/// Parses reportJson's output back (a frozen copy). Invalid with the reason when it is not one.
core::Result<MonthReport> reportFromJson(std::string_view json);
/// One row per check with a header row (RFC 4180 quoting).
std::string reportCsv(const MonthReport& report);
/// Plain text for a terminal or an e-mail.
std::string reportText(const MonthReport& report);
/// One self-contained HTML file: no network requests, inline CSS and SVG charts.
std::string reportHtml(const MonthReport& report);

/// Prints `html` to `pdf` with headless Chromium (`chromium --headless --print-to-pdf`, a fresh
/// profile in a temporary directory, no network). Error (Unavailable) when Chromium is missing or
/// fails, naming what was run.
core::Status renderPdf(const std::string& html, const std::filesystem::path& pdf);

}  // namespace shopwatch::agent::report
