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
/// "improvements": [{"shop", "env", "check", "step", "finding", "priority", "summary",
/// "saving_seconds", "saving_bytes"}], always written (possibly empty), most important first.
std::string reportJson(const MonthReport& report);
/// Parses reportJson's output back (a frozen copy). Invalid with the reason when it is not one; a
/// document without "improvements" (written before they existed) has none.
core::Result<MonthReport> reportFromJson(std::string_view json);
/// One row per check with a header row (RFC 4180 quoting).
std::string reportCsv(const MonthReport& report);
/// Plain text for a terminal or an e-mail (a "What to improve next" block when there are improvements).
std::string reportText(const MonthReport& report);
/// One self-contained HTML file: no network requests, inline CSS and SVG charts; a "What to improve
/// next" section when there are improvements.
std::string reportHtml(const MonthReport& report);

/// Prints `html` to `pdf` with headless Chromium (`chromium --headless --print-to-pdf`, a fresh
/// profile in a temporary directory, no network). Error (Unavailable) when Chromium is missing or
/// fails, naming what was run.
core::Status renderPdf(const std::string& html, const std::filesystem::path& pdf);

}  // namespace shopwatch::agent::report
