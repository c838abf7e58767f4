// Journeys (checks with `steps:`) as the loader produces them: the issue's example field by field,
// derived timeouts, bodies, extractions, defaults, variables and the order-placement warning.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/config_reference.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;
using Kind = core::Extraction::Kind;
using Pairs = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(SHOPWATCH_SOURCE_DIR) + "/tests/fixtures/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A config with one shop (`defaults` optional) whose only check is the journey `check`.
std::string journeyConfig(const std::string& check, const std::string& defaults = "") {
  std::string text =
      "agent: {client: acme}\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n";
  if (!defaults.empty()) text += "    defaults: " + defaults + "\n";
  return text + "    checks:\n" + check;
}

LoadResult load(const std::string& text, std::map<std::string, std::string> env = {}) {
  return loadConfigString(text, "acme.yaml", optionsWithEnv(std::move(env)));
}

const core::Check& onlyCheck(const LoadResult& result) {
  INFO(allErrors(result));
  REQUIRE(result.config);
  REQUIRE(result.config->checks.size() == 1);
  return *result.config->checks.front();
}

const core::JourneyProbe& journeyOf(const LoadResult& result) {
  const core::Check& check = onlyCheck(result);
  REQUIRE(check.journey());
  return *check.journey();
}

/// The single step of a journey whose only step is `step` (YAML, indented as a list item by 10).
const core::JourneyStep& onlyStep(const LoadResult& result) {
  const core::JourneyProbe& journey = journeyOf(result);
  REQUIRE(journey.steps.size() == 1);
  return journey.steps.front();
}

LoadResult loadStep(const std::string& step, const std::string& defaults = "",
                    std::map<std::string, std::string> env = {}) {
  return load(journeyConfig("      - name: j\n        steps:\n" + step, defaults), std::move(env));
}

}  // namespace

TEST_CASE("the issue's journey example loads exactly as written") {
  auto result = load(readFixture("issue-b1-journey.yaml"));
  INFO(allErrors(result));
  REQUIRE(result.errors.empty());
  CHECK(result.warnings.empty());
  const core::Check& check = onlyCheck(result);
  CHECK(check.key == core::CheckKey{"acme", "production", "checkout"});
  CHECK(check.http() == nullptr);
  CHECK(check.schedule.interval == 5min);
  CHECK(check.schedule.timeout == 60s);
  CHECK(check.schedule.confirm);
  CHECK(check.schedule.confirm_delay == 5s);
  const core::JourneyProbe& journey = journeyOf(result);
  REQUIRE(journey.steps.size() == 3);
  REQUIRE(journey.cleanup.size() == 1);

  const core::JourneyStep& product = journey.steps[0];
  CHECK(product.name == "product");
  CHECK(product.request.method == "GET");
  CHECK(product.request.url == "https://shop.acme.example/p/sku-123");
  CHECK(product.request.timeout == 60s);
  CHECK(product.request.user_agent == "shopwatch (agency monitoring)");
  CHECK(product.body_kind == core::BodyKind::None);
  REQUIRE(product.extract.size() == 1);
  CHECK(product.extract[0].variable == "csrf");
  CHECK(product.extract[0].kind == Kind::Css);
  CHECK(product.extract[0].expression == "input[name=\"_csrf\"]");
  CHECK(product.extract[0].attribute == "value");
  CHECK_FALSE(product.extract[0].optional);
  CHECK(product.expect.status.empty());

  const core::JourneyStep& add = journey.steps[1];
  CHECK(add.name == "add-to-cart");
  CHECK(add.request.method == "POST");
  CHECK(add.request.url == "https://shop.acme.example/cart/add");
  CHECK(add.body_kind == core::BodyKind::Form);
  CHECK(add.form == Pairs{{"sku", "sku-123"}, {"qty", "1"}, {"_csrf", "${csrf}"}});
  CHECK(add.request.body.empty());
  CHECK(add.expect.status == std::vector<std::pair<int, int>>{{200, 200}, {302, 302}});
  CHECK(add.extract.empty());

  const core::JourneyStep& cart = journey.steps[2];
  CHECK(cart.name == "cart");
  CHECK(cart.request.method == "GET");
  CHECK(cart.request.url == "https://shop.acme.example/cart");
  CHECK(cart.request.timeout == 5s);
  REQUIRE(cart.extract.size() == 1);
  CHECK(cart.extract[0].variable == "cart_id");
  CHECK(cart.extract[0].kind == Kind::Json);
  CHECK(cart.extract[0].expression == "/cart/id");
  CHECK(cart.expect.body_contains == std::optional<std::string>("sku-123"));
  CHECK(cart.expect.max_duration == std::optional<core::Micros>(2s));

  const core::JourneyStep& empty = journey.cleanup[0];
  CHECK(empty.name == "empty-cart");
  CHECK(empty.request.method == "POST");
  CHECK(empty.request.url == "https://shop.acme.example/cart/clear");
  CHECK(empty.body_kind == core::BodyKind::None);
  CHECK(empty.request.timeout == 60s);
}

