// The exposition linter: each check catches a crafted bad exposition, and a good one passes.

#include "exposition_lint.h"

#include <catch2/catch.hpp>
#include <string>

using shopwatch::testing::formatLintProblems;
using shopwatch::testing::hasProblem;
using shopwatch::testing::LintCheck;
using shopwatch::testing::lintExposition;

namespace {

/// A clean exposition with every construct the checks look at: labels with escapes, a counter,
/// two histogram series, a summary, a comment, a timestamp, blank lines.
const std::string kGood =
    "# A free comment\n"
    "# HELP probe_success Whether the check passed (\\\\ and \\n escaped).\n"
    "# TYPE probe_success gauge\n"
    "probe_success{shop=\"acme\",check=\"quo\\\"te\\\\d\\nline\"} 1\n"
    "probe_success{shop=\"acme\",check=\"home\",} 0 1700000000000\n"
    "\n"
    "# HELP runs_total Runs.\n"
    "# TYPE runs_total counter\n"
    "runs_total{result=\"success\"} 3\n"
    "runs_total{result=\"failure\"} 1e3\n"
    "# HELP dur_seconds Durations.\n"
    "# TYPE dur_seconds histogram\n"
    "dur_seconds_bucket{check=\"a\",le=\"0.005\"} 1\n"
    "dur_seconds_bucket{check=\"a\",le=\"0.05\"} 3\n"
    "dur_seconds_bucket{check=\"a\",le=\"+Inf\"} 5\n"
    "dur_seconds_sum{check=\"a\"} 45.7\n"
    "dur_seconds_count{check=\"a\"} 5\n"
    "dur_seconds_bucket{check=\"b\",le=\"0.005\"} 0\n"
    "dur_seconds_bucket{check=\"b\",le=\"+Inf\"} 0\n"
    "dur_seconds_sum{check=\"b\"} 0\n"
    "dur_seconds_count{check=\"b\"} 0\n"
    "# TYPE lat summary\n"
    "lat{quantile=\"0.5\"} NaN\n"
    "lat_sum 0\n"
    "lat_count 0\n"
    "# TYPE temp gauge\n"
    "temp -Inf\n";

std::size_t count(const std::vector<shopwatch::testing::LintProblem>& problems, LintCheck check) {
  std::size_t n = 0;
  for (const auto& p : problems) n += p.check == check ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a clean exposition and an empty one have no problems") {
  const auto problems = lintExposition(kGood);
  INFO(formatLintProblems(problems));
  CHECK(problems.empty());
  CHECK(lintExposition("").empty());
}

TEST_CASE("the same name and label set twice is a duplicate series, in any label order") {
  const auto problems = lintExposition(
      "# TYPE up gauge\nup{a=\"1\",b=\"2\"} 1\nup{b=\"2\",a=\"1\"} 1\nup{a=\"1\",b=\"3\"} 1\n");
  INFO(formatLintProblems(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::DuplicateSeries);
  CHECK(problems[0].line == 3);
  CHECK(problems[0].message.find("(first at line 2)") != std::string::npos);
}

TEST_CASE("a family split into two blocks is reported where it resumes") {
  const auto problems =
      lintExposition("# TYPE a gauge\na{x=\"1\"} 1\n# TYPE b gauge\nb 1\na{x=\"2\"} 1\n");
  INFO(formatLintProblems(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::SplitFamily);
  CHECK(problems[0].line == 5);
  // The harness case of the metrics tests: two blocks of one family and a duplicate series.
  const auto both = lintExposition(
      "# HELP probe_success x\n# TYPE probe_success gauge\nprobe_success{check=\"a\"} 1\n"
      "# HELP other x\n# TYPE other gauge\nother 1\nprobe_success{check=\"a\"} 1\n");
  CHECK(hasProblem(both, LintCheck::SplitFamily));
  CHECK(hasProblem(both, LintCheck::DuplicateSeries));
}

TEST_CASE("a histogram's _bucket, _sum and _count samples belong to one family") {
  // Interleaving two histogram series is not a split; a gauge between them is.
  const std::string two_series =
      "# TYPE h histogram\n"
      "h_bucket{c=\"a\",le=\"+Inf\"} 1\nh_sum{c=\"a\"} 1\nh_count{c=\"a\"} 1\n"
      "h_bucket{c=\"b\",le=\"+Inf\"} 2\nh_sum{c=\"b\"} 1\nh_count{c=\"b\"} 2\n";
  CHECK(lintExposition(two_series).empty());
  const auto split = lintExposition(
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n# TYPE g gauge\ng 1\nh_count 1\n");
  INFO(formatLintProblems(split));
  CHECK(hasProblem(split, LintCheck::SplitFamily));
}

TEST_CASE("HELP or TYPE given twice for a family is reported") {
  const auto type = lintExposition("# TYPE a gauge\n# TYPE a gauge\na 1\n");
  REQUIRE(type.size() == 1);
  CHECK(type[0].check == LintCheck::DuplicateMetadata);
  CHECK(type[0].line == 2);
  const auto help = lintExposition("# HELP a x\n# TYPE a gauge\n# HELP a y\na 1\n");
  REQUIRE(help.size() == 1);
  CHECK(help[0].check == LintCheck::DuplicateMetadata);
  CHECK(help[0].line == 3);
}

TEST_CASE("a TYPE or HELP after the family's samples is reported") {
  const auto type = lintExposition("a 1\n# TYPE a gauge\n");
  INFO(formatLintProblems(type));
  CHECK(hasProblem(type, LintCheck::MetadataAfterSamples));
  CHECK(hasProblem(type, LintCheck::MissingType));  // the sample came before any TYPE
  const auto help = lintExposition("# TYPE a gauge\na 1\n# HELP a late\n");
  REQUIRE(help.size() == 1);
  CHECK(help[0].check == LintCheck::MetadataAfterSamples);
  CHECK(help[0].line == 3);
}

TEST_CASE("HELP and TYPE directly followed by another family's samples are reported") {
  const auto problems = lintExposition("# HELP a x\n# TYPE a gauge\nb 1\n");
  INFO(formatLintProblems(problems));
  CHECK(hasProblem(problems, LintCheck::MetadataWrongFamily));
  CHECK(hasProblem(problems, LintCheck::MissingType));
  // A TYPE for the histogram's _bucket name instead of the family: the samples are not its family.
  const auto bucket = lintExposition("# TYPE h histogram\n# TYPE h_bucket counter\nh_count 1\n");
  CHECK(hasProblem(bucket, LintCheck::MetadataWrongFamily));
}

TEST_CASE("samples of a family without a TYPE line are reported once") {
  const auto problems = lintExposition("a{x=\"1\"} 1\na{x=\"2\"} 1\n");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::MissingType);
}

TEST_CASE("histogram buckets out of le order are reported") {
  const auto problems = lintExposition(
      "# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"0.1\"} 1\n"
      "h_bucket{le=\"+Inf\"} 1\nh_sum 0.2\nh_count 1\n");
  INFO(formatLintProblems(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::HistogramUnsortedBuckets);
  // The same le twice is not increasing either (and a duplicate series).
  const auto twice = lintExposition(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n"
      "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n");
  CHECK(hasProblem(twice, LintCheck::HistogramUnsortedBuckets));
}

TEST_CASE("a histogram without a +Inf bucket is reported") {
  const auto problems =
      lintExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::HistogramMissingInf);
  CHECK(problems[0].line == 0);
  // Only _sum and _count: no buckets at all.
  CHECK(hasProblem(lintExposition("# TYPE h histogram\nh_sum{c=\"x\"} 1\nh_count{c=\"x\"} 1\n"),
                   LintCheck::HistogramMissingInf));
}

TEST_CASE("histogram bucket counts that decrease are reported") {
  const auto problems = lintExposition(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 2\n"
      "h_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n");
  INFO(formatLintProblems(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::HistogramNotCumulative);
}

TEST_CASE("a histogram whose _count differs from its +Inf bucket is reported") {
  const auto problems = lintExposition(
      "# TYPE h histogram\nh_bucket{c=\"a\",le=\"+Inf\"} 4\n"
      "h_sum{c=\"a\"} 1\nh_count{c=\"a\"} 5\n");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::HistogramCountMismatch);
  CHECK(problems[0].message.find("histogram h{c=\"a\"}") == 0);
}

TEST_CASE("a histogram without _sum or without _count is reported") {
  const auto no_sum = lintExposition("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n");
  REQUIRE(no_sum.size() == 1);
  CHECK(no_sum[0].check == LintCheck::HistogramMissingSum);
  const auto no_count = lintExposition("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n");
  REQUIRE(no_count.size() == 1);
  CHECK(no_count[0].check == LintCheck::HistogramMissingCount);
}

TEST_CASE("a histogram bucket without a numeric le is reported") {
  for (const char* bucket : {"h_bucket 1\n", "h_bucket{le=\"fast\"} 1\n"}) {
    const auto problems = lintExposition(std::string("# TYPE h histogram\n") + bucket +
                                         "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n");
    INFO(bucket << formatLintProblems(problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].check == LintCheck::HistogramBadBucket);
  }
}

TEST_CASE("malformed sample, HELP and TYPE lines are reported with their line") {
  const char* bad[] = {
      "1up 1",                     // name starts with a digit
      "up",                        // no value
      "up{a=\"1\"}1",              // no blank before the value
      "up one",                    // value not a number
      "up 1 12.5",                 // timestamp not an integer
      "up 1 12 extra",             // text after the timestamp
      "up{a=\"1} 1",               // unterminated label value
      "up{a=\"\\t\"} 1",           // invalid escape
      "up{a=\"1\" b=\"2\"} 1",     // no comma between labels
      "up{a=\"1\",a=\"2\"} 1",     // one label twice
      "up{1a=\"1\"} 1",            // bad label name
      "up{a=1} 1",                 // unquoted label value
      " up 1",                     // leading blank
      "up nan(0x1)",               // not a Go float
      "# TYPE up",                 // no type
      "# TYPE up gaug",            // unknown type
      "# TYPE up gauge extra",     // text after the type
      "# TYPE 1up gauge",          // bad metric name
      "# HELP up bad \\t escape",  // invalid escape in HELP
  };
  for (const char* line : bad) {
    const auto problems = lintExposition(std::string("# A comment\n") + line + "\n");
    INFO("line: " << line << "\n" << formatLintProblems(problems));
    REQUIRE(count(problems, LintCheck::MalformedLine) == 1);
    CHECK(problems[0].check == LintCheck::MalformedLine);
    CHECK(problems[0].line == 2);
  }
}

TEST_CASE("an exposition whose last line lacks its newline is reported") {
  const auto problems = lintExposition("# TYPE up gauge\nup 1");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].check == LintCheck::MissingFinalNewline);
  CHECK(problems[0].line == 2);
}
