// Months and days of the contract time zone: DST-correct windows (Europe/Vienna October is 745 h,
// March 743 h), month parsing, local times.
#include "shopwatch/agent/report/report_calendar.h"

#include <catch2/catch.hpp>

#include "report_test_support.h"

using namespace shopwatch;
using namespace shopwatch::agent::report;
using shopwatch::report_test::utc;

TEST_CASE("parseMonth accepts YYYY-MM and refuses the rest", "[report][calendar]") {
  auto m = parseMonth("2026-11");
  REQUIRE(m.ok());
  CHECK(m->year == 2026);
  CHECK(m->month == 11u);
  CHECK(m->str() == "2026-11");
  for (const char* bad :
       {"2026-13", "2026-00", "1969-12", "2026-1", "2026/11", "26-11", "2026-11-01", ""}) {
    INFO(bad);
    auto r = parseMonth(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == core::ErrorCode::Invalid);
  }
}

TEST_CASE("UTC month window and days", "[report][calendar]") {
  auto w = monthInZone(YearMonth{2026, 11}, "UTC");
  REQUIRE(w.ok());
  CHECK(w->first == utc(2026, 11, 1));
  CHECK(w->second == utc(2026, 12, 1));
  auto days = daysInZone(YearMonth{2026, 12}, "UTC");
  REQUIRE(days.ok());
  REQUIRE(days->size() == 31);
  CHECK(days->back().date == "2026-12-31");
  CHECK(days->back().to == utc(2027, 1, 1));
  auto feb = daysInZone(YearMonth{2028, 2}, "UTC");
  REQUIRE(feb.ok());
  CHECK(feb->size() == 29);  // leap year
}

TEST_CASE("Europe/Vienna October 2026 is 745 hours and 25 October has 25", "[report][calendar]") {
  auto w = monthInZone(YearMonth{2026, 10}, "Europe/Vienna");
  REQUIRE(w.ok());
  // 1 Oct 00:00 CEST = 30 Sep 22:00 UTC; 1 Nov 00:00 CET = 31 Oct 23:00 UTC.
  CHECK(w->first == utc(2026, 9, 30, 22));
  CHECK(w->second == utc(2026, 10, 31, 23));
  CHECK(w->second - w->first == std::chrono::hours{745});
  auto days = daysInZone(YearMonth{2026, 10}, "Europe/Vienna");
  REQUIRE(days.ok());
  REQUIRE(days->size() == 31);
  const LocalDay& d25 = (*days)[24];
  CHECK(d25.date == "2026-10-25");
  CHECK(d25.from == utc(2026, 10, 24, 22));
  CHECK(d25.to - d25.from == std::chrono::hours{25});
  CHECK((*days)[23].to - (*days)[23].from == std::chrono::hours{24});
  for (std::size_t i = 1; i < days->size(); ++i) CHECK((*days)[i].from == (*days)[i - 1].to);
  CHECK(days->front().from == w->first);
  CHECK(days->back().to == w->second);
}

TEST_CASE("Europe/Vienna March 2026 is 743 hours and 29 March has 23", "[report][calendar]") {
  auto w = monthInZone(YearMonth{2026, 3}, "Europe/Vienna");
  REQUIRE(w.ok());
  CHECK(w->first == utc(2026, 2, 28, 23));
  CHECK(w->second == utc(2026, 3, 31, 22));
  CHECK(w->second - w->first == std::chrono::hours{743});
  auto days = daysInZone(YearMonth{2026, 3}, "Europe/Vienna");
  REQUIRE(days.ok());
  const LocalDay& d29 = (*days)[28];
  CHECK(d29.date == "2026-03-29");
  CHECK(d29.to - d29.from == std::chrono::hours{23});
}

TEST_CASE("monthOf and localTimeText use the zone", "[report][calendar]") {
  auto m = monthOf(utc(2026, 10, 31, 23, 30), "Europe/Vienna");  // 1 Nov 00:30 CET
  REQUIRE(m.ok());
  CHECK(m->str() == "2026-11");
  auto u = monthOf(utc(2026, 10, 31, 23, 30), "UTC");
  REQUIRE(u.ok());
  CHECK(u->str() == "2026-10");
  CHECK(localTimeText(utc(2026, 11, 3, 13, 5), "Europe/Vienna") == "2026-11-03 14:05");
  CHECK(localTimeText(utc(2026, 7, 3, 13, 5), "Europe/Vienna") == "2026-07-03 15:05");
  CHECK(localTimeText(utc(2026, 11, 3, 13, 5), "Mars/Olympus") == "2026-11-03 13:05");
}

TEST_CASE("An unknown zone is Invalid", "[report][calendar]") {
  auto w = monthInZone(YearMonth{2026, 10}, "Mars/Olympus");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == core::ErrorCode::Invalid);
  CHECK(w.error().message.find("Mars/Olympus") != std::string::npos);
  CHECK_FALSE(daysInZone(YearMonth{2026, 10}, "Mars/Olympus").ok());
  CHECK_FALSE(monthOf(utc(2026, 10, 1), "Mars/Olympus").ok());
}