TEST_CASE("an unset journey_timeout is min(60s, interval), and steps inherit it") {
  struct Case {
    const char* interval;
    core::Micros timeout;
    ValueSource source;
  };
  for (const Case& c :
       {Case{"5m", 60s, ValueSource::Default}, Case{"30s", 30s, ValueSource::Derived},
        Case{"60s", 60s, ValueSource::Default}}) {
    SECTION(c.interval) {
      // The shop's `timeout: 10s` is a plain check's default; it does not bound journeys.
      auto result = load(journeyConfig(std::string("      - name: j\n        interval: ") +
                                           c.interval + "\n        steps: [{name: a, url: /a}]\n",
                                       "{timeout: 10s}"));
      const core::Check& check = onlyCheck(result);
      CHECK(check.schedule.timeout == c.timeout);
      CHECK(onlyStep(result).request.timeout == c.timeout);
      CHECK(result.config->sources.at(check.key).of("journey_timeout") == c.source);
    }
  }
}

TEST_CASE("a step with a body defaults to POST, unless it names its method") {
  struct Case {
    const char* keys;
    core::BodyKind kind;
    const char* method;
  };
  const Case cases[] = {
      {"", core::BodyKind::None, "GET"},
      {"body: \"a=1\"", core::BodyKind::Raw, "POST"},
      {"form: {a: \"1\"}", core::BodyKind::Form, "POST"},
      {"json: {a: 1}", core::BodyKind::Json, "POST"},
      {"graphql: {query: \"{ me { id } }\"}", core::BodyKind::Graphql, "POST"},
      {"json: [1]\n            method: PUT", core::BodyKind::Json, "PUT"},
      {"method: delete", core::BodyKind::None, "DELETE"},
  };
  for (const Case& c : cases) {
    SECTION(c.keys) {
      auto result = loadStep(std::string("          - name: a\n            url: /a\n            ") +
                             c.keys + "\n");
      CHECK(onlyStep(result).body_kind == c.kind);
      CHECK(onlyStep(result).request.method == c.method);
    }
  }
}

TEST_CASE("a json body becomes JSON text in file order, typed, with lone variables kept") {
  auto result = loadStep(R"(          - name: a
            url: /a
            extract: {qty: {json: /qty}}
          - name: b
            url: /b
            json: {sku: sku-123, qty: "${qty}", n: 3, ok: true, note: "x ${qty} y", key: "${env:API_KEY}", items: [1, "2"]}
)",
                         "", {{"API_KEY", "s3cr\"et"}});
  INFO(allErrors(result));
  const core::JourneyStep& b = journeyOf(result).steps.at(1);
  CHECK(
      b.json ==
      R"({"sku":"sku-123","qty":"${qty}","n":3,"ok":true,"note":"x ${qty} y","key":"s3cr\"et","items":[1,"2"]})");
  const core::Check& check = onlyCheck(result);
  CHECK(std::find(check.secrets.begin(), check.secrets.end(), "s3cr\"et") != check.secrets.end());
  CHECK(result.config->secrets == std::vector<std::string>{"s3cr\"et"});
}

TEST_CASE("graphql keeps its query and turns variables into JSON text") {
  auto result = loadStep(R"(          - name: a
            url: /shop-api
            graphql:
              query: "mutation($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { code } }"
              variables: {id: "1", qty: 1}
)");
  const core::JourneyStep& step = onlyStep(result);
  CHECK(step.graphql_query ==
        "mutation($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { code } }");
  CHECK(step.graphql_variables == R"({"id":"1","qty":1})");
  CHECK(step.body_kind == core::BodyKind::Graphql);
}

