#pragma once
/// Inline SVG charts of the HTML report and the status page: plain <svg> elements (no script, no
/// external references), each with class "chart chart-<kind>", role="img", an aria-label and a
/// <title>, scaled by its viewBox (width 100 %) so it fits a phone. Internal to
/// shopwatch_agent_report.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/agent/report/status_page.h"

namespace shopwatch::agent::report::html {

/// Daily availability bars of one check (class chart-daily-availability): green at or above
/// `target` (100 % without one), red below, grey where nothing was covered; a dashed target line.
std::string dailyAvailabilityChart(const CheckReport& check, std::optional<double> target,
                                   std::string_view label);

/// p50 / p95 / p99 per day as three lines (class chart-latency-percentiles); gaps where a day had
/// no passing runs.
std::string latencyPercentilesChart(const CheckReport& check, std::string_view label);

/// One row of the phase breakdown chart.
struct PhaseRow {
  std::string name;
  const PhaseBreakdown* phases = nullptr;
};
/// Mean resolve / connect / tls / processing / transfer per check as stacked horizontal bars
/// (class chart-phase-breakdown).
std::string phaseBreakdownChart(const std::vector<PhaseRow>& rows, std::string_view label);

/// One row of the incident timeline.
struct TimelineRow {
  std::string name;
  const std::vector<ReportIncident>* incidents = nullptr;
};
/// The month [from, to) as an axis (day ticks in `zone`), one row per check, a bar per incident
/// (open incidents run to `open_until`), coloured by severity (class chart-incident-timeline).
std::string incidentTimelineChart(core::SystemTime from, core::SystemTime to,
                                  core::SystemTime open_until, const std::vector<TimelineRow>& rows,
                                  const std::string& zone, std::string_view label);

/// 24 hourly availability cells, oldest first (class chart-24h-availability).
std::string hourlyAvailabilityStrip(const std::vector<StatusHour>& hours, const std::string& zone,
                                    std::string_view label);
/// The hourly p95 as a small line (class chart-24h-p95).
std::string p95Sparkline(const std::vector<StatusHour>& hours, std::string_view label);

}  // namespace shopwatch::agent::report::html
