#pragma once
/// The live status page at `GET /`: every shop and check with its state, the last 24 h as small inline
/// SVG charts, open incidents, what to improve next, active and upcoming maintenance. Self-contained HTML (no external
/// requests), refreshes itself, readable on a phone.

#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"

namespace shopwatch::storage {
class ResultReader;
}

namespace shopwatch::agent::report {

/// One hour of a check's last 24 h (from the hourly rollups).
struct StatusHour {
  core::SystemTime hour{};
  std::optional<double> availability;    ///< ratio; empty when nothing was covered
  std::optional<double> p95_seconds;     ///< passing runs
};

struct StatusCheck {
  std::string shop, env, check;
  std::string state;                     ///< "up" | "down" | "pending" (no result yet) | "maintenance"
  std::optional<core::SystemTime> last_run;
  std::optional<double> last_duration_seconds;
  std::string failure;                   ///< the last failure's reason and message ("" when up)
  bool journey = false;
  std::vector<StatusHour> hours;         ///< 24 entries, oldest first
  std::optional<double> availability_24h;  ///< ratio
};

struct StatusIncident {
  std::string shop, env, check, rule, severity;
  core::SystemTime start{};
  std::string ticket, ticket_url;
};

struct StatusMaintenance {
  std::string name;
  std::vector<std::string> shops;        ///< empty: every shop
  core::SystemTime start{}, end{};
  std::string reason;
  bool active = false;
};

struct StatusPage {
  std::string client;
  std::string timezone = "UTC";          ///< times are shown in it
  core::SystemTime now{};
  std::vector<StatusCheck> checks;       ///< by shop, env, check
  std::vector<StatusIncident> incidents;
  std::vector<StatusMaintenance> maintenance;  ///< active first, then upcoming (next 7 days)
  /// The "What to improve next" <section> (agent/insights renders it: improveNextHtml), shown after
  /// the checks as it is (trusted HTML, already escaped); "": not shown.
  std::string improve_next_html;
  int refresh_seconds = 30;
};

/// Fills `checks[i].hours` and `availability_24h` from the rollups of [now − 24 h, now) (one
/// scanRollups pass). Checks without stored hours get 24 empty hours.
core::Status fillLast24h(storage::ResultReader& reader, StatusPage& page);

std::string renderStatusPage(const StatusPage& page);

}  // namespace shopwatch::agent::report