TEST_CASE("cookies and form fields keep their order") {
  auto result = loadStep(R"(          - name: a
            url: /a
            cookies: {form_key: "${random}", b: "2", a: "1"}
            form: {z: "1", a: "2", m: "${uuid}"}
)");
  const core::JourneyStep& step = onlyStep(result);
  CHECK(step.cookies == Pairs{{"form_key", "${random}"}, {"b", "2"}, {"a", "1"}});
  CHECK(step.form == Pairs{{"z", "1"}, {"a", "2"}, {"m", "${uuid}"}});
}

TEST_CASE("every extraction kind loads with its expression") {
  auto result = loadStep(R"y(          - name: a
            url: /a
            extract:
              by_regex: {regex: 'name="token" value="([^"]+)"'}
              by_json: {json: ""}
              by_find: {json_find: {path: /shipping_rates, where: {method_id: flat_rate}, take: /rate_id}}
              by_find_pointer: {json_find: {path: /items, where: {/product/sku: sku-1}}}
              by_header: {header: Vendure-Auth-Token}
              by_cookie: {cookie: PHPSESSID, optional: true}
              by_css: {css: "form#cart .item input[type=hidden][name='qty']", attr: VALUE}
              by_text: {css: h1}
)y");
  const auto& x = onlyStep(result).extract;
  REQUIRE(x.size() == 8);
  CHECK((x[0].variable == "by_regex" && x[0].kind == Kind::Regex));
  CHECK(x[0].expression == R"y(name="token" value="([^"]+)")y");
  CHECK((x[1].kind == Kind::Json && x[1].expression.empty()));
  CHECK(x[2].kind == Kind::JsonFind);
  CHECK(x[2].expression == "/shipping_rates");
  CHECK(x[2].where_field == "/method_id");
  CHECK(x[2].where_value == "flat_rate");
  CHECK(x[2].take == "/rate_id");
  CHECK(x[3].where_field == "/product/sku");
  CHECK(x[3].take.empty());
  CHECK((x[4].kind == Kind::Header && x[4].expression == "Vendure-Auth-Token"));
  CHECK((x[5].kind == Kind::Cookie && x[5].expression == "PHPSESSID" && x[5].optional));
  CHECK(x[6].kind == Kind::Css);
  CHECK(x[6].attribute == "value");
  CHECK((x[7].kind == Kind::Css && x[7].attribute.empty()));
  for (std::size_t i = 0; i < 5; ++i) CHECK_FALSE(x[i].optional);
}

TEST_CASE("repeat_until and skip_if load with their defaults") {
  auto result = loadStep(R"(          - name: a
            url: /a
            extract: {state: {json: /state}}
          - name: poll
            url: /order
            skip_if: {var: state, equals: PaymentSettled}
            repeat_until: {json: /state, one_of: [PaymentAuthorized, PaymentSettled]}
          - name: poll2
            url: /order
            repeat_until: {json: /state, one_of: [3], max_attempts: 30, delay: 2s}
)");
  const auto& steps = journeyOf(result).steps;
  REQUIRE(steps.size() == 3);
  CHECK_FALSE(steps[0].repeat_until);
  REQUIRE(steps[1].skip_if);
  CHECK(steps[1].skip_if->variable == "state");
  CHECK(steps[1].skip_if->equals == "PaymentSettled");
  REQUIRE(steps[1].repeat_until);
  CHECK(steps[1].repeat_until->json_pointer == "/state");
  CHECK(steps[1].repeat_until->one_of ==
        std::vector<std::string>{"PaymentAuthorized", "PaymentSettled"});
  CHECK(steps[1].repeat_until->max_attempts == 10);
  CHECK(steps[1].repeat_until->delay == 1s);
  REQUIRE(steps[2].repeat_until);
  CHECK(steps[2].repeat_until->max_attempts == 30);
  CHECK(steps[2].repeat_until->delay == 2s);
  CHECK(steps[2].repeat_until->one_of == std::vector<std::string>{"3"});
}

TEST_CASE("the shop's request defaults apply to every step, its body and expect do not") {
  auto result =
      loadStep(R"(          - name: a
            url: /a
            headers: {X-Step: "1"}
          - name: b
            url: /b
            user_agent: own
            form: {a: "1"}
)",
               "{headers: {X-Shop: s}, user_agent: shopbot, follow_redirects: false, "
               "body: \"x\", method: PUT, expect: {status: [204]}, tls: {verify: false}}");
  const auto& steps = journeyOf(result).steps;
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].request.headers == Pairs{{"X-Shop", "s"}, {"X-Step", "1"}});
  CHECK(steps[0].request.user_agent == "shopbot");
  CHECK_FALSE(steps[0].request.follow_redirects);
  CHECK_FALSE(steps[0].request.tls.verify);
  CHECK(steps[0].request.body.empty());
  CHECK(steps[0].request.method == "PUT");
  CHECK(steps[0].expect.status.empty());
  CHECK(steps[1].request.user_agent == "own");
  // A body makes a step POST even when the defaults name another method.
  CHECK(steps[1].request.method == "POST");
}

