// Journey rules that make a config invalid: each error at the FILE:LINE:COL of what broke it.
#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"

using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

const char* kShopPrefix = R"(
agent:
  client: acme
shops:
  - name: acme
    base_url: https://shop.acme.example
    checks:
)";

struct ErrorCase {
  const char* rule;
  const char* checks;  ///< the shop's `checks:` list, indented by 6
  const char* at;      ///< the text the error must point at (its first occurrence in `checks`)
  const char* path;
  const char* message;
};

/// 1-based line and column of the first occurrence of `needle` in `text`.
std::pair<int, int> positionOf(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') ++line, line_start = i + 1;
  }
  return {line, static_cast<int>(at - line_start) + 1};
}

// Each case breaks one rule once; it must be the only error, at its place.
const ErrorCase kCases[] = {
    {"a journey has no check-level url", R"(
      - name: j
        url: /
        steps: [{name: a, url: /a}]
)",
     "url: /", "shops[0].checks[0].url", "has no check-level `url`"},
    {"request keys belong in steps", R"(
      - name: j
        headers: {X-A: b}
        steps: [{name: a, url: /a}]
)",
     "headers", "shops[0].checks[0].headers", "`headers` belongs in a step"},
    {"a journey's limit is journey_timeout", R"(
      - name: j
        timeout: 5s
        steps: [{name: a, url: /a}]
)",
     "timeout", "shops[0].checks[0].timeout", "run limit is `journey_timeout`"},
    {"journey_timeout is for journeys only", R"(
      - name: j
        url: /
        journey_timeout: 5s
)",
     "5s", "shops[0].checks[0].journey_timeout", "`journey_timeout` is for journeys"},
    {"a check needs url or steps", R"(
      - name: j
        interval: 60s
)",
     "name: j", "shops[0].checks[0].url",
     "missing required key `url` (a path relative to base_url, or an absolute URL) or `steps`"},
    {"cleanup needs steps", R"(
      - name: j
        cleanup: [{name: a, url: /a}]
)",
     "name: j", "shops[0].checks[0].steps", "`cleanup` needs `steps`"},
    {"steps must be a non-empty list", R"(
      - name: j
        steps: []
)",
     "[]", "shops[0].checks[0].steps", "expected a non-empty list of steps"},
    {"journey_timeout must not exceed the interval", R"(
      - name: j
        interval: 30s
        journey_timeout: 45s
        steps: [{name: a, url: /a}]
)",
     "45s", "shops[0].checks[0].journey_timeout", "journey_timeout 45s exceeds interval 30s"},
    {"a step timeout must not exceed journey_timeout", R"(
      - name: j
        journey_timeout: 20s
        steps:
          - {name: a, url: /a, timeout: 25s}
)",
     "25s", "shops[0].checks[0].steps[0].timeout",
     "timeout 25s of step `a` exceeds journey_timeout 20s"},
    {"a journey runs at most every 10s", R"(
      - name: j
        interval: 5s
        steps: [{name: a, url: /a}]
)",
     "5s", "shops[0].checks[0].interval",
     "a journey's interval must be at least 10s, got 5s for check `j`: each run drives a real "
     "cart"},
    {"at most one body key per step", R"(
      - name: j
        steps:
          - name: a
            url: /a
            form: {x: "1"}
            json: {x: 1}
)",
     "{x: 1}", "shops[0].checks[0].steps[0].json", "at most one body: `form` and `json`"},
    {"extract regex is RE2, compiled at load", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {regex: "a(b"}}
)",
     "\"a(b\"", "shops[0].checks[0].steps[0].extract.tok.regex", "invalid RE2 regular expression"},
    {"extract regex needs a group", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {regex: "token=\\w+"}}
)",
     "\"token", "shops[0].checks[0].steps[0].extract.tok.regex", "needs a capturing group"},
    {"css selectors outside the subset are rejected", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {css: "form > input", attr: value}}
)",
     "\"form", "shops[0].checks[0].steps[0].extract.tok.css",
     "`>` at column 6 is not supported (supported: tag, #id, .class"},
    {"an empty css selector is rejected", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {css: "  "}}
)",
     "\"  \"", "shops[0].checks[0].steps[0].extract.tok.css", "an empty selector selects nothing"},
    {"attr goes with css only", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {json: /a, attr: value}}
)",
     "attr", "shops[0].checks[0].steps[0].extract.tok.attr", "`attr` goes with `css` only"},
    {"one source per extraction", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {json: /a, header: X-Tok}}
)",
     "{json", "shops[0].checks[0].steps[0].extract.tok", "needs exactly one of `regex`"},
    {"extraction pointers are RFC 6901", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {json: cart.id}}
)",
     "cart.id", "shops[0].checks[0].steps[0].extract.tok.json", "invalid JSON pointer `cart.id`"},
    {"variable names are lowercase", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {cartId: {json: /id}}
)",
     "cartId", "shops[0].checks[0].steps[0].extract.cartId", "invalid variable name `cartId`"},
    {"built-in names cannot be extracted", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {uuid: {json: /id}}
)",
     "uuid", "shops[0].checks[0].steps[0].extract.uuid", "`uuid` is a built-in variable"},
    {"an undefined variable in a url", R"(
      - name: j
        steps:
          - name: a
            url: /cart/${cart_id}
)",
     "/cart/${cart_id}", "shops[0].checks[0].steps[0].url",
     "undefined variable `${cart_id}`: no earlier step extracts `cart_id`"},
    {"a variable a later step extracts is named as such", R"(
      - name: j
        steps:
          - name: a
            url: /a
            headers: {X-Cart: "${cart_id}"}
          - name: b
            url: /b
            extract: {cart_id: {json: /id}}
)",
     "\"${cart_id}\"", "shops[0].checks[0].steps[0].headers.X-Cart",
     "no earlier step extracts `cart_id` (step `b` extracts it, later)"},
    {"a step cannot use its own extraction", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extract: {tok: {header: X-Tok}}
            expect: {body_contains: "${tok}"}
)",
     "\"${tok}\"", "shops[0].checks[0].steps[0].expect.body_contains",
     "undefined variable `${tok}`"},
    {"an undefined variable in a form value", R"(
      - name: j
        steps:
          - name: a
            url: /a
            form: {sku: x, _csrf: "${csrf}"}
)",
     "\"${csrf}\"", "shops[0].checks[0].steps[0].form._csrf", "undefined variable `${csrf}`"},
    {"an undefined variable in a cookie", R"(
      - name: j
        steps:
          - name: a
            url: /a
            cookies: {form_key: "${key}"}
)",
     "\"${key}\"", "shops[0].checks[0].steps[0].cookies.form_key", "undefined variable `${key}`"},
    {"an undefined variable inside a json body", R"(
      - name: j
        steps:
          - name: a
            url: /a
            json: {cart: {id: "${cart}"}}
)",
     "\"${cart}\"", "shops[0].checks[0].steps[0].json.cart.id", "undefined variable `${cart}`"},
    {"an invalid reference", R"(
      - name: j
        steps:
          - name: a
            url: /a
            body: "token=${Token}"
)",
     "\"token", "shops[0].checks[0].steps[0].body", "invalid reference `${Token}`"},
    {"random_hex takes 1 to 64", R"(
      - name: j
        steps:
          - name: a
            url: /a
            body: "n=${random_hex:65}"
)",
     "\"n=", "shops[0].checks[0].steps[0].body", "`${random_hex:N}` needs N from 1 to 64"},
    {"skip_if names an earlier variable", R"(
      - name: j
        steps:
          - name: a
            url: /a
            skip_if: {var: state, equals: done}
)",
     "state", "shops[0].checks[0].steps[0].skip_if.var", "undefined variable `state`"},
    {"skip_if without var is an error, not an internal one (found by the config fuzzer)", R"(
      - name: j
        steps:
          - name: a
            url: /a
            skip_if: {equals: done}
)",
     "{equals: done}", "shops[0].checks[0].steps[0].skip_if.var", "missing required key `var`"},
    {"step names are unique, cleanup included", R"(
      - name: j
        steps:
          - {name: cart, url: /a}
        cleanup:
          - {name: cart, url: /b}
)",
     "cart, url: /b", "shops[0].checks[0].cleanup[0].name", "duplicate step name `cart`"},
    {"step names are identities", R"(
      - name: j
        steps:
          - {name: Add To Cart, url: /a}
)",
     "Add To Cart", "shops[0].checks[0].steps[0].name", "invalid name `Add To Cart`"},
    {"a step needs a url", R"(
      - name: j
        steps:
          - {name: a}
)",
     "{name: a}", "shops[0].checks[0].steps[0].url", "missing required key `url`"},
    {"max_attempts is 1-100", R"(
      - name: j
        steps:
          - name: a
            url: /a
            repeat_until: {json: /state, one_of: [done], max_attempts: 101}
)",
     "101", "shops[0].checks[0].steps[0].repeat_until.max_attempts", "between 1 and 100"},
    {"repeat_until needs one_of", R"(
      - name: j
        steps:
          - name: a
            url: /a
            repeat_until: {json: /state}
)",
     "{json: /state}", "shops[0].checks[0].steps[0].repeat_until.one_of",
     "missing required key `one_of`"},
    {"a json body is a mapping or list", R"(
      - name: j
        steps:
          - name: a
            url: /a
            json: "{}"
)",
     "\"{}\"", "shops[0].checks[0].steps[0].json", "expected a YAML mapping or list"},
    {"graphql needs a query", R"(
      - name: j
        steps:
          - name: a
            url: /a
            graphql: {variables: {id: 1}}
)",
     "{variables", "shops[0].checks[0].steps[0].graphql.query", "missing required key `query`"},
    {"an unknown step key suggests the closest", R"(
      - name: j
        steps:
          - name: a
            url: /a
            extrct: {}
)",
     "extrct", "shops[0].checks[0].steps[0].extrct", "did you mean `extract`?"},
    {"interval is a check key, not a step key", R"(
      - name: j
        steps:
          - name: a
            url: /a
            interval: 30s
)",
     "interval: 30s", "shops[0].checks[0].steps[0].interval", "unknown key `interval`"},
};

}  // namespace

TEST_CASE("each journey rule is an error at the place that breaks it") {
  for (const auto& c : kCases) {
    SECTION(c.rule) {
      const std::string checks = yaml(c.checks);
      const std::string text = yaml(kShopPrefix) + checks;
      auto result = loadConfigString(text, "acme.yaml", optionsWithEnv());
      INFO(allErrors(result));
      CHECK_FALSE(result.config);
      REQUIRE(result.errors.size() == 1);
      const ConfigError& e = result.errors[0];
      auto [line, column] = positionOf(text, c.at);
      CHECK(e.file == "acme.yaml");
      CHECK(e.line == line);
      CHECK(e.column == column);
      CHECK(e.path == c.path);
      CHECK_THAT(e.message, Catch::Contains(c.message));
    }
  }
}
