// A journey's `vars:` ([B2]): the values a user fills in for a shop, read in order, typed like
// YAML 1.2 scalars, checked for valid names and references, and refused on plain checks. Also a
// step whose whole URL is a variable (a captured Location), resolved when the step runs.
#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

std::string withCheck(const std::string& check) {
  return "agent: {client: acme}\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n"
         "    checks:\n" +
         check;
}

LoadResult load(const std::string& check, std::map<std::string, std::string> env = {}) {
  return loadConfigString(withCheck(check), "acme.yaml", optionsWithEnv(std::move(env)));
}

}  // namespace

TEST_CASE("vars are read in order with their YAML types and may use built-ins and earlier vars") {
  auto result = load(R"(      - name: checkout
        vars:
          product: laptop
          qty: 2
          price: 12.5
          gift: True
          sku: "42"
          email: "probe+${now}@example.com"
          note: "order of ${product}"
          key: ${env:SHOP_KEY}
        steps:
          - name: add
            url: /cart/${product}
            json: {qty: "${qty}", sku: "${sku}", email: "${email}"}
)",
                     {{"SHOP_KEY", "k-secret-1"}});
  INFO(allErrors(result));
  REQUIRE(result.ok());
  const auto* journey = result.config->checks.at(0)->journey();
  REQUIRE(journey != nullptr);
  const auto& vars = journey->vars;
  REQUIRE(vars.size() == 8);
  CHECK(vars[0].name == "product");
  CHECK(vars[0].value == "laptop");
  CHECK_FALSE(vars[0].typed);
  CHECK(vars[1].value == "2");
  CHECK(vars[1].typed);
  CHECK(vars[2].value == "12.5");
  CHECK(vars[2].typed);
  CHECK(vars[3].value == "true");  // spelled as JSON spells it
  CHECK(vars[3].typed);
  CHECK(vars[4].value == "42");
  CHECK_FALSE(vars[4].typed);  // quoted: a string
  CHECK(vars[5].value == "probe+${now}@example.com");
  CHECK(vars[6].value == "order of ${product}");
  CHECK(vars[7].value == "k-secret-1");
  // A secret from the environment stays a secret of the check.
  const auto& secrets = result.config->checks.at(0)->secrets;
  CHECK(std::find(secrets.begin(), secrets.end(), "k-secret-1") != secrets.end());
}

TEST_CASE("bad vars are errors at their place") {
  struct Case {
    const char* vars;
    const char* message;
  };
  const Case cases[] = {
      {"{Product: x}", "invalid variable name `Product`"},
      {"{now: x}", "`now` is a built-in"},
      {"{a: [1, 2]}", "expected a text, number or boolean value"},
      {"{a: \"${b}\", b: x}", "undefined variable `${b}`"},
      {"{a: \"${random_hex:0}\"}", "needs N from 1 to 64"},
      {"[a, b]", "expected a map of variable name to value"},
  };
  for (const auto& c : cases) {
    INFO(c.vars);
    auto result = load(std::string("      - name: checkout\n        vars: ") + c.vars +
                       "\n        steps: [{name: a, url: /a}]\n");
    REQUIRE_FALSE(result.ok());
    CHECK(allErrors(result).find(c.message) != std::string::npos);
    CHECK(allErrors(result).find("acme.yaml:7:") != std::string::npos);
  }
}

TEST_CASE("a duplicate var is an error and a step may use vars like extracted variables") {
  auto dup = load(R"(      - name: checkout
        vars: {a: x, a: y}
        steps: [{name: a, url: /a}]
)");
  CHECK_FALSE(dup.ok());
  auto used = load(R"(      - name: checkout
        vars: {slug: laptop}
        steps:
          - name: product
            url: /p/${slug}
            expect: {body_contains: "${slug}"}
)");
  INFO(allErrors(used));
  CHECK(used.ok());
}

TEST_CASE("vars on a plain check or in defaults are errors") {
  auto plain = load("      - name: home\n        url: /\n        vars: {a: b}\n");
  REQUIRE_FALSE(plain.ok());
  CHECK(allErrors(plain).find("`vars` is for journeys") != std::string::npos);
  auto defaults = loadConfigString(
      "agent: {client: acme}\nshops:\n  - name: acme\n    base_url: https://a.example\n"
      "    defaults: {vars: {a: b}}\n    checks:\n      - name: home\n        url: /\n",
      "acme.yaml", optionsWithEnv());
  CHECK_FALSE(defaults.ok());
}

TEST_CASE("a later step's url may be a variable and the first step's may not") {
  auto later = load(R"(      - name: checkout
        steps:
          - name: cart
            url: /checkout
            follow_redirects: false
            extract: {next: {header: location}}
          - name: hosted
            url: ${next}
)");
  INFO(allErrors(later));
  REQUIRE(later.ok());
  const auto* journey = later.config->checks.at(0)->journey();
  CHECK(journey->steps.at(0).request.url == "https://shop.acme.example/checkout");
  CHECK(journey->steps.at(1).request.url == "${next}");

  auto first = load(R"(      - name: checkout
        vars: {start: /x}
        steps:
          - name: a
            url: ${start}
)");
  REQUIRE_FALSE(first.ok());
  CHECK(allErrors(first).find("acme.yaml:10:18") != std::string::npos);
  CHECK(allErrors(first).find("the first step's url cannot start with a variable") !=
        std::string::npos);
}
