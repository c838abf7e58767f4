#include "shopwatch/rules/maintenance.h"

#include <date/tz.h>

#include <algorithm>
#include <string>
#include <utility>

#include "recurrence_dates.h"

namespace shopwatch::rules {

namespace {

using std::chrono::microseconds;

/// Guard against a caller passing an unbounded range (occurrences over centuries): no spec yields
/// more.
constexpr int kMaxOccurrencesPerSpec = 50'000;

/// The zone, or nullptr when it is unknown or its data cannot be read (then UTC is used). Any
/// exception of the tz library stays here: the first lookup also loads the zone's transitions, so
/// later conversions on it do not fail.
const date::time_zone* lookupZone(const std::string& name) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    (void)zone->get_info(date::sys_seconds{});
    return zone;
  } catch (...) {
    return nullptr;
  }
}

bool matchesAll(const std::vector<std::string>& shops) {
  return shops.empty() || std::find(shops.begin(), shops.end(), "all") != shops.end();
}

}  // namespace

core::Status validateTimezone(std::string_view name) {
  try {
    (void)date::locate_zone(std::string(name));
    return {};
  } catch (...) {
    return core::makeError(core::ErrorCode::Invalid,
                           "unknown time zone \"" + std::string(name) +
                               "\" (an IANA name such as Europe/Vienna or UTC)");
  }
}

struct MaintenanceCalendar::Compiled {
  struct Spec {
    MaintenanceSpec spec;
    bool all_shops = false;
    const date::time_zone* zone = nullptr;  ///< nullptr: UTC
  };
  struct AdHoc {
    AdHocWindow window;
    std::string name;  ///< "api-<id>"
    bool all_shops = false;
  };
  std::vector<Spec> specs;
  std::vector<AdHoc> adhoc;

  static bool covers(bool all_shops, const std::vector<std::string>& shops, std::string_view shop) {
    return all_shops || shop.empty() || std::find(shops.begin(), shops.end(), shop) != shops.end();
  }

  static date::local_days localDay(const Spec& s, core::SystemTime t) {
    if (s.zone == nullptr) return date::local_days{date::floor<date::days>(t).time_since_epoch()};
    return date::floor<date::days>(s.zone->to_local(t));
  }

  /// The UTC start of the occurrence on local day `day`.
  static core::SystemTime startOn(const Spec& s, date::local_days day) {
    const date::local_time<std::chrono::minutes> local =
        day + std::chrono::minutes{s.spec.every->minutes};
    if (s.zone == nullptr) {
      return core::SystemTime{std::chrono::duration_cast<microseconds>(local.time_since_epoch())};
    }
    // choose::earliest: an ambiguous time takes the earlier offset; a nonexistent one maps to the
    // transition instant (date's to_sys never throws with a `choose`).
    const date::zoned_time<std::chrono::minutes> zoned{s.zone, local, date::choose::earliest};
    return std::chrono::time_point_cast<microseconds>(zoned.get_sys_time());
  }

  /// Calls `fn(start, end)` for the occurrences of `s` overlapping [from, to), newest first, until
  /// it returns false.
  template <typename Fn>
  static void eachOccurrence(const Spec& s, core::SystemTime from, core::SystemTime to, Fn&& fn) {
    const core::Micros duration = s.spec.duration;
    if (duration <= core::Micros::zero() || from >= to) return;
    if (!s.spec.every) {
      if (s.spec.start && *s.spec.start<to&& * s.spec.start + duration> from) {
        fn(*s.spec.start, *s.spec.start + duration);
      }
      return;
    }
    // Local starts map to non-decreasing UTC instants (earliest offset, gaps at the transition), so
    // walking back from the local day of `to` can stop at the first occurrence that ends by `from`.
    // No later day can start before `to`: a start is never earlier in local time than its nominal
    // time, so its day is at most the local day of `to`.
    std::optional<date::local_days> day =
        detail::latestOccurrenceDay(*s.spec.every, localDay(s, to));
    for (int n = 0; day && n < kMaxOccurrencesPerSpec; ++n) {
      const core::SystemTime start = startOn(s, *day);
      const core::SystemTime end = start + duration;
      if (end <= from) return;
      if (start < to && !fn(start, end)) return;
      day = detail::latestOccurrenceDay(*s.spec.every, *day - date::days{1});
    }
  }
};

MaintenanceCalendar::MaintenanceCalendar(std::vector<MaintenanceSpec> specs,
                                         std::vector<AdHocWindow> adhoc) {
  auto compiled = std::make_shared<Compiled>();
  compiled->specs.reserve(specs.size());
  for (MaintenanceSpec& spec : specs) {
    Compiled::Spec s;
    s.all_shops = matchesAll(spec.shops);
    s.zone = spec.timezone == "UTC" ? nullptr : lookupZone(spec.timezone);
    s.spec = std::move(spec);
    compiled->specs.push_back(std::move(s));
  }
  compiled->adhoc.reserve(adhoc.size());
  for (AdHocWindow& window : adhoc) {
    Compiled::AdHoc a;
    a.all_shops = matchesAll(window.shops);
    a.name = "api-" + std::to_string(window.id);
    a.window = std::move(window);
    compiled->adhoc.push_back(std::move(a));
  }
  compiled_ = std::move(compiled);
}

bool MaintenanceCalendar::empty() const {
  return !compiled_ || (compiled_->specs.empty() && compiled_->adhoc.empty());
}

bool MaintenanceCalendar::active(std::string_view shop, core::SystemTime t) const {
  if (!compiled_) return false;
  for (const Compiled::AdHoc& a : compiled_->adhoc) {
    if (Compiled::covers(a.all_shops, a.window.shops, shop) && a.window.start <= t &&
        t < a.window.end) {
      return true;
    }
  }
  const core::SystemTime next = t + core::Micros{1};
  for (const Compiled::Spec& s : compiled_->specs) {
    if (!Compiled::covers(s.all_shops, s.spec.shops, shop)) continue;
    bool found = false;
    Compiled::eachOccurrence(s, t, next, [&](core::SystemTime, core::SystemTime) {
      found = true;
      return false;
    });
    if (found) return true;
  }
  return false;
}

std::vector<MaintenanceOccurrence> MaintenanceCalendar::occurrences(std::string_view shop,
                                                                    core::SystemTime from,
                                                                    core::SystemTime to) const {
  std::vector<MaintenanceOccurrence> out;
  if (!compiled_ || from >= to) return out;
  for (const Compiled::Spec& s : compiled_->specs) {
    if (!Compiled::covers(s.all_shops, s.spec.shops, shop)) continue;
    Compiled::eachOccurrence(s, from, to, [&](core::SystemTime start, core::SystemTime end) {
      out.push_back(MaintenanceOccurrence{s.spec.name, 0, start, end, s.spec.reason});
      return true;
    });
  }
  for (const Compiled::AdHoc& a : compiled_->adhoc) {
    if (Compiled::covers(a.all_shops, a.window.shops, shop) && a.window.start < to &&
        a.window.end > from && a.window.start < a.window.end) {
      out.push_back(MaintenanceOccurrence{a.name, a.window.id, a.window.start, a.window.end,
                                          a.window.reason});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const MaintenanceOccurrence& x, const MaintenanceOccurrence& y) {
              if (x.start != y.start) return x.start < y.start;
              if (x.name != y.name) return x.name < y.name;
              return x.id < y.id;
            });
  return out;
}

std::vector<MaintenanceOccurrence> MaintenanceCalendar::activeAt(std::string_view shop,
                                                                 core::SystemTime t) const {
  return occurrences(shop, t, t + core::Micros{1});
}

}  // namespace shopwatch::rules