TEST_CASE("variables from earlier steps, built-ins and secrets are accepted everywhere") {
  auto result = loadStep(R"(          - name: login
            url: /login
            form: {user: "${env:SHOP_USER}", nonce: "${random_hex:16}", at: "${now}", iso: "${now_iso}"}
            extract:
              token: {header: X-Token}
              cart: {json: /cart}
          - name: cart
            url: /cart/${cart}?t=${now}
            headers: {Authorization: "Bearer ${token}"}
            cookies: {sid: "${token}"}
            body: "cart=${cart}&r=${random}&u=${uuid}"
            expect:
              body_contains: "${cart}"
              headers: {X-Cart: "^${cart}$"}
              json: [{path: /id, equals: "${cart}"}]
        cleanup:
          - name: clear
            url: /cart/${cart}/clear
            extract: {done: {json: /done}}
          - name: check
            url: /cart/${done}
)",
                         "", {{"SHOP_USER", "probe"}});
  INFO(allErrors(result));
  REQUIRE(result.errors.empty());
  const auto& journey = journeyOf(result);
  CHECK(journey.steps[1].request.url == "https://shop.acme.example/cart/${cart}?t=${now}");
  CHECK(journey.steps[0].form[0] == std::pair<std::string, std::string>{"user", "probe"});
  CHECK(journey.cleanup[1].request.url == "https://shop.acme.example/cart/${done}");
}

TEST_CASE("a step that looks like it places an order is a warning, not an error") {
  struct Case {
    const char* step;
    const char* at;  // the key the warning points at
    const char* marker;
  };
  const Case cases[] = {
      {"url: /store-api/checkout/order\n            method: POST", "url", "/checkout/order"},
      {"url: /rest/default/V1/guest-carts/x/payment-information\n            json: {a: 1}", "url",
       "payment-information"},
      {"url: /checkout/confirm\n            method: PUT", "url", "/checkout/confirm"},
      {"url: /graphql\n            graphql: {query: \"mutation { placeOrder(input: {cart_id: 1}) "
       "{ order { number } } }\"}",
       "graphql", "placeOrder"},
      {"url: /shop-api\n            graphql: {query: \"mutation { addPaymentToOrder(input: {}) { "
       "code } }\"}",
       "graphql", "addPaymentToOrder"},
      {"url: /api\n            json: {query: \"mutation { completeOrder }\"}", "json",
       "completeOrder"},
  };
  for (const Case& c : cases) {
    SECTION(c.marker) {
      const std::string step = std::string("          - name: pay\n            ") + c.step + "\n";
      auto result = loadStep(step);
      INFO(allErrors(result));
      REQUIRE(result.ok());
      REQUIRE(result.warnings.size() == 1);
      const ConfigError& w = result.warnings[0];
      CHECK(w.file == "acme.yaml");
      const int line = std::string(c.at) == "url" ? 9 : 10;
      CHECK(w.line == line);
      CHECK(w.column == 13 + static_cast<int>(std::string(c.at).size()) + 2);
      CHECK(w.path == std::string("shops[0].checks[0].steps[0].") + c.at);
      CHECK_THAT(w.message, Catch::Contains(std::string("(`") + c.marker + "`)"));
      CHECK_THAT(w.message, Catch::Contains("places_order: true"));
      CHECK_THAT(w.formatWarning(), Catch::StartsWith("acme.yaml:" + std::to_string(line) + ":"));
      CHECK_THAT(w.formatWarning(), Catch::Contains(": warning: shops[0].checks[0].steps[0]."));

      auto confirmed = loadStep(step + "            places_order: true\n");
      REQUIRE(confirmed.ok());
      CHECK(confirmed.warnings.empty());
      CHECK(onlyStep(confirmed).places_order);
    }
  }
  auto plain = loadStep("          - name: cart\n            url: /checkout/cart\n");
  CHECK(plain.warnings.empty());
  // A GET reads: Woo's GET /wc/store/v1/checkout shows the draft order, it places none.
  auto read = loadStep("          - name: draft\n            url: /wp-json/wc/store/v1/checkout\n");
  CHECK(read.warnings.empty());
  auto sent = loadStep(
      "          - name: order\n            url: /wp-json/wc/store/v1/checkout\n            json: {}\n");
  CHECK(sent.warnings.size() == 1);
}

