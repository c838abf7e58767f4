#pragma once
/// The monthly SLA report ([E]) as data: what `shopwatch report`, `GET /api/v1/report` and the frozen
/// copy hold. Every format (text, JSON, CSV, HTML, PDF) renders this one model; the JSON form
/// round-trips (a frozen month is stored as JSON and rendered again from it).
///
/// Figures follow DESIGN.md "Accounting": covered / maintenance / downtime / unmonitored time from the
/// hourly rollups, availability = (covered − maintenance − downtime) / (covered − maintenance) with the
/// SLA's unmonitored and maintenance policies, latency KPIs over passing runs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::report {

/// One incident of a check that overlaps the month (from the backlog's incident table).
struct ReportIncident {
  std::string rule;
  std::string severity;                   ///< info | warning | critical
  core::SystemTime start{};               ///< opened_at (UTC)
  std::optional<core::SystemTime> end;    ///< resolved_at; empty while open
  core::Micros duration{0};               ///< end (or generated_at while open) − start
  std::string ticket;                     ///< first ticket key ("" when none was filed)
  std::string ticket_url;                 ///< that ticket's URL ("" when none)
};

/// One calendar day of the contract time zone.
struct DayFigures {
  std::string date;                        ///< "YYYY-MM-DD" (contract time zone)
  std::optional<double> availability;      ///< ratio in [0, 1]; empty when nothing was covered
  core::Micros downtime{0};
  core::Micros maintenance{0};
  core::Micros unmonitored{0};
  std::int64_t runs = 0;
  std::int64_t failed_runs = 0;
  std::optional<core::Micros> p50, p95, p99;  ///< passing runs of the day
};

/// Mean time per phase over the month's latency samples (resolve, connect, tls, processing,
/// transfer), µs. Empty when there were no samples.
struct PhaseBreakdown {
  std::int64_t samples = 0;
  core::Micros resolve{0}, connect{0}, tls{0}, processing{0}, transfer{0};
};

/// A journey step's month.
struct StepFigures {
  std::string step;
  std::int64_t runs = 0;
  std::int64_t failed_runs = 0;
  std::optional<core::Micros> p50, p95;
};

struct CheckReport {
  std::string check;                 ///< check name (shop and env are the ShopReport's)
  bool journey = false;              ///< a journey (it has steps)
  bool in_sla = false;               ///< counted in its shop's SLA figure
  std::optional<double> availability;  ///< ratio in [0, 1] under the shop's SLA policies
  core::Micros covered{0};
  core::Micros downtime{0};          ///< as counted (maintenance counted as downtime included)
  core::Micros maintenance{0};
  core::Micros unmonitored{0};
  std::int64_t runs = 0;
  std::int64_t failed_runs = 0;
  std::optional<core::Micros> p50, p95, p99;
  std::optional<double> apdex;       ///< over passing runs with the shop's apdex_t; empty without samples
  /// Share of the error budget used: downtime / ((1 − target) × (covered − maintenance)), ratio
  /// (1.0 = all of it). Empty without SLA terms or coverage.
  std::optional<double> error_budget_used;
  std::vector<ReportIncident> incidents;  ///< by start
  std::optional<core::Micros> mttr;       ///< mean duration of the resolved incidents
  std::vector<DayFigures> days;           ///< every day of the month, in order
  PhaseBreakdown phases;
  std::vector<StepFigures> steps;         ///< journeys: slowest first (by p95)
};

/// The SLA figure of a shop: over its `checks` (time-weighted: the sums of their times).
struct SlaSummary {
  double target = 0;                  ///< ratio
  std::string target_text;            ///< as written ("99.9%")
  std::string maintenance_policy;     ///< "exclude" | "count_as_downtime"
  std::string unmonitored_policy;     ///< "exclude" | "up" | "down"
  std::vector<std::string> checks;    ///< `shop/check` names counted
  std::optional<double> availability; ///< ratio
  std::optional<bool> met;            ///< availability ≥ target; empty without coverage
  core::Micros downtime{0};
  core::Micros maintenance{0};
  core::Micros unmonitored{0};
  std::optional<double> error_budget_used;  ///< ratio
  core::Micros apdex_t{500000};
};

/// A maintenance occurrence overlapping the month, and who announced it.
struct ReportMaintenance {
  std::string name;                    ///< config window name, or "api-<id>"
  std::vector<std::string> shops;      ///< empty: every shop
  core::SystemTime start{}, end{};
  std::string reason;
  std::string announced_by;            ///< "config" for a config window; the API actor otherwise
};

struct ShopReport {
  std::string shop;
  std::string env;
  std::optional<SlaSummary> sla;       ///< empty: no `sla:` entry covers the shop
  std::vector<CheckReport> checks;     ///< by name
  std::vector<std::string> worst_days; ///< up to 3 dates with the most downtime (some downtime only)
};

/// One "what to improve next" entry: a ranked performance finding ([F]) as the report keeps it. The
/// report's own copy (agent/report does not depend on agent/insights): agent/runtime's
/// reportImprovements() converts the findings.
struct ReportImprovement {
  std::string shop, env, check;
  std::string step;                    ///< journey step; "" for the check itself
  std::string finding;                 ///< the finding id ("slow-ttfb", "no-compression", …)
  std::string priority;                ///< info | warning | critical
  std::string summary;                 ///< one sentence in plain words
  double saving_seconds = 0;           ///< estimated saving per page view / run
  std::uint64_t saving_bytes = 0;
};

struct MonthReport {
  std::string month;                   ///< "YYYY-MM"
  std::string timezone;                ///< contract time zone (IANA)
  std::string client;                  ///< agent.client
  core::SystemTime from{}, to{};       ///< the month in UTC: [from, to)
  core::SystemTime generated_at{};
  bool frozen = false;                 ///< rendered from the stored frozen copy
  std::optional<core::SystemTime> frozen_at;
  std::vector<ShopReport> shops;       ///< by shop, then env
  std::vector<ReportMaintenance> maintenance;  ///< by start
  /// What to improve next: the performance findings when the report was generated (top 10, most
  /// important first). Empty when none were looked at (a past month's report built by the agent, a
  /// frozen month of an older version) or nothing stands out; a frozen month keeps its own.
  std::vector<ReportImprovement> improvements;
};

}  // namespace shopwatch::agent::report
