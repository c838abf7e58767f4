// reportHtml and renderStatusPage as text: key figures, the charts, escaping, no external
// resources; the shared number and duration formatting.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "html_scan.h"
#include "html_text.h"
#include "report_html_fixtures.h"
#include "shopwatch/agent/report/report_formats.h"
#include "shopwatch/agent/report/status_page.h"

using namespace shopwatch;
using namespace shopwatch::report_html_test;
namespace html = shopwatch::agent::report::html;

TEST_CASE("percentDown rounds availability down and never overstates", "[report_html]") {
  CHECK(html::percentDown(0.999) == "99.9000");
  CHECK(html::percentDown(0.99912345) == "99.9123");
  CHECK(html::percentDown(0.99999999) == "99.9999");
  CHECK(html::percentDown(1.0) == "100.0000");
  CHECK(html::percentDown(0.0) == "0.0000");
  CHECK(html::percentDown(0.12345678, 2) == "12.34");
  CHECK(html::percentShort(0.999) == "99.9");
  CHECK(html::percentShort(1.0) == "100");
}

TEST_CASE("humanDuration speaks in minutes, hours and days", "[report_html]") {
  using namespace std::chrono_literals;
  CHECK(html::humanDuration(0s) == "0 s");
  CHECK(html::humanDuration(45s) == "45 s");
  CHECK(html::humanDuration(43min) == "43 min");
  CHECK(html::humanDuration(42min + 1s) == "43 min");
  CHECK(html::humanDuration(2h + 5min) == "2 h 5 min");
  CHECK(html::humanDuration(3h) == "3 h");
  CHECK(html::humanDuration(76h) == "3 d 4 h");
  CHECK(html::latency(std::chrono::milliseconds{85}) == "85 ms");
  CHECK(html::latency(std::chrono::milliseconds{1240}) == "1.24 s");
}

