#include "shopwatch/rules/expr.h"

#include <catch2/catch.hpp>
#include <string>

#include "shopwatch/rules/alert.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

using namespace shopwatch;
using namespace shopwatch::rules;
using namespace std::chrono_literals;

namespace {

Expr parsed(std::string_view text) {
  auto r = parseExpr(text);
  INFO(text);
  if (!r) FAIL(r.error().message);
  return r.value();
}

struct ParseError {
  std::string message;
  std::size_t column = 0;
};

ParseError parseError(std::string_view text) {
  std::size_t column = 999;
  auto r = parseExpr(text, &column);
  INFO(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == core::ErrorCode::Invalid);
  return {r.error().message, column};
}

}  // namespace

TEST_CASE("every KPI parses with its unit") {
  struct Case {
    const char* text;
    Kpi kpi;
    double threshold;
  };
  const Case cases[] = {
      {"availability < 99.5%", Kpi::Availability, 0.995},
      {"error_rate > 0.05", Kpi::ErrorRate, 0.05},
      {"p50 > 300ms", Kpi::P50, 0.3},
      {"p90 > 1s", Kpi::P90, 1.0},
      {"p95 > 800ms", Kpi::P95, 0.8},
      {"p99 > 2s", Kpi::P99, 2.0},
      {"ttfb_p95 > 500ms", Kpi::TtfbP95, 0.5},
      {"apdex(500ms) < 0.9", Kpi::Apdex, 0.9},
      {"cert_days < 14", Kpi::CertDays, 14.0},
      {"failure_streak >= 3", Kpi::FailureStreak, 3.0},
      {"success_streak >= 2", Kpi::SuccessStreak, 2.0},
      {"no_data > 5m", Kpi::NoData, 300.0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const Expr e = parsed(c.text);
    CHECK(e.kpi == c.kpi);
    CHECK(e.threshold == Approx(c.threshold).epsilon(1e-12));
    CHECK(e.text == c.text);
  }
  CHECK(parsed("apdex(500ms) < 0.9").apdex_t == 500ms);
  CHECK(parsed("cert_days < 14d").threshold == 14.0);
  CHECK(parsed("cert_days <= 7.5").threshold == 7.5);
  CHECK(parsed("no_data > 90s").threshold == 90.0);
}

TEST_CASE("every operator parses and compares as written") {
  const Expr less = parsed("availability < 99%");
  CHECK(less.op == CompareOp::Less);
  CHECK(less.breached(0.98));
  CHECK_FALSE(less.breached(0.99));

  const Expr less_equal = parsed("availability <= 99%");
  CHECK(less_equal.op == CompareOp::LessEqual);
  CHECK(less_equal.breached(0.99));
  CHECK_FALSE(less_equal.breached(0.991));

  const Expr greater = parsed("p95 > 800ms");
  CHECK(greater.op == CompareOp::Greater);
  CHECK(greater.breached(0.801));
  CHECK_FALSE(greater.breached(0.8));

  const Expr greater_equal = parsed("failure_streak >= 3");
  CHECK(greater_equal.op == CompareOp::GreaterEqual);
  CHECK(greater_equal.breached(3));
  CHECK_FALSE(greater_equal.breached(2));
}

TEST_CASE("spacing around the operator is optional and the text is normalised") {
  CHECK(parsed("p95>800ms").text == "p95 > 800ms");
  CHECK(parsed("  p95   >=\t800ms  ").text == "p95 >= 800ms");
  CHECK(parsed("availability<=99.9%").op == CompareOp::LessEqual);
  CHECK(parsed("apdex( 500ms )<0.85").text == "apdex(500ms) < 0.85");
}

TEST_CASE("ratios take a percentage or a number between 0 and 1") {
  CHECK(parsed("availability < 99.5%").threshold == parsed("availability < 0.995").threshold);
  CHECK(parsed("availability < 99.9%").threshold == 0.999);
  CHECK(parsed("availability < 100%").threshold == 1.0);
  CHECK(parsed("error_rate > 0%").threshold == 0.0);
  CHECK(parsed("error_rate > 1").threshold == 1.0);
  CHECK(parsed("apdex(1s) < 85%").threshold == 0.85);
  CHECK(parsed("apdex(1s) < 85%").apdex_t == 1s);

  auto over = parseError("availability < 99.5");
  CHECK(
      over.message ==
      "\"99.5\" is not a ratio between 0 and 1 (availability takes a percentage such as 99.5% or a "
      "ratio between 0 and 1)");
  CHECK(over.column == 15);
  auto too_much = parseError("availability < 101%");
  CHECK(too_much.message.rfind("\"101%\" is not a percentage between 0% and 100%", 0) == 0);
  CHECK(too_much.column == 15);
  auto fast = parseError("error_rate > fast");
  CHECK(fast.message ==
        "\"fast\" is not a ratio (error_rate takes a percentage such as 99.5% or a ratio between 0 "
        "and 1)");
  CHECK(fast.column == 13);
  CHECK(parseError("availability < -1%").column == 15);
}

TEST_CASE("a bad threshold names the token and what the KPI takes") {
  auto e = parseError("p95 > fast");
  CHECK(e.message == "\"fast\" is not a duration (p95 takes a duration such as 800ms)");
  CHECK(e.column == 6);

  auto bare = parseError("p95 > 800");
  CHECK(bare.message == "\"800\" is not a duration (p95 takes a duration such as 800ms)");
  CHECK(bare.column == 6);

  auto no_data = parseError("no_data>soon");
  CHECK(no_data.message == "\"soon\" is not a duration (no_data takes a duration such as 5m)");
  CHECK(no_data.column == 8);

  auto streak = parseError("failure_streak >= 2.5");
  CHECK(streak.message ==
        "\"2.5\" is not a whole number (failure_streak takes a whole number such as 3)");
  CHECK(streak.column == 18);
  CHECK(parseError("success_streak >= -1").column == 18);

  auto days = parseError("cert_days < 2w");
  CHECK(days.message ==
        "\"2w\" is not a number of days (cert_days takes a number of days such as 14 or 14d)");
  CHECK(days.column == 12);

  auto apdex = parseError("apdex(fast) < 0.9");
  CHECK(apdex.message ==
        "\"fast\" is not a duration (apdex takes T as a duration such as apdex(500ms))");
  CHECK(apdex.column == 6);
  CHECK(parseError("apdex(0s) < 0.9").column == 6);
  auto no_t = parseError("apdex < 0.9");
  CHECK(no_t.message == "\"apdex\" needs its threshold T in parentheses, e.g. apdex(500ms)");
  CHECK(no_t.column == 5);
  CHECK(parseError("apdex(500ms < 0.9").column == 5);

  auto missing = parseError("p95 >");
  CHECK(missing.message == "missing threshold after \">\" (p95 takes a duration such as 800ms)");
  CHECK(missing.column == 5);
}

TEST_CASE("an unknown KPI lists the valid ones and suggests the closest") {
  auto e = parseError("availabilty < 99%");
  CHECK(e.message ==
        "\"availabilty\" is not a KPI (did you mean \"availability\"?); expected one of "
        "availability, error_rate, p50, p90, p95, p99, ttfb_p95, apdex(T), cert_days, "
        "failure_streak, success_streak, no_data");
  CHECK(e.column == 0);

  auto prefix = parseError("  ttfb > 1s");
  CHECK(prefix.message.rfind("\"ttfb\" is not a KPI (did you mean \"ttfb_p95\"?)", 0) == 0);
  CHECK(prefix.column == 2);

  auto upper = parseError("P95 > 1s");
  CHECK(upper.message.rfind("\"P95\" is not a KPI (did you mean \"p95\"?)", 0) == 0);

  auto far = parseError("latency > 1s");
  CHECK(far.message.rfind("\"latency\" is not a KPI; expected one of availability,", 0) == 0);

  auto parameter = parseError("p95(5m) > 1s");
  CHECK(parameter.message.find("p95 takes no parameter") != std::string::npos);
  CHECK(parameter.column == 3);

  CHECK(parseError("").column == 0);
  CHECK(parseError("   ").column == 3);
  auto no_kpi = parseError("> 800ms");
  CHECK(no_kpi.message.rfind("missing KPI before \">\"", 0) == 0);
  CHECK(no_kpi.column == 0);
}

TEST_CASE("a missing or unknown operator is an error at its column") {
  auto missing = parseError("p95 800ms");
  CHECK(missing.message == "\"800ms\" is not an operator (expected <, <=, > or >=)");
  CHECK(missing.column == 4);

  auto at_end = parseError("p95");
  CHECK(at_end.message == "missing operator after \"p95\" (expected <, <=, > or >=)");
  CHECK(at_end.column == 3);

  auto equals = parseError("p95 == 800ms");
  CHECK(equals.message == "\"==\" is not an operator (expected <, <=, > or >=)");
  CHECK(equals.column == 4);
  CHECK(parseError("p95 => 800ms").column == 4);
  CHECK(parseError("p95 <> 800ms").column == 4);
  CHECK(parseError("apdex(500ms) = 0.9").column == 13);
}

TEST_CASE("trailing garbage after the threshold is an error") {
  auto e = parseError("p95 > 800ms for 5m");
  CHECK(e.message ==
        "unexpected \"for\" after the threshold \"800ms\" (an expression is KPI OPERATOR "
        "THRESHOLD, e.g. p95 > 800ms)");
  CHECK(e.column == 12);
  CHECK(parseError("availability < 99% and").column == 19);
  // Trailing spaces are not garbage.
  CHECK(parsed("p95 > 800ms   ").text == "p95 > 800ms");
}

TEST_CASE("KPI values format as users write them") {
  CHECK(formatKpiValue(Kpi::Availability, 0.995) == "99.5%");
  CHECK(formatKpiValue(Kpi::Availability, 1.0) == "100%");
  CHECK(formatKpiValue(Kpi::Availability, 0.0) == "0%");
  CHECK(formatKpiValue(Kpi::Availability, 0.99912345) == "99.912%");
  CHECK(formatKpiValue(Kpi::Availability, 0.9999996) == "100%");
  CHECK(formatKpiValue(Kpi::ErrorRate, 0.0833333) == "8.333%");
  CHECK(formatKpiValue(Kpi::Apdex, 0.875) == "87.5%");
  CHECK(formatKpiValue(Kpi::P95, 0.8123) == "812ms");
  CHECK(formatKpiValue(Kpi::P95, 0.8126) == "813ms");
  CHECK(formatKpiValue(Kpi::P99, 2.0) == "2s");
  CHECK(formatKpiValue(Kpi::TtfbP95, 1.5) == "1500ms");
  CHECK(formatKpiValue(Kpi::NoData, 300.0) == "5m");
  CHECK(formatKpiValue(Kpi::NoData, 0.0) == "0s");
  CHECK(formatKpiValue(Kpi::FailureStreak, 3.0) == "3");
  CHECK(formatKpiValue(Kpi::SuccessStreak, 0.0) == "0");
  CHECK(formatKpiValue(Kpi::CertDays, 12.0) == "12d");
  CHECK(formatKpiValue(Kpi::CertDays, 12.46) == "12.5d");
  CHECK(formatKpiValue(Kpi::CertDays, -3.25) == "-3.3d");
  CHECK(formatKpiValue(Kpi::CertDays, 0.04) == "0d");
}

TEST_CASE("KPI names are the expression's words") {
  CHECK(kpiName(Kpi::Availability) == "availability");
  CHECK(kpiName(Kpi::ErrorRate) == "error_rate");
  CHECK(kpiName(Kpi::TtfbP95) == "ttfb_p95");
  CHECK(kpiName(Kpi::Apdex) == "apdex");
  CHECK(kpiName(Kpi::NoData) == "no_data");
}

TEST_CASE("target patterns parse a check, a step and a shop wildcard") {
  auto check = parseTargetPattern("acme/home");
  REQUIRE(check);
  CHECK(check->shop == "acme");
  CHECK(check->check == "home");
  CHECK(check->step.empty());
  CHECK_FALSE(check->wildcard());
  CHECK(check->str() == "acme/home");

  auto step = parseTargetPattern("acme/checkout/cart");
  REQUIRE(step);
  CHECK(step->check == "checkout");
  CHECK(step->step == "cart");
  CHECK(step->str() == "acme/checkout/cart");

  auto all = parseTargetPattern("acme/*");
  REQUIRE(all);
  CHECK(all->wildcard());
  CHECK(all->str() == "acme/*");

  CHECK(parseTargetPattern("shop-1.eu/my_check/step.2-b"));
}

TEST_CASE("target patterns match their series in every env") {
  const core::CheckKey home{"acme", "production", "home"};
  const core::CheckKey home_staging{"acme", "staging", "home"};
  const core::CheckKey checkout{"acme", "production", "checkout"};
  const core::CheckKey other{"globex", "production", "home"};

  auto p = parseTargetPattern("acme/home").value();
  CHECK(p.matches(home, ""));
  CHECK(p.matches(home_staging, ""));
  CHECK_FALSE(p.matches(home, "cart"));
  CHECK_FALSE(p.matches(checkout, ""));
  CHECK_FALSE(p.matches(other, ""));

  auto s = parseTargetPattern("acme/checkout/cart").value();
  CHECK(s.matches(checkout, "cart"));
  CHECK_FALSE(s.matches(checkout, ""));
  CHECK_FALSE(s.matches(checkout, "pay"));

  auto w = parseTargetPattern("acme/*").value();
  CHECK(w.matches(home, ""));
  CHECK(w.matches(checkout, ""));
  CHECK_FALSE(w.matches(checkout, "cart"));  // each check, not its steps
  CHECK_FALSE(w.matches(other, ""));

  Target t{checkout, "cart"};
  CHECK(t.str() == "acme/checkout/cart");
  CHECK(Target{home, ""}.str() == "acme/home");
}

TEST_CASE("bad target patterns name the bad part") {
  auto message = [](std::string_view text) {
    auto r = parseTargetPattern(text);
    INFO(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::ErrorCode::Invalid);
    return r.error().message;
  };
  CHECK(
      message("acme/Home") ==
      "acme/Home: check name \"Home\" is invalid: use only lowercase letters, digits, `.`, `_` and "
      "`-`");
  CHECK(message("ACME/home").rfind("ACME/home: shop name \"ACME\" is invalid", 0) == 0);
  CHECK(
      message("acme/checkout/Cart").rfind("acme/checkout/Cart: step name \"Cart\" is invalid", 0) ==
      0);
  CHECK(message("acme/*/cart") == "acme/*/cart: a wildcard check (shop/*) cannot name a step");
  CHECK(message("*/home").rfind(
            "*/home: shop name \"*\" is invalid: `*` is allowed only as the whole "
            "check part",
            0) == 0);
  CHECK(message("acme/ho*").rfind("acme/ho*: check name \"ho*\" is invalid", 0) == 0);
  CHECK(message("acme/checkout/*").rfind("acme/checkout/*: step name \"*\" is invalid", 0) == 0);
  CHECK(message("acme").rfind("acme: a shop alone is not a target", 0) == 0);
  CHECK(message("acme/").rfind("acme/: check name is empty", 0) == 0);
  CHECK(message("/home").rfind("/home: shop name is empty", 0) == 0);
  CHECK(message("a/b/c/d").rfind("a/b/c/d: too many parts", 0) == 0);
  CHECK(message("").rfind("empty target", 0) == 0);
}

TEST_CASE("severities and alert states round-trip through their names") {
  for (Severity s : {Severity::Info, Severity::Warning, Severity::Critical}) {
    CHECK(parseSeverity(severityName(s)) == s);
  }
  CHECK(severityName(Severity::Critical) == "critical");
  CHECK_FALSE(parseSeverity("page"));
  CHECK_FALSE(parseSeverity("Critical"));

  for (AlertState s :
       {AlertState::Ok, AlertState::Pending, AlertState::Firing, AlertState::Suppressed}) {
    CHECK(parseAlertState(alertStateName(s)) == s);
  }
  CHECK(alertStateName(AlertState::Suppressed) == "suppressed");
  CHECK_FALSE(parseAlertState("resolved"));
}

TEST_CASE("an ok alert that fired before reads as resolved in the API") {
  AlertRecord a;
  CHECK(a.apiState() == "ok");
  a.state = AlertState::Pending;
  CHECK(a.apiState() == "pending");
  a.state = AlertState::Firing;
  a.fired_at = core::SystemTime{std::chrono::seconds{100}};
  CHECK(a.apiState() == "firing");
  a.state = AlertState::Ok;
  a.resolved_at = core::SystemTime{std::chrono::seconds{200}};
  CHECK(a.apiState() == "resolved");
  a.state = AlertState::Suppressed;
  CHECK(a.apiState() == "suppressed");
}
