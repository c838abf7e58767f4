// `shopwatch insights` ([F]) against a database the store filled with a day of runs: formats,
// --shop, -o, a missing database, usage errors; and the same findings as `shopwatch report`'s
// "what to improve next" (kept by a frozen month).
#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace shopwatch;
using namespace shopwatch::cli_test;
using namespace std::chrono_literals;

namespace {

// The last 24 h of one-minute runs: acme/home with 900 ms server time, acme/checkout fast.
void prepare(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  auto store = storage::SqliteResultStore::open(std::move(options));
  REQUIRE(store.ok());
  const auto now = core::SystemClock::instance().now();
  std::int64_t id = 0;
  for (auto t = now - 24h; t < now; t += 60s) {
    ++id;
    for (const char* check : {"home", "checkout"}) {
      core::RunRecord r;
      r.key = core::CheckKey{"acme", "production", check};
      r.run_id = id;
      r.interval = 60s;
      r.scheduled = t;
      r.result.started = t;
      r.result.success = true;
      r.result.status_code = 200;
      const auto processing = std::string(check) == "home" ? core::Micros{900ms} : core::Micros{80ms};
      r.result.phases = core::Phases{1000us, 2000us, 0us, processing, 3000us};
      r.result.duration = processing + 6000us;
      REQUIRE((*store)->enqueue(std::move(r)));
    }
  }
  REQUIRE((*store)->flush().ok());
  (*store)->stop();
}

std::string config(const std::string& database) {
  return "agent:\n  client: acme\n  database: " + database +
         "\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n    checks:\n"
         "      - {name: home, url: /}\n      - {name: checkout, url: /checkout}\n"
         "  - name: other\n    base_url: https://other.example\n    checks:\n      - {name: home, url: /}\n";
}

/// The UTC month `back` months before the current one, "YYYY-MM" (the config's time zone is UTC).
std::string utcMonth(int back) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int year = tm.tm_year + 1900;
  int month = tm.tm_mon + 1 - back;
  while (month < 1) {
    month += 12;
    --year;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year % 10000, month % 100);
  return buf;
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

}  // namespace

TEST_CASE("insights --format json ranks the findings of the stored timings") {
  Fixture f;
  auto o = runShopwatch("insights -c " + f.cfg + " --format json");
  INFO(o.out);
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  REQUIRE(j["findings"].size() == 1);
  const auto& x = j["findings"][0];
  CHECK(x["shop"] == "acme");
  CHECK(x["env"] == "production");
  CHECK(x["check"] == "home");
  CHECK(x["step"] == "");
  CHECK(x["finding"] == "slow-ttfb");
  CHECK(x["priority"] == "warning");
  CHECK(x["saving_seconds"].get<double>() == Approx(0.7));
  CHECK(x["saving_bytes"] == 0);
  CHECK(x["evidence"]["samples"].get<int>() >= 1438);  // the CLI's now is a moment later
  CHECK(j["series_analysed"] == 2);
  CHECK(j["warnings"].empty());
}

TEST_CASE("insights prints text by default and html on request") {
  Fixture f;
  auto text = runShopwatch("insights -c " + f.cfg);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("slow-ttfb  acme/home") != std::string::npos);
  CHECK(text.out.find("server time is") != std::string::npos);
  const auto out = (f.dir.path() / "insights.html").string();
  auto html = runShopwatch("insights -c " + f.cfg + " --format html -o " + out);
  REQUIRE(html.code == 0);
  std::ifstream in(out);
  std::stringstream body;
  body << in.rdbuf();
  CHECK(body.str().find("<h2>What to improve next</h2>") != std::string::npos);
  CHECK(body.str().find("<code>slow-ttfb</code>") != std::string::npos);
}

