// `shopwatch insights` runs the response audits ([F]) when the config has an `insights:` section:
// a fake shop on loopback whose page comes uncompressed with an uncached stylesheet; --no-audit
// and a config without the section fetch nothing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_test_util.h"
#include "fake_http_server.h"

using namespace shopwatch::cli_test;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using namespace std::chrono_literals;

namespace {

void serveShop(FakeHttpServer& shop) {
  std::string html = "<html><head><link rel=stylesheet href=/app.css></head><body>";
  while (html.size() < 5000) html += "<p>Freshly roasted beans, shipped in a day.</p>";
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, html + "</body></html>", 0ms});
  shop.respond("/app.css", FakeResponse{200, {{"Content-Type", "text/css"}}, std::string(3000, 'a'), 0ms});
}

std::string config(const TempDir& dir, const FakeHttpServer& shop, bool with_insights) {
  return "agent:\n  client: acme\n  database: " + (dir.path() / "none.db").string() +
         "\nshops:\n  - name: acme\n    base_url: " + shop.url("") + "\n    checks:\n      - {name: home, url: /}\n" +
         (with_insights ? "insights:\n  audit_interval: 6h\n" : "");
}

std::set<std::string> ids(const std::string& json) {
  std::set<std::string> out;
  const auto doc = nlohmann::json::parse(json);
  for (const auto& f : doc["findings"]) out.insert(f["finding"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("insights audits the config's pages and --no-audit leaves them alone") {
  FakeHttpServer shop;
  serveShop(shop);
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", config(dir, shop, true));
  auto o = runShopwatch("insights -c " + cfg + " --format json");
  INFO(o.out);
  REQUIRE(o.code == 0);
  const auto found = ids(o.out);
  CHECK(found == std::set<std::string>{"no-cache-headers", "no-compression"});
  const auto j = nlohmann::json::parse(o.out);
  CHECK(j["findings"][0]["finding"] == "no-compression");  // html + css: the larger saving first
  CHECK(j["findings"][0]["saving_bytes"].get<double>() > 5000);
  CHECK(shop.requestCount("/app.css") == 1);

  auto off = runShopwatch("insights -c " + cfg + " --format json --no-audit");
  INFO(off.out);
  REQUIRE(off.code == 0);
  CHECK(ids(off.out).empty());
  CHECK(shop.requestCount("/") == 1);

  const auto plain = dir.write("plain.yaml", config(dir, shop, false));
  auto none = runShopwatch("insights -c " + plain + " --format json");
  REQUIRE(none.code == 0);
  CHECK(ids(none.out).empty());
  CHECK(shop.requestCount("/") == 1);
}
