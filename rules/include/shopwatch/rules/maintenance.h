#pragma once
/// Maintenance windows (`maintenance:` in the config and `POST /api/v1/maintenance`): recurring or
/// one-off, per shop or for all shops, in a time zone (howardhinnant-date; DST-correct). Inside a window
/// new alerts are held as suppressed and runs are stored with their maintenance flag (excluded from
/// SLA/SLO accounting). The calendar grammar lives here and nowhere else.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"

namespace shopwatch::rules {

/// `every:` parsed. Forms (case-insensitive day names, 24 h local time HH:MM):
/// - `daily 02:00`
/// - `sunday 02:00` (weekly; also `sun 02:00`)
/// - `day 1 03:00` (monthly on day 1..31; a month without that day has no window)
/// - `first monday 02:00` (monthly; first | second | third | fourth | last)
struct Recurrence {
  enum class Kind { Daily, Weekly, MonthDay, NthWeekday };
  Kind kind = Kind::Weekly;
  unsigned weekday = 0;  ///< 0 = Sunday .. 6 = Saturday (Weekly, NthWeekday)
  unsigned day = 1;      ///< MonthDay: 1..31
  int nth = 1;           ///< NthWeekday: 1..4, or -1 for `last`
  int minutes = 0;       ///< local start time as minutes after midnight
};

/// Parses an `every:` value; the error names the bad word.
core::Result<Recurrence> parseRecurrence(std::string_view text);

/// One `maintenance:` entry.
struct MaintenanceSpec {
  std::string name;
  std::vector<std::string> shops;  ///< empty: every shop (`shops: [all]`)
  std::optional<Recurrence> every;  ///< recurring, or
  std::optional<core::SystemTime> start;  ///< one-off (`start: <RFC 3339>`)
  core::Micros duration{std::chrono::hours{1}};
  std::string timezone = "UTC";  ///< IANA name; validated by validateTimezone
  std::string reason;            ///< optional text shown with the window
};

/// Whether `name` is a time zone the tz database knows (the error says so in plain words).
core::Status validateTimezone(std::string_view name);

/// A window announced through the API (persisted by the agent; audited).
struct AdHocWindow {
  std::int64_t id = 0;
  std::vector<std::string> shops;  ///< empty: every shop
  core::SystemTime start{};
  core::SystemTime end{};
  std::string reason;
  std::string created_by;  ///< who announced it (the API caller's `X-Shopwatch-Actor`, or "api")
};

/// A concrete occurrence: [start, end) in UTC.
struct MaintenanceOccurrence {
  std::string name;  ///< the spec's name, or "api-<id>" for an API window
  std::int64_t id = 0;  ///< API windows only
  core::SystemTime start{};
  core::SystemTime end{};
  std::string reason;
};

/// An immutable calendar of config windows and API windows. Thread-safe (const). Build a new one when
/// either changes.
///
/// Occurrences of a recurring spec are computed in its time zone: the local start (date + HH:MM) becomes
/// UTC with the earlier offset when the local time is ambiguous (the October fallback: `sunday 02:00` in
/// Europe/Vienna starts at 02:00 CEST), and at the instant the clock jumps when it does not exist (the
/// March gap: 02:00 or 02:30 in Europe/Vienna starts at 03:00 CEST = 01:00 UTC). The end is start +
/// duration as real elapsed time (a 2 h window across the fallback is 2 h long). A spec with `every`
/// recurs (its `start` is ignored); one with only `start` is the one-off [start, start + duration); one
/// with neither has no occurrence. A zero or negative duration has none. `shops` empty, or containing
/// `all`, means every shop; a query for shop "" matches every window. active()/activeAt() look only at
/// the occurrences around `t`. A spec whose zone is unknown (the loader should have refused it) is
/// computed in UTC.
class MaintenanceCalendar {
 public:
  MaintenanceCalendar() = default;
  /// Specs must be valid (time zones known): the config loader checked them.
  MaintenanceCalendar(std::vector<MaintenanceSpec> specs, std::vector<AdHocWindow> adhoc);

  /// Whether `shop` is in a maintenance window at `t`.
  bool active(std::string_view shop, core::SystemTime t) const;
  /// The windows of `shop` that contain `t` (empty when none).
  std::vector<MaintenanceOccurrence> activeAt(std::string_view shop, core::SystemTime t) const;
  /// Occurrences of `shop`'s windows (every shop's when `shop` is empty) overlapping [from, to), sorted
  /// by start (reports: billing shows announced maintenance).
  std::vector<MaintenanceOccurrence> occurrences(std::string_view shop, core::SystemTime from,
                                                 core::SystemTime to) const;
  bool empty() const;

 private:
  struct Compiled;  ///< specs with their zones looked up, and the API windows
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace shopwatch::rules
