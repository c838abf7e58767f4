#pragma once
// Internal pieces of buildMonthReport (report_builder.cpp): SLA policy arithmetic and the rollup
// pass (report_figures.cpp), incidents and maintenance from the database (report_inputs.cpp).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/agent/report/report_calendar.h"
#include "shopwatch/core/result.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::report::detail {

/// How a shop's times become availability: its SLA entry's policies, or exclude/exclude without
/// one.
struct Policy {
  const SlaTerms* terms = nullptr;  ///< nullptr: the shop has no `sla:` entry
  SlaMaintenance maintenance = SlaMaintenance::Exclude;
  SlaUnmonitored unmonitored = SlaUnmonitored::Exclude;
  core::Micros apdex_t{500000};
};

/// The SLA entry covering `shop` (first match), as a Policy.
Policy policyFor(const AgentConfig& config, const std::string& shop);

/// Stored times of a check (or a sum of checks), before any policy.
struct Times {
  core::Micros covered{0}, maintenance{0}, downtime{0}, unmonitored{0};
  Times& operator+=(const Times& o);
};

/// Times under a policy.
struct Counted {
  std::optional<double> availability;  ///< empty when the denominator is 0
  core::Micros downtime{0};            ///< as counted: + maintenance under count_as_downtime
  std::optional<double>
      error_budget_used;  ///< empty without SLA terms, coverage or budget (target 1)
};

/// availability = (covered − maintenance − downtime) / (covered − maintenance), where
/// count_as_downtime moves maintenance into downtime, unmonitored `up` adds it to covered and
/// `down` to covered and downtime. error_budget_used = counted downtime (with unmonitored under
/// `down`) /
/// ((1 − target) × denominator).
Counted countTimes(const Times& t, const Policy& policy);

/// What the rollup pass yields for one check series (step "").
struct RollupFigures {
  std::vector<DayFigures> days;  ///< every day of the month (zeros where no rollup)
  PhaseBreakdown phases;
  std::int64_t apdex_samples = 0;
  double apdex_score = 0;  ///< satisfied + tolerating / 2
};

/// One scanRollups pass over [days.front().from, days.back().to): per check series, its days (hour
/// → the local day holding its start), phases and Apdex counts, each under its shop's policy.
core::Result<std::map<storage::SeriesKey, RollupFigures>> scanMonthRollups(
    const AgentConfig& config, storage::SqliteResultStore& store,
    const std::vector<LocalDay>& days);

/// Incidents of every check overlapping [from, to), keyed by the check (step incidents under their
/// journey), by start; MTTR is computed by the caller. No incident table: none.
core::Result<std::map<core::CheckKey, std::vector<ReportIncident>>> loadMonthIncidents(
    storage::SqliteResultStore& store, core::SystemTime from, core::SystemTime to,
    core::SystemTime now);

/// Config windows (announced_by "config") and API windows overlapping [from, to), by start. With
/// `shop`, only the windows that cover it (or every shop).
core::Result<std::vector<ReportMaintenance>> loadMonthMaintenance(
    const AgentConfig& config, storage::SqliteResultStore& store, core::SystemTime from,
    core::SystemTime to, const std::optional<std::string>& shop);

}  // namespace shopwatch::agent::report::detail
