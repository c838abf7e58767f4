// `shopwatch report` against a database the store filled with runs (November 2026, Europe/Vienna):
// the formats, usage and config errors, and frozen months (--freeze keeps the figures across config
// edits, refuses a second freeze and a month that has not ended).
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace shopwatch;
using namespace shopwatch::cli_test;

namespace {

// Two hours of one-minute runs of acme/checkout on 2026-11-10 from 09:00 UTC; 10:00-10:05 failed.
constexpr int kRuns = 120;
constexpr int kFailed = 5;

void prepare(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  auto store = storage::SqliteResultStore::open(std::move(options));
  REQUIRE(store.ok());
  const core::SystemTime start = *core::parseRfc3339("2026-11-10T09:00:00Z");
  for (int i = 0; i < kRuns; ++i) {
    core::RunRecord r;
    r.key = core::CheckKey{"acme", "production", "checkout"};
    r.run_id = i + 1;
    r.interval = std::chrono::seconds{60};
    r.scheduled = start + std::chrono::minutes{i};
    r.result.started = r.scheduled;
    r.result.success = !(i >= 60 && i < 60 + kFailed);
    if (!r.result.success) {
      r.result.failure = core::FailureReason::HttpStatus;
      r.result.message = "status 503";
    }
    r.result.status_code = r.result.success ? 200 : 503;
    r.result.duration = std::chrono::milliseconds{200 + i};
    REQUIRE((*store)->enqueue(std::move(r)));
  }
  REQUIRE((*store)->flush().ok());
  (*store)->stop();
}

std::string config(const std::string& database, const std::string& target = "99.9%") {
  return "agent:\n  client: acme\n  database: " + database +
         "\n  timezone: Europe/Vienna\n"
         "shops:\n  - name: acme\n    base_url: https://shop.acme.example\n    checks:\n"
         "      - {name: checkout, url: /checkout}\n"
         "sla:\n  - {shops: [acme], target: " + target + "}\n";
}

struct Fixture {
  TempDir dir;
  std::string db = (dir.path() / "acme.db").string();
  std::string cfg;
  Fixture() {
    prepare(db);
    cfg = dir.write("acme.yaml", config(db));
  }
};

std::string firstLine(const std::string& text) { return text.substr(0, text.find_first_of("\r\n")); }

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("report --format json prints the month's report") {
  Fixture f;
  auto o = runShopwatch("report -c " + f.cfg + " --month 2026-11 --format json");
  INFO(o.out);
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  CHECK(j["month"] == "2026-11");
  CHECK(j["timezone"] == "Europe/Vienna");
  CHECK(j["frozen"] == false);
  CHECK(j["from"] == "2026-10-31T23:00:00Z");
  CHECK(j.contains("generated_at"));
  REQUIRE(j["shops"].size() == 1);
  const auto& shop = j["shops"][0];
  CHECK(shop["shop"] == "acme");
  CHECK(shop["env"] == "production");
  CHECK(shop["sla"]["target_percent"].get<double>() == Approx(99.9));
  REQUIRE(shop["checks"].size() == 1);
  const auto& check = shop["checks"][0];
  CHECK(check["check"] == "checkout");
  CHECK(check["runs"] == kRuns);
  CHECK(check["failed_runs"] == kFailed);
  for (const char* key : {"availability_percent", "downtime_seconds", "maintenance_seconds",
                          "unmonitored_seconds", "p50_seconds", "p95_seconds", "p99_seconds", "apdex",
                          "incidents"})
    CHECK(check.contains(key));
}

TEST_CASE("report --format csv prints the header and a row per check") {
  Fixture f;
  auto o = runShopwatch("report -c " + f.cfg + " --month 2026-11 --format csv");
  INFO(o.out);
  REQUIRE(o.code == 0);
  CHECK(firstLine(o.out) ==
        "month,shop,env,check,in_sla,availability_percent,target_percent,met,downtime_seconds,"
        "maintenance_seconds,unmonitored_seconds,runs,failed_runs,p50_seconds,p95_seconds,p99_seconds,apdex,"
        "incidents,mttr_seconds");
  CHECK(contains(o.out, "\r\n2026-11,acme,production,checkout,true,"));
}

TEST_CASE("report prints text by default and writes -o FILE") {
  Fixture f;
  auto o = runShopwatch("report -c " + f.cfg + " --month 2026-11");
  INFO(o.out);
  REQUIRE(o.code == 0);
  CHECK(contains(o.out, "acme (production): "));
  CHECK(contains(o.out, "target 99.9 %"));
  CHECK(contains(o.out, "checkout"));
  CHECK(contains(o.out, "Europe/Vienna"));

  const auto out = f.dir.path() / "report.json";
  auto w = runShopwatch("report -c " + f.cfg + " --month 2026-11 --format json -o " + out.string());
  REQUIRE(w.code == 0);
  CHECK(w.out.empty());
  CHECK(nlohmann::json::parse(slurp(out))["month"] == "2026-11");
}

TEST_CASE("report refuses usage errors with exit code 2") {
  Fixture f;
  auto bad = runShopwatch("report -c " + f.cfg + " --month 2026-13", "", true);
  INFO(bad.out);
  CHECK(bad.code == 2);
  CHECK(contains(bad.out, "--month"));
  CHECK(runShopwatch("report -c " + f.cfg + " --month november").code == 2);
  CHECK(runShopwatch("report -c " + f.cfg).code == 2);
  CHECK(runShopwatch("report -c " + f.cfg + " --month 2026-11 --format xml").code == 2);
  auto pdf = runShopwatch("report -c " + f.cfg + " --month 2026-11 --format pdf", "", true);
  CHECK(pdf.code == 2);
  CHECK(contains(pdf.out, "-o"));
  CHECK(runShopwatch("report -c " + f.cfg + " --month 2026-11 --freeze --shop acme").code == 2);
}

TEST_CASE("report fails with exit code 1 without a database or with an invalid config") {
  TempDir dir;
  const std::string db = (dir.path() / "none.db").string();
  const std::string cfg = dir.write("acme.yaml", config(db));
  auto o = runShopwatch("report -c " + cfg + " --month 2026-11", "", true);
  INFO(o.out);
  CHECK(o.code == 1);
  CHECK(contains(o.out, "no database at " + db));
  CHECK(contains(o.out, "has the agent run?"));
  CHECK_FALSE(std::filesystem::exists(db));

  const std::string broken = dir.write("broken.yaml", config(db) + "bogus_key: 1\n");
  auto b = runShopwatch("report -c " + broken + " --month 2026-11", "", true);
  CHECK(b.code == 1);
  CHECK(contains(b.out, "broken.yaml:"));
}

TEST_CASE("report --freeze keeps a past month's figures across config edits") {
  Fixture f;
  auto frozen = runShopwatch("report -c " + f.cfg + " --month 2026-11 --freeze --format json");
  INFO(frozen.out);
  REQUIRE(frozen.code == 0);
  auto first = nlohmann::json::parse(frozen.out);
  CHECK(first["frozen"] == true);
  CHECK(first["frozen_at"].is_string());

  // The contract changes afterwards: the frozen month still shows what was billed.
  f.dir.write("acme.yaml", config(f.db, "50%"));
  auto later = runShopwatch("report -c " + f.cfg + " --month 2026-11 --format json");
  REQUIRE(later.code == 0);
  auto j = nlohmann::json::parse(later.out);
  CHECK(j["frozen"] == true);
  CHECK(j["frozen_at"] == first["frozen_at"]);
  CHECK(j["shops"][0]["sla"]["target_percent"].get<double>() == Approx(99.9));
  CHECK(j["shops"][0]["checks"] == first["shops"][0]["checks"]);
  CHECK(j["generated_at"] == first["generated_at"]);

  auto text = runShopwatch("report -c " + f.cfg + " --month 2026-11 --shop acme");
  REQUIRE(text.code == 0);
  CHECK(contains(text.out, "FROZEN"));
  CHECK(contains(text.out, "target 99.9 %"));

  // An unfrozen month follows the edited config.
  auto october = runShopwatch("report -c " + f.cfg + " --month 2026-10 --format json");
  REQUIRE(october.code == 0);
  auto oct = nlohmann::json::parse(october.out);
  CHECK(oct["frozen"] == false);
  CHECK(oct["shops"][0]["sla"]["target_percent"].get<double>() == Approx(50));

  auto again = runShopwatch("report -c " + f.cfg + " --month 2026-11 --freeze", "", true);
  CHECK(again.code == 1);
  CHECK(contains(again.out, "month 2026-11 is already frozen (at "));
}

TEST_CASE("report --freeze refuses a month that has not ended") {
  Fixture f;
  const std::string now = core::formatRfc3339(core::SystemClock::instance().now());
  // The current month of Europe/Vienna (a few minutes around midnight UTC aside, the UTC month).
  const std::string month = now.substr(0, 7);
  auto o = runShopwatch("report -c " + f.cfg + " --month " + month + " --freeze", "", true);
  INFO(o.out);
  CHECK(o.code == 1);
  CHECK(contains(o.out, "has not ended"));
  auto next = runShopwatch("report -c " + f.cfg + " --month 2099-01 --freeze", "", true);
  CHECK(next.code == 1);
  CHECK(contains(next.out, "has not ended"));
}

TEST_CASE("check-config -v lists the SLA terms of the issue's example") {
  auto o = runShopwatch("check-config -v -c " + std::string(SHOPWATCH_SOURCE_DIR) +
                        "/tests/fixtures/issue-e-sla.yaml");
  INFO(o.out);
  CHECK(o.code == 0);
  CHECK(o.out.find("sla (calendar months in Europe/Vienna):") != std::string::npos);
  CHECK(o.out.find("acme  target 99.9%  maintenance exclude  unmonitored exclude  apdex T 500ms") !=
        std::string::npos);
  CHECK(o.out.find("acme/home, acme/checkout") != std::string::npos);
}
