// Maintenance calendars: the `every:` grammar and its errors, time zones, and the occurrences of
// recurring, one-off and API windows (Europe/Vienna DST included), with exact UTC instants.

#include "shopwatch/rules/maintenance.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "shopwatch/core/time_format.h"

using namespace std::chrono_literals;
using shopwatch::core::Micros;
using shopwatch::core::SystemTime;
using shopwatch::rules::AdHocWindow;
using shopwatch::rules::MaintenanceCalendar;
using shopwatch::rules::MaintenanceOccurrence;
using shopwatch::rules::MaintenanceSpec;
using shopwatch::rules::Recurrence;

namespace {

SystemTime at(const char* rfc3339) {
  const auto t = shopwatch::core::parseRfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

std::string str(SystemTime t) { return shopwatch::core::formatRfc3339(t); }

Recurrence every(const char* text) {
  auto r = shopwatch::rules::parseRecurrence(text);
  INFO(text);
  REQUIRE(r);
  return *r;
}

std::string errorOf(const char* text) {
  auto r = shopwatch::rules::parseRecurrence(text);
  INFO(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == shopwatch::core::ErrorCode::Invalid);
  return r.error().message;
}

MaintenanceSpec recurring(const char* name, const char* rule, Micros duration,
                          const char* zone = "UTC", std::vector<std::string> shops = {"acme"}) {
  MaintenanceSpec s;
  s.name = name;
  s.shops = std::move(shops);
  s.every = every(rule);
  s.duration = duration;
  s.timezone = zone;
  return s;
}

/// "start/end" of each occurrence, in UTC.
std::vector<std::string> spans(const std::vector<MaintenanceOccurrence>& occurrences) {
  std::vector<std::string> out;
  for (const auto& o : occurrences) out.push_back(str(o.start) + "/" + str(o.end));
  return out;
}

std::vector<std::string> names(const std::vector<MaintenanceOccurrence>& occurrences) {
  std::vector<std::string> out;
  for (const auto& o : occurrences) out.push_back(o.name);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("every recurrence form parses") {
  Recurrence r = every("daily 02:00");
  CHECK(r.kind == Recurrence::Kind::Daily);
  CHECK(r.minutes == 120);

  r = every("sunday 02:00");
  CHECK(r.kind == Recurrence::Kind::Weekly);
  CHECK(r.weekday == 0);
  CHECK(every("Saturday 23:59").weekday == 6);
  CHECK(every("Saturday 23:59").minutes == 23 * 60 + 59);
  const char* short_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (unsigned i = 0; i < 7; ++i) {
    std::string text = std::string(short_names[i]) + " 00:00";
    CHECK(every(text.c_str()).weekday == i);
  }
  CHECK(every("WEDNESDAY 12:30").weekday == 3);

  r = every("day 1 03:00");
  CHECK(r.kind == Recurrence::Kind::MonthDay);
  CHECK(r.day == 1);
  CHECK(r.minutes == 180);
  CHECK(every("day 31 00:00").day == 31);

  r = every("first monday 02:00");
  CHECK(r.kind == Recurrence::Kind::NthWeekday);
  CHECK(r.nth == 1);
  CHECK(r.weekday == 1);
  CHECK(every("second tue 01:00").nth == 2);
  CHECK(every("Third Thursday 01:00").nth == 3);
  CHECK(every("fourth fri 01:00").nth == 4);
  r = every("last friday 22:30");
  CHECK(r.nth == -1);
  CHECK(r.weekday == 5);
  CHECK(r.minutes == 22 * 60 + 30);

  r = every("  sunday \t 02:00 ");
  CHECK(r.kind == Recurrence::Kind::Weekly);
  CHECK(r.minutes == 120);
}

TEST_CASE("every recurrence error names the bad word") {
  CHECK(errorOf("sundy 02:00") == R"("sundy" is not a weekday (sunday … saturday))");
  CHECK(errorOf("sundy") == R"("sundy" is not a weekday (sunday … saturday))");
  CHECK(errorOf("first sundy 02:00") == R"("sundy" is not a weekday (sunday … saturday))");
  CHECK_THAT(errorOf("fifth monday 02:00"),
             Catch::StartsWith(R"("fifth" is not first, second, third, fourth, last or day)"));
  CHECK(errorOf("sunday 24:00") == R"("24:00": the hour must be 00 … 23)");
  CHECK(errorOf("sunday 02:60") == R"("02:60": the minute must be 00 … 59)");
  CHECK(errorOf("sunday 2:00") == R"("2:00" is not a time of day (HH:MM, 00:00 … 23:59))");
  CHECK(errorOf("daily noon") == R"("noon" is not a time of day (HH:MM, 00:00 … 23:59))");
  CHECK(errorOf("day 0 02:00") == R"("0" is not a day of the month (1 … 31))");
  CHECK(errorOf("day 32 02:00") == R"("32" is not a day of the month (1 … 31))");
  CHECK(errorOf("day first 02:00") == R"("first" is not a day of the month (1 … 31))");
  CHECK(errorOf("sunday") == R"("sunday" needs a start time: "<weekday> HH:MM")");
  CHECK(errorOf("daily") == R"("daily" needs a start time: "daily HH:MM")");
  CHECK(errorOf("day 1") == R"("day 1" needs a start time: "day N HH:MM")");
  CHECK(errorOf("last friday") == R"("last friday" needs a start time: "last <weekday> HH:MM")");
  CHECK_THAT(errorOf("day"), Catch::StartsWith(R"("day" needs a day of the month)"));
  CHECK_THAT(errorOf("first"), Catch::StartsWith(R"("first" needs a weekday)"));
  CHECK(errorOf("daily 02:00 sunday") == R"(unexpected "sunday" after "daily 02:00")");
  CHECK(errorOf("day 1 03:00 04:00") == R"(unexpected "04:00" after "day 1 03:00")");
  CHECK_THAT(errorOf(""), Catch::StartsWith("empty recurrence"));
  CHECK_THAT(errorOf("   "), Catch::StartsWith("empty recurrence"));
}

TEST_CASE("time zones are validated by name") {
  CHECK(shopwatch::rules::validateTimezone("Europe/Vienna"));
  CHECK(shopwatch::rules::validateTimezone("UTC"));
  CHECK(shopwatch::rules::validateTimezone("America/New_York"));
  const auto bad = shopwatch::rules::validateTimezone("Europe/Viena");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == shopwatch::core::ErrorCode::Invalid);
  CHECK_THAT(bad.error().message, Catch::StartsWith(R"(unknown time zone "Europe/Viena")"));
  CHECK_FALSE(shopwatch::rules::validateTimezone(""));
}

TEST_CASE("weekly and daily windows occur on their days") {
  MaintenanceCalendar cal({recurring("weekly", "monday 02:00", 1h),
                           recurring("nightly", "daily 23:30", 1h, "UTC", {"globex"})},
                          {});
  CHECK(spans(cal.occurrences("acme", at("2026-03-01T00:00:00Z"), at("2026-03-24T00:00:00Z"))) ==
        Strings{"2026-03-02T02:00:00Z/2026-03-02T03:00:00Z",
                "2026-03-09T02:00:00Z/2026-03-09T03:00:00Z",
                "2026-03-16T02:00:00Z/2026-03-16T03:00:00Z",
                "2026-03-23T02:00:00Z/2026-03-23T03:00:00Z"});
  // A window crossing midnight belongs to the day it starts; one overlapping `from` is included.
  CHECK(spans(cal.occurrences("globex", at("2026-03-02T00:00:00Z"), at("2026-03-03T23:30:00Z"))) ==
        Strings{"2026-03-01T23:30:00Z/2026-03-02T00:30:00Z",
                "2026-03-02T23:30:00Z/2026-03-03T00:30:00Z"});
  CHECK(cal.active("globex", at("2026-03-03T00:29:59Z")));
  CHECK_FALSE(cal.active("globex", at("2026-03-03T00:30:00Z")));
  CHECK(cal.active("acme", at("2026-03-09T02:00:00Z")));  // [start, end)
  CHECK_FALSE(cal.active("acme", at("2026-03-09T03:00:00Z")));
  CHECK_FALSE(cal.active("acme", at("2026-03-10T02:30:00Z")));  // a Tuesday
}

TEST_CASE("monthly, nth-weekday and last-weekday windows occur on their days") {
  const SystemTime from = at("2026-01-01T00:00:00Z");
  const SystemTime to = at("2027-01-01T00:00:00Z");
  SECTION("day 15") {
    MaintenanceCalendar cal({recurring("mid", "day 15 03:00", 2h)}, {});
    const auto occ = cal.occurrences("acme", from, to);
    REQUIRE(occ.size() == 12);
    CHECK(str(occ[0].start) == "2026-01-15T03:00:00Z");
    CHECK(str(occ[1].start) == "2026-02-15T03:00:00Z");
    CHECK(str(occ[11].start) == "2026-12-15T03:00:00Z");
    CHECK(str(occ[11].end) == "2026-12-15T05:00:00Z");
  }
  SECTION("first monday") {
    MaintenanceCalendar cal({recurring("patch", "first monday 02:00", 1h)}, {});
    const auto occ =
        cal.occurrences("acme", at("2026-03-01T00:00:00Z"), at("2026-08-01T00:00:00Z"));
    CHECK(spans(occ) == Strings{"2026-03-02T02:00:00Z/2026-03-02T03:00:00Z",
                                "2026-04-06T02:00:00Z/2026-04-06T03:00:00Z",
                                "2026-05-04T02:00:00Z/2026-05-04T03:00:00Z",
                                "2026-06-01T02:00:00Z/2026-06-01T03:00:00Z",
                                "2026-07-06T02:00:00Z/2026-07-06T03:00:00Z"});
  }
  SECTION("second tuesday and fourth thursday") {
    MaintenanceCalendar cal(
        {recurring("a", "second tuesday 01:00", 1h), recurring("b", "fourth thursday 01:00", 1h)},
        {});
    CHECK(spans(cal.occurrences("acme", at("2026-09-01T00:00:00Z"), at("2026-10-01T00:00:00Z"))) ==
          Strings{"2026-09-08T01:00:00Z/2026-09-08T02:00:00Z",
                  "2026-09-24T01:00:00Z/2026-09-24T02:00:00Z"});
  }
  SECTION("last friday and last sunday") {
    MaintenanceCalendar cal(
        {recurring("fri", "last friday 22:00", 1h), recurring("sun", "last sunday 22:00", 1h)}, {});
    CHECK(spans(cal.occurrences("acme", at("2026-05-01T00:00:00Z"), at("2026-06-01T00:00:00Z"))) ==
          Strings{"2026-05-29T22:00:00Z/2026-05-29T23:00:00Z",
                  "2026-05-31T22:00:00Z/2026-05-31T23:00:00Z"});
  }
}

TEST_CASE("a day 31 window skips months with 30 days or fewer") {
  MaintenanceCalendar cal({recurring("month-end", "day 31 03:00", 1h)}, {});
  const auto occ = cal.occurrences("acme", at("2026-01-01T00:00:00Z"), at("2026-09-01T00:00:00Z"));
  CHECK(spans(occ) == Strings{"2026-01-31T03:00:00Z/2026-01-31T04:00:00Z",
                              "2026-03-31T03:00:00Z/2026-03-31T04:00:00Z",
                              "2026-05-31T03:00:00Z/2026-05-31T04:00:00Z",
                              "2026-07-31T03:00:00Z/2026-07-31T04:00:00Z",
                              "2026-08-31T03:00:00Z/2026-08-31T04:00:00Z"});
  CHECK_FALSE(cal.active("acme", at("2026-04-30T03:30:00Z")));
  CHECK_FALSE(cal.active("acme", at("2026-05-01T03:30:00Z")));
  CHECK(cal.active("acme", at("2026-05-31T03:30:00Z")));
}

TEST_CASE("sunday 02:00 for 2h in Europe/Vienna across both DST changes") {
  MaintenanceCalendar cal({recurring("weekly-updates", "sunday 02:00", 2h, "Europe/Vienna")}, {});
  SECTION("spring forward: 02:00 does not exist on 2026-03-29, the window starts at the jump") {
    CHECK(spans(cal.occurrences("acme", at("2026-03-21T00:00:00Z"), at("2026-04-06T00:00:00Z"))) ==
          Strings{"2026-03-22T01:00:00Z/2026-03-22T03:00:00Z",    // 02:00 CET
                  "2026-03-29T01:00:00Z/2026-03-29T03:00:00Z",    // 03:00 CEST, 2 h long
                  "2026-04-05T00:00:00Z/2026-04-05T02:00:00Z"});  // 02:00 CEST
    CHECK_FALSE(cal.active("acme", at("2026-03-29T00:59:59Z")));
    CHECK(cal.active("acme", at("2026-03-29T01:00:00Z")));
    CHECK(cal.active("acme", at("2026-03-29T02:59:59Z")));
    CHECK_FALSE(cal.active("acme", at("2026-03-29T03:00:00Z")));
  }
  SECTION("fall back: 02:00 happens twice on 2026-10-25, the earlier one counts") {
    CHECK(spans(cal.occurrences("acme", at("2026-10-17T00:00:00Z"), at("2026-11-02T00:00:00Z"))) ==
          Strings{"2026-10-18T00:00:00Z/2026-10-18T02:00:00Z",    // 02:00 CEST
                  "2026-10-25T00:00:00Z/2026-10-25T02:00:00Z",    // 02:00 CEST, ends 03:00 CET
                  "2026-11-01T01:00:00Z/2026-11-01T03:00:00Z"});  // 02:00 CET
    CHECK(cal.active("acme", at("2026-10-25T01:59:59Z")));
    CHECK_FALSE(cal.active("acme", at("2026-10-25T02:00:00Z")));
  }
  SECTION("a start inside the gap (02:30) also begins at the jump, 03:00 CEST") {
    MaintenanceCalendar gap({recurring("half-past", "daily 02:30", 1h, "Europe/Vienna")}, {});
    CHECK(spans(gap.occurrences("acme", at("2026-03-28T00:00:00Z"), at("2026-03-30T12:00:00Z"))) ==
          Strings{"2026-03-28T01:30:00Z/2026-03-28T02:30:00Z",
                  "2026-03-29T01:00:00Z/2026-03-29T02:00:00Z",
                  "2026-03-30T00:30:00Z/2026-03-30T01:30:00Z"});
  }
}

TEST_CASE("a window is found while it lasts, in a zone whose local day differs from UTC's") {
  // 23:30 in New York (EDT, UTC-4) is 03:30 UTC the next day.
  MaintenanceCalendar cal({recurring("nightly", "daily 23:30", 1h, "America/New_York")}, {});
  CHECK(cal.active("acme", at("2026-07-01T03:30:00Z")));
  CHECK(cal.active("acme", at("2026-07-01T04:29:59Z")));
  CHECK_FALSE(cal.active("acme", at("2026-07-01T04:30:00Z")));
  CHECK_FALSE(cal.active("acme", at("2026-07-01T03:29:59Z")));

  // A window longer than the gap between its starts (a weekly 3-day freeze) is found days later.
  MaintenanceCalendar freeze({recurring("freeze", "friday 18:00", 72h, "Europe/Vienna")}, {});
  CHECK(freeze.active("acme", at("2026-06-07T12:00:00Z")));  // Sunday, 2 days in
  CHECK(freeze.active("acme", at("2026-06-08T15:59:59Z")));  // Monday 17:59:59 CEST
  CHECK_FALSE(freeze.active("acme", at("2026-06-08T16:00:00Z")));
  CHECK_FALSE(freeze.active("acme", at("2026-06-05T15:59:59Z")));
}

TEST_CASE("a one-off window is the absolute interval from its start") {
  MaintenanceSpec s;
  s.name = "migration";
  s.shops = {"acme"};
  s.start = at("2026-05-01T22:00:00Z");
  s.duration = 3h;
  s.timezone = "Europe/Vienna";  // irrelevant for an absolute start
  s.reason = "database migration";
  MaintenanceCalendar cal({s}, {});
  CHECK_FALSE(cal.active("acme", at("2026-05-01T21:59:59Z")));
  CHECK(cal.active("acme", at("2026-05-01T22:00:00Z")));
  CHECK(cal.active("acme", at("2026-05-02T00:59:59Z")));
  CHECK_FALSE(cal.active("acme", at("2026-05-02T01:00:00Z")));
  const auto occ = cal.occurrences("", at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
  REQUIRE(occ.size() == 1);
  CHECK(occ[0].name == "migration");
  CHECK(occ[0].id == 0);
  CHECK(occ[0].reason == "database migration");
  CHECK(spans(occ) == Strings{"2026-05-01T22:00:00Z/2026-05-02T01:00:00Z"});
}

TEST_CASE("API windows are half-open intervals named after their id") {
  AdHocWindow w;
  w.id = 7;
  w.shops = {"acme"};
  w.start = at("2026-06-10T08:00:00Z");
  w.end = at("2026-06-10T08:20:00Z");
  w.reason = "deploy 1.4.2";
  w.created_by = "ci";
  MaintenanceCalendar cal({}, {w});
  CHECK_FALSE(cal.empty());
  CHECK_FALSE(cal.active("acme", at("2026-06-10T07:59:59Z")));
  CHECK(cal.active("acme", at("2026-06-10T08:00:00Z")));
  CHECK(cal.active("acme", at("2026-06-10T08:19:59Z")));
  CHECK_FALSE(cal.active("acme", at("2026-06-10T08:20:00Z")));
  CHECK_FALSE(cal.active("globex", at("2026-06-10T08:10:00Z")));
  const auto occ = cal.activeAt("acme", at("2026-06-10T08:10:00Z"));
  REQUIRE(occ.size() == 1);
  CHECK(occ[0].name == "api-7");
  CHECK(occ[0].id == 7);
  CHECK(occ[0].reason == "deploy 1.4.2");
  CHECK(spans(occ) == Strings{"2026-06-10T08:00:00Z/2026-06-10T08:20:00Z"});
}

TEST_CASE("windows apply to their shops, and to every shop when empty or all") {
  AdHocWindow everywhere;
  everywhere.id = 1;
  everywhere.start = at("2026-06-10T12:00:00Z");
  everywhere.end = at("2026-06-10T13:00:00Z");
  MaintenanceCalendar cal(
      {recurring("acme-only", "daily 02:00", 1h, "UTC", {"acme", "acme-staging"}),
       recurring("all-shops", "daily 04:00", 1h, "UTC", {"all"}),
       recurring("no-list", "daily 06:00", 1h, "UTC", {})},
      {everywhere});
  const SystemTime day = at("2026-06-10T00:00:00Z");
  CHECK(cal.active("acme", day + 2h + 30min));
  CHECK(cal.active("acme-staging", day + 2h + 30min));
  CHECK_FALSE(cal.active("globex", day + 2h + 30min));
  for (const char* shop : {"acme", "globex"}) {
    INFO(shop);
    CHECK(cal.active(shop, day + 4h + 30min));
    CHECK(cal.active(shop, day + 6h + 30min));
    CHECK(cal.active(shop, day + 12h + 30min));
    CHECK_FALSE(cal.active(shop, day + 8h));
  }
  CHECK(names(cal.occurrences("globex", day, day + 24h)) ==
        Strings{"all-shops", "no-list", "api-1"});
  CHECK(names(cal.occurrences("acme", day, day + 24h)) ==
        Strings{"acme-only", "all-shops", "no-list", "api-1"});
  CHECK(names(cal.occurrences("", day, day + 24h)) ==
        Strings{"acme-only", "all-shops", "no-list", "api-1"});
}

TEST_CASE("activeAt names every window that holds a shop at that instant") {
  MaintenanceSpec weekly = recurring("weekly-updates", "sunday 02:00", 2h, "Europe/Vienna");
  weekly.reason = "OS updates";
  AdHocWindow deploy;
  deploy.id = 3;
  deploy.shops = {"acme"};
  deploy.start = at("2026-06-07T00:30:00Z");  // inside the weekly window (00:00Z–02:00Z in CEST)
  deploy.end = at("2026-06-07T03:00:00Z");
  MaintenanceCalendar cal({weekly}, {deploy});

  const auto both = cal.activeAt("acme", at("2026-06-07T01:00:00Z"));
  REQUIRE(both.size() == 2);
  CHECK(both[0].name == "weekly-updates");
  CHECK(both[0].reason == "OS updates");
  CHECK(str(both[0].start) == "2026-06-07T00:00:00Z");
  CHECK(both[1].name == "api-3");
  CHECK(names(cal.activeAt("acme", at("2026-06-07T02:30:00Z"))) == Strings{"api-3"});
  CHECK(cal.activeAt("acme", at("2026-06-07T03:00:00Z")).empty());
  CHECK(cal.activeAt("globex", at("2026-06-07T01:00:00Z")).empty());
}

TEST_CASE("an empty calendar holds nothing") {
  MaintenanceCalendar none;
  CHECK(none.empty());
  CHECK_FALSE(none.active("acme", at("2026-06-07T01:00:00Z")));
  CHECK(none.occurrences("", at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")).empty());
  CHECK(MaintenanceCalendar({}, {}).empty());
  MaintenanceSpec nothing;  // neither `every` nor `start`
  nothing.name = "nothing";
  MaintenanceCalendar cal({nothing}, {});
  CHECK_FALSE(cal.empty());
  CHECK_FALSE(cal.active("acme", at("2026-06-07T01:00:00Z")));
}
