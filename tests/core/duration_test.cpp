#include <catch2/catch.hpp>

#include "shopwatch/core/duration.h"

using namespace shopwatch::core;
using namespace std::chrono_literals;

TEST_CASE("durations parse every unit the config documents") {
  CHECK(parseDuration("250ms").value() == 250ms);
  CHECK(parseDuration("30s").value() == 30s);
  CHECK(parseDuration("5m").value() == 5min);
  CHECK(parseDuration("1h").value() == 1h);
  CHECK(parseDuration("7d").value() == 24h * 7);
  CHECK(parseDuration("1h30m").value() == 90min);
  CHECK(parseDuration("1.5s").value() == 1500ms);
}

TEST_CASE("durations without a unit or with garbage are rejected with a message") {
  for (const char* bad : {"", "30", "s", "3x", "-1s", "1.s5", "ms30"}) {
    auto r = parseDuration(bad);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("durations format in their shortest exact form") {
  CHECK(formatDuration(1500ms) == "1500ms");
  CHECK(formatDuration(30s) == "30s");
  CHECK(formatDuration(5min) == "5m");
  CHECK(formatDuration(24h * 7) == "7d");
}

TEST_CASE("sizes parse binary and decimal units") {
  CHECK(parseSize("64KiB").value() == 64 * 1024);
  CHECK(parseSize("10MiB").value() == 10 * 1024 * 1024);
  CHECK(parseSize("1GiB").value() == 1024ull * 1024 * 1024);
  CHECK(parseSize("100").value() == 100);
  CHECK(parseSize("2MB").value() == 2'000'000);
  CHECK_FALSE(parseSize("10 MiB"));
  CHECK_FALSE(parseSize("10mib"));
  CHECK_FALSE(parseSize("MiB"));
}