TEST_CASE("check-config -v sees each step's method, url, timeout, body and variables") {
  auto result = load(readFixture("issue-b1-journey.yaml"));
  const core::Check& check = onlyCheck(result);
  auto steps = journeySteps(*result.config, check);
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].name == "product");
  CHECK(steps[0].method == "GET");
  CHECK(steps[0].url == "https://shop.acme.example/p/sku-123");
  CHECK(steps[0].timeout == "1m");
  CHECK(steps[0].body == "none");
  CHECK(steps[0].extracts == std::vector<std::string>{"csrf"});
  CHECK_FALSE(steps[0].cleanup);
  CHECK(steps[1].body == "form");
  CHECK(steps[2].timeout == "5s");
  CHECK(steps[2].extracts == std::vector<std::string>{"cart_id"});
  CHECK(steps[3].name == "empty-cart");
  CHECK(steps[3].cleanup);
  bool has_journey_timeout = false;
  for (const auto& value : effectiveValues(*result.config, check)) {
    CHECK(value.key != "timeout");
    CHECK(value.key != "url");
    if (value.key == "journey_timeout") {
      has_journey_timeout = true;
      CHECK(value.value == "1m");
      CHECK(value.source == ValueSource::Set);
    }
  }
  CHECK(has_journey_timeout);
}

TEST_CASE("the key reference lists the step keys and their sub-sections") {
  auto has = [](std::string_view section, std::string_view key) {
    for (const auto& row : keyReference()) {
      if (row.section == section && row.key == key) return true;
    }
    return false;
  };
  CHECK(has("check", "steps"));
  CHECK(has("check", "journey_timeout"));
  for (const char* key :
       {"name", "url", "method", "headers", "timeout", "expect", "form", "json", "graphql",
        "cookies", "extract", "repeat_until", "skip_if", "places_order"}) {
    INFO(key);
    CHECK(has("check.steps[]", key));
  }
  CHECK_FALSE(has("check.steps[]", "interval"));
  CHECK(has("check.steps[].extract.*", "css"));
  CHECK(has("check.steps[].extract.*.json_find", "where"));
  CHECK(has("check.steps[].repeat_until", "max_attempts"));
}

TEST_CASE("the fuzz seeds with every journey key load, and the broken one only with errors") {
  auto all = loadConfigString(readFixture("../fuzz/corpus/config/journey_all_keys.yaml"),
                              "all.yaml", optionsWithEnv({{"U", "probe"}}));
  INFO(allErrors(all));
  REQUIRE(all.ok());
  CHECK(all.warnings.empty());
  REQUIRE(onlyCheck(all).journey());
  CHECK(onlyCheck(all).journey()->steps.size() == 3);
  auto broken = load(readFixture("../fuzz/corpus/config/journey_errors.yaml"));
  CHECK_FALSE(broken.ok());
  CHECK(broken.errors.size() >= 10);
  CHECK(broken.warnings.size() == 1);
}

TEST_CASE("a json body that aliases expand to millions of values is an error, not a hang") {
  auto result = loadStep(R"(          - name: a
            url: /a
            json:
              a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
              b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
              c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
              d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
              e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
              f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
)");
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.errors.size() == 1);
  CHECK_THAT(result.errors[0].message, Catch::Contains("JSON value too large"));
}
