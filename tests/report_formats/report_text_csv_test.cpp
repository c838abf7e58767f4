// reportText and reportCsv: the SLA line, rounding down, MET/MISSED from the exact figure, ticket
// keys and maintenance in the text; the CSV header, one row per check, RFC 4180 quoting.
#include <catch2/catch.hpp>
#include <sstream>

#include "sample_report.h"
#include "shopwatch/agent/report/report_formats.h"

using namespace shopwatch;
using namespace shopwatch::agent::report;
using shopwatch::report_test::sampleReport;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(sep, pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + sep.size();
  }
  return out;
}

}  // namespace

TEST_CASE("report text shows the SLA line per shop", "[report][text]") {
  const std::string text = reportText(sampleReport());
  INFO(text);
  CHECK(contains(text, "acme (production): 99.9312 % \u2014 target 99.9 % \u2014 MET"));
  CHECK(contains(text, "ACME Handels GmbH"));
  CHECK(contains(text, "2026-11"));
  CHECK(contains(text, "Europe/Vienna"));
  CHECK(contains(text, "no SLA terms"));
  CHECK_FALSE(contains(text, "FROZEN"));
}

TEST_CASE("report text rounds availability down and never overstates it", "[report][text]") {
  const std::string text = reportText(sampleReport());
  INFO(text);
  // checkout: 0.9989996 is 99.89996 %: shown 99.8999, never 99.9000.
  CHECK(contains(text, "99.8999 %"));
  CHECK_FALSE(contains(text, "99.9000 %"));
  CHECK(contains(text, "100.0000 %"));
}

TEST_CASE("report text takes MET or MISSED from the exact figure", "[report][text]") {
  auto r = sampleReport();
  r.shops[0].sla->availability = 0.99899999;
  r.shops[0].sla->met = false;
  const std::string text = reportText(r);
  INFO(text);
  CHECK(contains(text, "acme (production): 99.8999 % \u2014 target 99.9 % \u2014 MISSED"));
}

TEST_CASE("report text lists incidents with ticket keys and maintenance with who announced it",
          "[report][text]") {
  auto r = sampleReport();
  r.frozen = true;
  r.frozen_at = report_test::at("2026-12-01T08:00:00Z");
  const std::string text = reportText(r);
  INFO(text);
  CHECK(contains(text, "FROZEN"));
  CHECK(contains(text, "OPS-123"));
  CHECK(contains(text, "checkout-down"));
  CHECK(contains(text, "open"));
  CHECK(contains(text, "nightly"));
  CHECK(contains(text, "database upgrade"));
  CHECK(contains(text, "ops@acme"));
  CHECK(contains(text, "config"));
  CHECK(contains(text, "2026-11-03"));
}

TEST_CASE("report text has a numbered What to improve next block when there are improvements",
          "[report][text][improvements]") {
  auto r = sampleReport();
  CHECK_FALSE(contains(reportText(r), "What to improve next"));
  r.improvements = report_test::sampleImprovements();
  const std::string text = reportText(r);
  INFO(text);
  const auto block = text.find("What to improve next");
  REQUIRE(block != std::string::npos);
  CHECK(block > text.find("Maintenance:"));
  CHECK(contains(text, "   1. warning  slow-ttfb  acme/checkout/cart: server time is 82% of "
                       "acme/checkout/cart p95 (1.42 s) (saves ~1.17 s)\n"));
  CHECK(contains(text, "   2. info     no-compression  beta, the \"new\" one/api (staging): responses are "
                       "sent <uncompressed> & big (saves ~190 ms, 290 KiB)\n"));
  CHECK(text.find("1. warning") < text.find("2. info"));
}

TEST_CASE("report CSV has the header and one row per check", "[report][csv]") {
  const std::string csv = reportCsv(sampleReport());
  auto rows = lines(csv, "\r\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] ==
        "month,shop,env,check,in_sla,availability_percent,target_percent,met,downtime_seconds,"
        "maintenance_seconds,unmonitored_seconds,runs,failed_runs,p50_seconds,p95_seconds,p99_seconds,apdex,"
        "incidents,mttr_seconds");
  CHECK(rows[1] ==
        "2026-11,acme,production,checkout,true,99.89996,99.9,false,1500,7200,12.5,43200,25,0.412345,0.98,"
        "1.450001,0.9375,2,1500");
  CHECK(rows[2] == "2026-11,acme,production,home,true,100,99.9,true,0,0,0,43200,0,,,,,0,");
}

TEST_CASE("report CSV quotes per RFC 4180 and leaves missing cells empty", "[report][csv]") {
  const std::string csv = reportCsv(sampleReport());
  auto rows = lines(csv, "\r\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[3] == "2026-11,\"beta, the \"\"new\"\" one\",staging,api,false,,,,0,0,0,0,0,,,,,0,");
}
