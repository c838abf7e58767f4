#include <catch2/catch.hpp>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/result.h"
#include "shopwatch/core/text.h"

using namespace shopwatch::core;
using namespace std::chrono_literals;

TEST_CASE("failure reasons round-trip through their names") {
  for (auto r : allFailureReasons()) {
    auto parsed = parseFailureReason(toString(r));
    REQUIRE(parsed);
    CHECK(*parsed == r);
  }
  CHECK(toString(FailureReason::BodyTooLarge) == "body_too_large");
  CHECK(toString(FailureReason::None).empty());
  CHECK_FALSE(parseFailureReason("bogus"));
}

TEST_CASE("redact replaces every occurrence of every secret") {
  CHECK(redact("token=abc123&x=abc123", {"abc123"}) == "token=<redacted>&x=<redacted>");
  CHECK(redact("nothing here", {"", "zz"}) == "nothing here");
}

TEST_CASE("Result carries a value or an error") {
  Result<int> ok = 3;
  Result<int> bad = makeError(ErrorCode::Invalid, "nope");
  CHECK(ok);
  CHECK(*ok == 3);
  CHECK_FALSE(bad);
  CHECK(bad.error().message == "nope");
  Status s;
  CHECK(s);
}

TEST_CASE("the fake clock moves only when told") {
  FakeClock clock;
  auto w = clock.now();
  auto s = clock.steadyNow();
  clock.advance(1500ms);
  CHECK(clock.now() - w == 1500ms);
  CHECK(clock.steadyNow() - s == 1500ms);
}

TEST_CASE("htmlEscape escapes the five HTML metacharacters and nothing else") {
  using shopwatch::core::htmlEscape;
  CHECK(htmlEscape("<a href=\"x\">O'Neil & co</a>") ==
        "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
  CHECK(htmlEscape("Grüße, 100 %") == "Grüße, 100 %");
  CHECK(htmlEscape("").empty());
}