TEST_CASE("insights --shop limits the findings and refuses an unknown shop") {
  Fixture f;
  auto other = runShopwatch("insights -c " + f.cfg + " --shop other --format json");
  REQUIRE(other.code == 0);
  CHECK(nlohmann::json::parse(other.out)["findings"].empty());
  auto unknown = runShopwatch("insights -c " + f.cfg + " --shop nope", "", true);
  CHECK(unknown.code == 1);
  CHECK(unknown.out.find("--shop nope: no such shop") != std::string::npos);
  CHECK(runShopwatch("insights -c " + f.cfg + " --format pdf").code == 2);
}

TEST_CASE("insights without a database warns and finds nothing") {
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", config((dir.path() / "missing.db").string()));
  auto o = runShopwatch("insights -c " + cfg + " --format json");
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  CHECK(j["findings"].empty());
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0].get<std::string>().find("no stored results") != std::string::npos);
}

TEST_CASE("report lists the stored timings' slow-ttfb finding as what to improve next") {
  Fixture f;
  const std::string month = utcMonth(0);
  auto o = runShopwatch("report -c " + f.cfg + " --month " + month + " --format json");
  INFO(o.out);
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  REQUIRE(j["improvements"].size() == 1);
  const auto& x = j["improvements"][0];
  CHECK(x.size() == 9);
  CHECK(x["shop"] == "acme");
  CHECK(x["env"] == "production");
  CHECK(x["check"] == "home");
  CHECK(x["step"] == "");
  CHECK(x["finding"] == "slow-ttfb");
  CHECK(x["priority"] == "warning");
  CHECK(x["saving_seconds"].get<double>() == Approx(0.7));
  CHECK(x["saving_bytes"] == 0);
  CHECK(x["summary"].get<std::string>().find("server time is") != std::string::npos);

  auto text = runShopwatch("report -c " + f.cfg + " --month " + month);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("What to improve next") != std::string::npos);
  CHECK(text.out.find("slow-ttfb  acme/home: server time p95 is 900 ms") != std::string::npos);
  auto html = runShopwatch("report -c " + f.cfg + " --month " + month + " --format html");
  REQUIRE(html.code == 0);
  CHECK(html.out.find("<h2>What to improve next</h2>") != std::string::npos);
  CHECK(html.out.find("<code>slow-ttfb</code>") != std::string::npos);

  // --shop: only that shop's findings.
  auto other = runShopwatch("report -c " + f.cfg + " --month " + month + " --shop other --format json");
  REQUIRE(other.code == 0);
  CHECK(nlohmann::json::parse(other.out)["improvements"].empty());
  auto acme = runShopwatch("report -c " + f.cfg + " --month " + month + " --shop acme --format json");
  REQUIRE(acme.code == 0);
  CHECK(nlohmann::json::parse(acme.out)["improvements"].size() == 1);
}

TEST_CASE("a frozen month keeps the improvements it was frozen with") {
  Fixture f;
  const std::string last_month = utcMonth(1);
  auto frozen = runShopwatch("report -c " + f.cfg + " --month " + last_month + " --freeze --format json");
  INFO(frozen.out);
  REQUIRE(frozen.code == 0);
  const auto first = nlohmann::json::parse(frozen.out);
  REQUIRE(first["improvements"].size() == 1);
  CHECK(first["improvements"][0]["finding"] == "slow-ttfb");

  // acme/home leaves the config: a report built now finds nothing to improve, the frozen month keeps
  // what it was frozen with.
  f.dir.write("acme.yaml",
              "agent:\n  client: acme\n  database: " + f.db +
                  "\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n    checks:\n"
                  "      - {name: checkout, url: /checkout}\n");
  auto now = runShopwatch("report -c " + f.cfg + " --month " + utcMonth(0) + " --format json");
  REQUIRE(now.code == 0);
  CHECK(nlohmann::json::parse(now.out)["improvements"].empty());
  auto later = runShopwatch("report -c " + f.cfg + " --month " + last_month + " --format json");
  REQUIRE(later.code == 0);
  const auto j = nlohmann::json::parse(later.out);
  CHECK(j["frozen"] == true);
  CHECK(j["improvements"] == first["improvements"]);
  auto text = runShopwatch("report -c " + f.cfg + " --month " + last_month);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("slow-ttfb  acme/home") != std::string::npos);
}