TEST_CASE("escape covers element text and attributes", "[report_html]") {
  CHECK(html::escape("<a href=\"x\">O'Neil & co</a>") ==
        "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
}

TEST_CASE("localTime shows the contract time zone", "[report_html]") {
  CHECK(html::localTime(at("2026-11-07T09:10:00Z"), "Europe/Vienna") == "2026-11-07 10:10 CET");
  CHECK(html::localTime(at("2026-07-07T09:10:00Z"), "Europe/Vienna") == "2026-07-07 11:10 CEST");
  CHECK(html::localTime(at("2026-11-07T09:10:00Z"), "UTC") == "2026-11-07 09:10 UTC");
  CHECK(html::localTime(at("2026-11-07T09:10:00Z"), "Not/AZone") == "2026-11-07 09:10 UTC");
}

TEST_CASE("the HTML report puts the summary first with the verdicts and figures", "[report_html]") {
  const std::string page = agent::report::reportHtml(monthFixture());
  const auto summary = page.find("id=\"summary\"");
  const auto charts = page.find("id=\"charts\"");
  const auto details = page.find("id=\"details\"");
  REQUIRE(summary != std::string::npos);
  REQUIRE(charts != std::string::npos);
  REQUIRE(details != std::string::npos);
  CHECK(summary < charts);
  CHECK(charts < details);
  const std::string head = page.substr(summary, charts - summary);
  CHECK_THAT(head, Catch::Contains("SLA met"));
  CHECK_THAT(head, Catch::Contains("SLA missed"));
  CHECK_THAT(head, Catch::Contains("99.9123 %"));  // 0.99912345 rounded down
  CHECK_THAT(head, Catch::Contains("99.5000 %"));
  CHECK_THAT(head, Catch::Contains("99.9%"));
  CHECK_THAT(head, Catch::Contains("43 min"));
  CHECK_THAT(head, Catch::Contains("3 h 36 min"));
  CHECK_THAT(head, Catch::Contains("In November 2026 the shop was available 99.9123 %"));
  CHECK_THAT(head, Catch::Contains("with 2 incidents"));
  CHECK_THAT(head, Catch::Contains("beta (staging)"));
  CHECK_THAT(page, Catch::Contains("Service report November 2026"));
  CHECK_THAT(page, Catch::Contains("Acme GmbH"));
}

TEST_CASE("the HTML report has the four charts as inline SVG", "[report_html]") {
  const std::string page = agent::report::reportHtml(monthFixture());
  // 3 checks: a daily and a latency chart each; 2 shops: a phase and a timeline chart each.
  CHECK(countOf(page, "class=\"chart chart-daily-availability\"") == 3);
  CHECK(countOf(page, "class=\"chart chart-latency-percentiles\"") == 3);
  CHECK(countOf(page, "class=\"chart chart-phase-breakdown\"") == 2);
  CHECK(countOf(page, "class=\"chart chart-incident-timeline\"") == 2);
  CHECK(countOf(page, "<svg ") == 10);
  CHECK(countOf(page, "</svg>") == 10);
  CHECK_THAT(page, Catch::Contains("aria-label=\"Daily availability of acme/home\""));
  CHECK_THAT(page, Catch::Contains("<title>Incident timeline of acme in November 2026</title>"));
  // 30 day bars for a check (29 covered + 1 unmonitored marker) carry their date.
  CHECK_THAT(page, Catch::Contains("<title>2026-11-07: 97.0000 %, downtime 43 min</title>"));
  CHECK_THAT(page, Catch::Contains("<title>2026-11-13: not monitored</title>"));
  CHECK_THAT(page, Catch::Contains("no incidents this month"));  // beta's timeline
}

TEST_CASE("the HTML report details name tickets, maintenance announcers, steps and worst days",
          "[report_html]") {
  const std::string page = agent::report::reportHtml(monthFixture());
  const std::string details = page.substr(page.find("id=\"details\""));
  CHECK_THAT(details,
             Catch::Contains("<a class=\"ticket\" href=\"https://redmine.example/issues/17\" "
                             "rel=\"noreferrer\">OPS-17</a>"));
  CHECK_THAT(details, Catch::Contains("alice@agency.example"));
  CHECK_THAT(details, Catch::Contains("database upgrade"));
  CHECK_THAT(details, Catch::Contains("2026-11-15 02:00 CET"));  // maintenance start in Vienna
  CHECK_THAT(details, Catch::Contains("2026-11-07 10:10 CET"));  // incident start in Vienna
  CHECK_THAT(details, Catch::Contains("still open"));
  CHECK_THAT(details, Catch::Contains("Slowest steps of checkout"));
  CHECK(details.find("payment") < details.find("cart"));
  CHECK_THAT(details, Catch::Contains("<li>2026-11-07: 43 min of downtime</li>"));
  CHECK_THAT(details, Catch::Contains("99.9123 %"));
}

TEST_CASE("a hostile check name appears only escaped in the HTML report", "[report_html]") {
  const std::string page = agent::report::reportHtml(monthFixture());
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("alert('x')") == std::string::npos);
  CHECK_THAT(page, Catch::Contains(
                       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"));
}

TEST_CASE("the HTML report references no external resource", "[report_html]") {
  const std::string page = agent::report::reportHtml(monthFixture());
  const std::set<std::string> tickets = {"https://redmine.example/issues/17"};
  for (const std::string& problem : externalReferences(page, tickets)) FAIL_CHECK(problem);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  CHECK(page.find("@font-face") == std::string::npos);
  CHECK_THAT(page, Catch::Contains("@media print"));
  CHECK_THAT(page, Catch::Contains("name=\"viewport\""));
}

TEST_CASE("a ticket URL that is not http(s) is not made a link", "[report_html]") {
  auto report = monthFixture();
  report.shops[0].checks[1].incidents[0].ticket_url = "javascript:alert(1)";
  const std::string page = agent::report::reportHtml(report);
  CHECK(page.find("javascript:") == std::string::npos);
  CHECK_THAT(page, Catch::Contains("OPS-17"));
}

TEST_CASE("an empty month renders a readable report", "[report_html]") {
  agent::report::MonthReport empty;
  empty.month = "2026-02";
  empty.timezone = "UTC";
  empty.from = at("2026-02-01T00:00:00Z");
  empty.to = at("2026-03-01T00:00:00Z");
  const std::string page = agent::report::reportHtml(empty);
  CHECK_THAT(page, Catch::Contains("February 2026"));
  CHECK_THAT(page, Catch::Contains("No shop has data for this month."));
  CHECK_THAT(page, Catch::Contains("No maintenance this month."));
}

TEST_CASE("the status page shows every check with state text, charts, incidents and maintenance",
          "[report_html]") {
  const auto now = at("2026-12-03T14:05:09Z");
  const std::string page = agent::report::renderStatusPage(statusFixture(now));
  CHECK_THAT(page, Catch::Contains("<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK_THAT(page,
             Catch::Contains("name=\"viewport\" content=\"width=device-width, initial-scale=1\""));
  CHECK_THAT(page, Catch::Contains("updated 2026-12-03 15:05:09 CET"));
  CHECK_THAT(page, Catch::Contains("1 check is down"));
  CHECK_THAT(page, Catch::Contains("&#10004; Up"));
  CHECK_THAT(page, Catch::Contains("&#10008; Down"));
  CHECK_THAT(page, Catch::Contains("&#9881; Maintenance"));
  CHECK_THAT(page, Catch::Contains("&#8230; Pending"));
  CHECK_THAT(page, Catch::Contains("timeout: request timed out after 10s"));
  CHECK_THAT(page, Catch::Contains(">OPS-42</a>"));
  CHECK_THAT(page, Catch::Contains("API migration"));
  CHECK_THAT(page, Catch::Contains("active now"));
  CHECK_THAT(page, Catch::Contains("weekly window"));
  CHECK_THAT(page, Catch::Contains("96.87 %"));  // 0.96875 rounded down to 2 decimals
  CHECK(countOf(page, "class=\"chart chart-24h-availability\"") == 4);
  CHECK(countOf(page, "class=\"chart chart-24h-p95\"") == 4);
  CHECK(page.find("<script") == std::string::npos);
  CHECK_THAT(page, Catch::Contains("&lt;script&gt;"));
  for (const std::string& problem : externalReferences(page, {"https://redmine.example/issues/42"}))
    FAIL_CHECK(problem);
}

TEST_CASE("the status page with no checks says so", "[report_html]") {
  agent::report::StatusPage p;
  p.now = at("2026-12-03T14:05:09Z");
  p.refresh_seconds = 15;
  const std::string page = agent::report::renderStatusPage(p);
  CHECK_THAT(page, Catch::Contains("No checks are configured."));
  CHECK_THAT(page, Catch::Contains("content=\"15\""));
  CHECK_THAT(page, Catch::Contains("updated 2026-12-03 14:05:09 UTC"));
  CHECK_THAT(page, Catch::Contains("shopwatch status"));
}

TEST_CASE("the HTML report shows What to improve next after the summary, escaped", "[report_html]") {
  auto report = monthFixture();
  CHECK(agent::report::reportHtml(report).find("What to improve next") == std::string::npos);
  report.improvements = {
      agent::report::ReportImprovement{"acme", "production", "checkout", "payment", "slow-ttfb", "critical",
                                       "server time is 91% of acme/checkout/payment p95 (2.10 s)", 1.9, 0},
      agent::report::ReportImprovement{"beta", "staging", kHostile, "", "no-compression", "info",
                                       "responses are sent uncompressed", 0.19, 296960}};
  const std::string page = agent::report::reportHtml(report);
  const auto summary = page.find("id=\"summary\"");
  const auto improve = page.find("<section id=\"improve\" class=\"improve\"><h2>What to improve next</h2>");
  const auto charts = page.find("id=\"charts\"");
  REQUIRE(improve != std::string::npos);
  CHECK(summary < improve);
  CHECK(improve < charts);
  const std::string section = page.substr(improve, charts - improve);
  CHECK(countOf(section, "<li>") == 2);
  CHECK_THAT(section, Catch::Contains("<li><span class=\"prio prio-critical\">critical</span> "
                                      "<b>acme/checkout/payment</b> <code>slow-ttfb</code>: server time is 91% "
                                      "of acme/checkout/payment p95 (2.10 s) <i>(saves ~1.90 s)</i></li>"));
  CHECK_THAT(section, Catch::Contains("(saves ~190 ms, 290 KiB)"));
  CHECK_THAT(section, Catch::Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  CHECK(section.find("<script") == std::string::npos);
  CHECK(section.find("critical") < section.find("no-compression"));
  CHECK_THAT(page, Catch::Contains(".prio-critical{"));
}

TEST_CASE("the status page shows What to improve next after the checks only when given",
          "[report_html]") {
  const auto now = at("2026-12-03T14:05:09Z");
  auto p = statusFixture(now);
  CHECK(agent::report::renderStatusPage(p).find("What to improve next") == std::string::npos);
  p.improve_next_html =
      "<section class=\"improve\"><h2>What to improve next</h2><ol><li><span class=\"prio prio-warning\">"
      "warning</span> <b>acme/home</b> <code>slow-ttfb</code>: server time dominates</li></ol></section>";
  const std::string page = agent::report::renderStatusPage(p);
  const auto checks = page.find("<section id=\"checks\">");
  const auto improve = page.find(p.improve_next_html);
  const auto maintenance = page.find("<section id=\"maintenance\">");
  REQUIRE(improve != std::string::npos);
  CHECK(checks < improve);
  CHECK(improve < maintenance);
  CHECK(countOf(page, "What to improve next") == 1);
  CHECK_THAT(page, Catch::Contains(".prio-warning{"));
}
