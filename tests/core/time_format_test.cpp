#include <catch2/catch.hpp>

#include "shopwatch/core/time_format.h"

using namespace shopwatch::core;

TEST_CASE("RFC 3339 round-trips in UTC") {
  auto t = parseRfc3339("2026-11-27T18:23:32Z");
  REQUIRE(t);
  CHECK(toMicros(*t) == 1'795'803'812'000'000LL);
  CHECK(formatRfc3339(*t) == "2026-11-27T18:23:32Z");
  CHECK(formatRfc3339(*parseRfc3339("2026-11-27T18:23:32.5Z"), true) == "2026-11-27T18:23:32.500000Z");
}

TEST_CASE("RFC 3339 offsets are applied") {
  auto a = parseRfc3339("2026-01-01T01:00:00+01:00");
  auto b = parseRfc3339("2026-01-01T00:00:00Z");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
}

TEST_CASE("malformed RFC 3339 is rejected") {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-11-27 18:23", "2026-11-27T18:23:32", "x"}) {
    INFO(bad);
    CHECK_FALSE(parseRfc3339(bad));
  }
}
