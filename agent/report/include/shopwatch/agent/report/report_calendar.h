#pragma once
/// Months and days of the contract time zone (`agent.timezone`), in UTC instants (howardhinnant-date:
/// DST-correct; a Europe/Vienna October is 745 hours long).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::report {

struct YearMonth {
  int year = 0;
  unsigned month = 0;  ///< 1..12
  std::string str() const;  ///< "YYYY-MM"
};

/// "YYYY-MM" (year 1970..9999, month 01..12); Invalid with the reason otherwise.
core::Result<YearMonth> parseMonth(std::string_view text);

/// The month's first instant and the next month's first instant (local midnight) in `timezone`, as
/// UTC instants: [from, to). Invalid when the zone is unknown.
core::Result<std::pair<core::SystemTime, core::SystemTime>> monthInZone(YearMonth month,
                                                                        std::string_view timezone);

/// One local calendar day: its "YYYY-MM-DD" and [from, to) in UTC.
struct LocalDay {
  std::string date;
  core::SystemTime from{}, to{};
};
/// Every day of the month in `timezone`, in order (28..31 entries).
core::Result<std::vector<LocalDay>> daysInZone(YearMonth month, std::string_view timezone);

/// The month (in `timezone`) holding `t`.
core::Result<YearMonth> monthOf(core::SystemTime t, std::string_view timezone);

/// "2026-11-03 14:05" local time in `timezone` (a zone that does not exist: UTC).
std::string localTimeText(core::SystemTime t, std::string_view timezone);

}  // namespace shopwatch::agent::report
