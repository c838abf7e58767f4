// Months and days of the contract time zone (howardhinnant-date). Every exception of the tz library
// stays in this file: a zone is looked up (and its transitions loaded) once, inside a try.
#include "shopwatch/agent/report/report_calendar.h"

#include <date/tz.h>

#include <charconv>
#include <cstdio>
#include <string>

namespace shopwatch::agent::report {

namespace {

using std::chrono::microseconds;

/// The zone, or nullptr when the tz database does not know it (or cannot be read).
const date::time_zone* lookupZone(std::string_view name) {
  try {
    const date::time_zone* zone = date::locate_zone(std::string(name));
    (void)zone->get_info(date::sys_seconds{});
    return zone;
  } catch (...) {
    return nullptr;
  }
}

core::Error unknownZone(std::string_view name) {
  return core::makeError(core::ErrorCode::Invalid,
                         "unknown time zone \"" + std::string(name) +
                             "\" (an IANA name such as Europe/Vienna or UTC)");
}

/// Local midnight of `day` in `zone` as a UTC instant. Midnight skipped by a DST jump maps to the
/// jump's instant; an ambiguous midnight takes the earlier offset.
core::SystemTime midnight(const date::time_zone* zone, date::local_days day) {
  const date::zoned_time<std::chrono::seconds> zoned{
      zone, date::local_seconds{day.time_since_epoch()}, date::choose::earliest};
  return std::chrono::time_point_cast<microseconds>(zoned.get_sys_time());
}

date::year_month toYm(YearMonth m) { return date::year{m.year} / date::month{m.month}; }

std::string dateText(date::year_month_day ymd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

std::string YearMonth::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", year, month);
  return buf;
}

core::Result<YearMonth> parseMonth(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return core::makeError(core::ErrorCode::Invalid,
                           "month \"" + std::string(text) + "\": " + why + " (expected YYYY-MM)");
  };
  if (text.size() != 7 || text[4] != '-') return bad("not in the form YYYY-MM");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != 4 && (text[i] < '0' || text[i] > '9')) return bad("not in the form YYYY-MM");
  }
  YearMonth m;
  std::from_chars(text.data(), text.data() + 4, m.year);
  std::from_chars(text.data() + 5, text.data() + 7, m.month);
  if (m.year < 1970 || m.year > 9999) return bad("year out of range 1970..9999");
  if (m.month < 1 || m.month > 12) return bad("month out of range 01..12");
  return m;
}

core::Result<std::pair<core::SystemTime, core::SystemTime>> monthInZone(YearMonth month,
                                                                        std::string_view timezone) {
  const date::time_zone* zone = lookupZone(timezone);
  if (zone == nullptr) return unknownZone(timezone);
  const date::year_month ym = toYm(month);
  const date::local_days first{ym / 1};
  const date::local_days next{(ym + date::months{1}) / 1};
  return std::pair{midnight(zone, first), midnight(zone, next)};
}

core::Result<std::vector<LocalDay>> daysInZone(YearMonth month, std::string_view timezone) {
  const date::time_zone* zone = lookupZone(timezone);
  if (zone == nullptr) return unknownZone(timezone);
  const date::year_month ym = toYm(month);
  const date::local_days first{ym / 1};
  const date::local_days next{(ym + date::months{1}) / 1};
  std::vector<LocalDay> days;
  core::SystemTime start = midnight(zone, first);
  for (date::local_days d = first; d < next; d += date::days{1}) {
    const core::SystemTime end = midnight(zone, d + date::days{1});
    days.push_back(LocalDay{dateText(date::year_month_day{d}), start, end});
    start = end;
  }
  return days;
}

core::Result<YearMonth> monthOf(core::SystemTime t, std::string_view timezone) {
  const date::time_zone* zone = lookupZone(timezone);
  if (zone == nullptr) return unknownZone(timezone);
  const auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(t));
  const date::year_month_day ymd{date::floor<date::days>(local)};
  return YearMonth{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())};
}

std::string localTimeText(core::SystemTime t, std::string_view timezone) {
  const date::time_zone* zone = lookupZone(timezone);
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const date::local_seconds local =
      zone == nullptr ? date::local_seconds{secs.time_since_epoch()} : zone->to_local(secs);
  const date::local_days day = date::floor<date::days>(local);
  const date::hh_mm_ss<std::chrono::seconds> tod{local - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d", dateText(date::year_month_day{day}).c_str(),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()));
  return buf;
}

}  // namespace shopwatch::agent::report
