// fillLast24h over a real SqliteResultStore: 24 hourly entries per check, availability from the
// rollups' covered / maintenance / downtime, p95 by nearest rank over the latency pairs.
#include <catch2/catch.hpp>

#include "shopwatch/agent/report/status_page.h"
#include "shopwatch/storage/latency_histogram.h"
#include "status_store_fixture.h"

using namespace shopwatch;
using namespace shopwatch::report_html_test;
using namespace std::chrono_literals;

namespace {

double rep(core::Micros v) {
  const auto b = storage::LatencyHistogram::bucketValue(storage::LatencyHistogram::bucketOf(v));
  return static_cast<double>(b.count()) / 1e6;
}

}  // namespace

TEST_CASE("fillLast24h gives every check 24 hours from the rollups", "[report_html]") {
  auto s = makeStatusStore();
  agent::report::StatusPage page;
  page.now = s->now();  // kT0 + 10 h 30 min
  page.checks.push_back({"acme", "production", "home", "up", {}, {}, "", false, {}, std::nullopt});
  page.checks.push_back(
      {"acme", "production", "nothing-stored", "pending", {}, {}, "", false, {}, std::nullopt});
  REQUIRE(agent::report::fillLast24h(*s->store, page));

  const auto& home = page.checks[0];
  REQUIRE(home.hours.size() == 24);
  CHECK(home.hours.front().hour == kT0 - 13h);
  CHECK(home.hours.back().hour == kT0 + 10h);
  for (std::size_t i = 0; i < 20; ++i) {
    INFO("hour " << i);
    CHECK_FALSE(home.hours[i].availability);
    CHECK_FALSE(home.hours[i].p95_seconds);
  }
  // kT0 + 7 h: six passing runs of 100…600 ms, fully covered.
  REQUIRE(home.hours[20].availability);
  CHECK(*home.hours[20].availability == Approx(1.0));
  REQUIRE(home.hours[20].p95_seconds);
  CHECK(*home.hours[20].p95_seconds == Approx(rep(600ms)));
  // kT0 + 8 h: the failed run at 8:20 covers 600 s of downtime; p95 over the five passing runs.
  REQUIRE(home.hours[21].availability);
  CHECK(*home.hours[21].availability == Approx(3000.0 / 3600.0));
  REQUIRE(home.hours[21].p95_seconds);
  CHECK(*home.hours[21].p95_seconds == Approx(rep(600ms)));
  REQUIRE(home.hours[22].availability);
  CHECK(*home.hours[22].availability == Approx(1.0));
  // Over the day: 600 s down out of the covered time.
  REQUIRE(home.availability_24h);
  CHECK(*home.availability_24h < 1.0);
  CHECK(*home.availability_24h > 0.9);

  const auto& none = page.checks[1];
  REQUIRE(none.hours.size() == 24);
  for (const auto& h : none.hours) CHECK_FALSE(h.availability);
  CHECK_FALSE(none.availability_24h);
}
