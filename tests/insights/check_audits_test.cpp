// Which pages of a config the response audits fetch ([F]): GET checks, and the GET steps of a
// journey whose URL needs no variable (once per URL), against a fake shop on loopback.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/insights/check_audits.h"

namespace ins = shopwatch::agent::insights;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using namespace std::chrono_literals;

namespace {

std::string bigHtml() {
  std::string html = "<html><body>";
  while (html.size() < 3000) html += "<p>Arabica, single origin, 250 g.</p>";
  return html + "</body></html>";
}

}  // namespace

TEST_CASE("the audits fetch GET checks and a journey's variable-free GET steps once per page",
          "[insights][audit]") {
  FakeHttpServer shop;
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, bigHtml(), 0ms});
  shop.respond("/p/sku-1", FakeResponse{200, {{"Content-Type", "text/html"}}, bigHtml(), 0ms});
  shop.respond("/api/cart", FakeResponse{200, {{"Content-Type", "application/json"}}, "{}", 0ms});
  const std::string yaml =
      "agent:\n  client: acme\n  database: /nonexistent/acme.db\nshops:\n  - name: acme\n    base_url: " +
      shop.url("") +
      "\n    checks:\n"
      "      - {name: home, url: /}\n"
      "      - {name: api, url: /api/cart, method: POST, body: '{}'}\n"
      "      - name: checkout\n        steps:\n"
      "          - {name: product, url: /p/sku-1, extract: {cart_id: {header: X-Cart}}}\n"
      "          - {name: again, url: /p/sku-1}\n"
      "          - {name: add, url: /cart/add, form: {sku: sku-1}}\n"
      "          - {name: cart, url: '/cart/${cart_id}'}\n"
      "insights:\n  audit_interval: 1h\n";
  auto loaded = shopwatch::agent::loadConfigString(yaml, "acme.yaml");
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.format() + "\n";
  INFO(errors);
  REQUIRE(loaded.ok());
  const auto& config = *loaded.config;
  for (const auto& check : config.checks) {
    if (check->key.check == "checkout") CHECK(ins::auditableSteps(*check) == std::vector<std::string>{"product"});
    if (check->key.check == "api") CHECK_FALSE(ins::auditable(*check));
  }

  shopwatch::probes::HttpProbeEngine engine;
  const auto findings = ins::auditChecks(engine, config, {});
  std::set<std::string> where;
  for (const auto& f : findings) {
    if (f.finding == "no-compression") where.insert(f.key.check + "/" + f.step);
  }
  CHECK(where == std::set<std::string>{"home/", "checkout/product"});
  CHECK(shop.requestCount("/p/sku-1") == 1);
  CHECK(shop.requestCount("/api/cart") == 0);
  CHECK(shop.requestCount("/cart/add") == 0);
}
