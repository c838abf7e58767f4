// Journeys: every extraction kind, typed JSON substitution, client cookies, optional extraction,
// built-ins, and the CSS selector subset.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "html_select.h"
#include "journey_test_support.h"
#include "journey_variables.h"

namespace {

using namespace shopwatch;
using namespace shopwatch::probes::test;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using Kind = core::Extraction::Kind;

std::string reasonOf(const core::ProbeResult& r) { return std::string(core::toString(r.failure)); }

constexpr const char* kPage = R"(<html><body>
  <div id="main"><form class="cart big"><input type="hidden" name="_csrf" value="csrf-7f3a9">
  <span class="price">  12.50
   EUR </span></form></div>
  <p class="price">other</p><script>var token = "tok-regex-42";</script></body></html>)";

constexpr const char* kJson =
    R"({"cart":{"id":42,"open":true,"items":[{"sku":"a","id":"first"},{"sku":"b","id":"second"}]}})";

}  // namespace

TEST_CASE("a journey extracts by css, regex, json, json_find, header and cookie", "[journey]") {
  FakeHttpServer server;
  server.respond("/page", FakeResponse{200, {{"Content-Type", "text/html"}}, kPage});
  server.respond("/cart.json", FakeResponse{200,
                                            {{"Content-Type", "application/json"},
                                             {"X-Cart-Version", "v-0815"},
                                             {"Set-Cookie", "cart_session=cs-123456; Path=/"}},
                                            kJson});
  server.status("/use", 200, "ok");

  auto page = stepFor("page", server.url("/page"));
  auto css = extraction("csrf", Kind::Css, R"(form.cart input[name="_csrf"])");
  css.attribute = "value";
  auto text = extraction("price", Kind::Css, "#main .price");
  page.extract = {css, text, extraction("token", Kind::Regex, R"re(token = "([^"]+)")re")};
  auto cart = stepFor("cart", server.url("/cart.json"));
  auto find = extraction("item", Kind::JsonFind, "/cart/items");
  find.where_field = "/sku";
  find.where_value = "b";
  find.take = "/id";
  cart.extract = {extraction("cart_id", Kind::Json, "/cart/id"), find,
                  extraction("version", Kind::Header, "x-cart-version"),
                  extraction("session", Kind::Cookie, "cart_session")};
  auto use = stepFor(
      "use",
      server.url("/use?c=${csrf}&t=${token}&id=${cart_id}&i=${item}&v=${version}&s=${session}"));
  use.request.headers = {{"X-Price", "${price}"}};
  auto r = probes::probeOnce(journeyCheck({page, cart, use}));
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(lastRequest(server, "/use").target ==
        "/use?c=csrf-7f3a9&t=tok-regex-42&id=42&i=second&v=v-0815&s=cs-123456");
  CHECK(headerOf(lastRequest(server, "/use"), "x-price") == "12.50 EUR");
  CHECK(stepNamed(r, "page").result.extracted ==
        std::vector<std::string>{"csrf", "price", "token"});
  CHECK(stepNamed(r, "cart").result.extracted.size() == 4);
  CHECK(r.steps.size() == 3);
}

TEST_CASE("a json body takes a variable's JSON type where a value is exactly the reference",
          "[journey]") {
  FakeHttpServer server;
  server.respond("/cart.json", FakeResponse{200, {{"Content-Type", "application/json"}}, kJson});
  server.status("/order", 200, "{}");
  auto cart = stepFor("cart", server.url("/cart.json"));
  cart.extract = {extraction("id", Kind::Json, "/cart/id"),
                  extraction("open", Kind::Json, "/cart/open"),
                  extraction("first", Kind::Json, "/cart/items/0")};
  auto order = stepFor("order", server.url("/order"), "POST");
  order.body_kind = core::BodyKind::Json;
  order.json =
      R"({"cart_id":"${id}","open":"${open}","item":"${first}","note":"cart ${id} \"q\"","nested":["${id}"]})";
  auto r = probes::probeOnce(journeyCheck({cart, order}));
  INFO(r.message);
  REQUIRE(r.success);
  const auto sent = lastRequest(server, "/order");
  CHECK(headerOf(sent, "content-type") == "application/json");
  auto body = nlohmann::json::parse(sent.body);
  CHECK(body["cart_id"] == 42);
  CHECK(body["open"] == true);
  CHECK(body["item"]["sku"] == "a");
  CHECK(body["note"] == "cart 42 \"q\"");
  CHECK(body["nested"][0] == 42);
}

TEST_CASE("a form body is urlencoded and cookies set by the client reach the server", "[journey]") {
  FakeHttpServer server;
  server.status("/cart/add", 200, "added");
  auto add = stepFor("add-to-cart", server.url("/cart/add"), "POST");
  add.body_kind = core::BodyKind::Form;
  add.form = {{"sku", "sku 1&2"}, {"qty", "1"}, {"key", "${random_hex:8}"}};
  add.cookies = {{"form_key", "fk-${now}"}};
  auto r = probes::probeOnce(journeyCheck({add}));
  INFO(r.message);
  REQUIRE(r.success);
  const auto sent = lastRequest(server, "/cart/add");
  CHECK(headerOf(sent, "content-type") == "application/x-www-form-urlencoded");
  CHECK(sent.body.starts_with("sku=sku+1%262&qty=1&key="));
  CHECK(sent.body.size() == std::string("sku=sku+1%262&qty=1&key=").size() + 8);
  CHECK(headerOf(sent, "cookie").starts_with("form_key=fk-1"));
}

TEST_CASE("an optional extraction keeps the previous value and a required one fails the step",
          "[journey]") {
  FakeHttpServer server;
  server.status("/first", 200, "token=aaa111;");
  server.status("/second", 200, "no token here");
  server.status("/echo", 200, "ok");
  auto first = stepFor("first", server.url("/first"));
  first.extract = {extraction("tok", Kind::Regex, "token=([a-z0-9]+);")};
  auto second = stepFor("second", server.url("/second"));
  auto optional = extraction("tok", Kind::Regex, "token=([a-z0-9]+);");
  optional.optional = true;
  second.extract = {optional};
  auto echo = stepFor("echo", server.url("/echo?t=${tok}"));

  SECTION("optional") {
    auto r = probes::probeOnce(journeyCheck({first, second, echo}));
    INFO(r.message);
    REQUIRE(r.success);
    CHECK(lastRequest(server, "/echo").target == "/echo?t=aaa111");
    CHECK(stepNamed(r, "second").result.extracted.empty());
  }
  SECTION("required") {
    second.extract.front().optional = false;
    auto r = probes::probeOnce(journeyCheck({first, second, echo}));
    CHECK_FALSE(r.success);
    CHECK(reasonOf(r) == "extraction");
    CHECK(r.failed_step == "second");
    CHECK(r.message.find("${tok}") != std::string::npos);
    CHECK(stepNamed(r, "echo").skipped);
  }
}

TEST_CASE("a reference to an unset variable fails the step with extraction naming it",
          "[journey]") {
  FakeHttpServer server;
  server.status("/a", 200, "ok");
  auto r = probes::probeOnce(journeyCheck({stepFor("a", server.url("/a?x=${nobody}"))}));
  CHECK(reasonOf(r) == "extraction");
  CHECK(r.message.find("${nobody}") != std::string::npos);
  CHECK(server.requestCount("/a") == 0);
}

TEST_CASE("built-in variables have their documented shapes", "[journey]") {
  probes::detail::Variables none;
  auto random = probes::detail::substitute("${random}", none);
  REQUIRE(random);
  CHECK(random->size() == 16);
  auto uuid = probes::detail::substitute("${uuid}", none);
  REQUIRE(uuid);
  CHECK(uuid->size() == 36);
  CHECK((*uuid)[14] == '4');
  auto hex = probes::detail::substitute("${random_hex:5}", none);
  REQUIRE(hex);
  CHECK(hex->find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(hex->size() == 5);
  auto iso = probes::detail::substitute("${now_iso}", none);
  REQUIRE(iso);
  CHECK(iso->size() == 20);
  CHECK(iso->back() == 'Z');
  CHECK_FALSE(probes::detail::substitute("${random_hex:x}", none));
}

TEST_CASE("the css subset selects by tag, id, class, attribute and descendant", "[journey]") {
  // The selector goes through core's parser (the loader's), the match through the engine's.
  auto selectFirst = [](std::string_view html, std::string_view selector,
                        std::string_view attribute) -> core::Result<std::optional<std::string>> {
    auto parsed = core::parseCssSelector(selector);
    if (!parsed) return parsed.error();
    return probes::detail::selectFirst(html, *parsed, attribute);
  };
  const std::string html =
      R"(<div id="a"><p class="x y">one</p><p data-k="v">two</p></div><p class="y">three</p>)";
  CHECK(selectFirst(html, "p", "")->value() == "one");
  CHECK(selectFirst(html, "#a p[data-k]", "data-k")->value() == "v");
  CHECK(selectFirst(html, "p[data-k=v]", "")->value() == "two");
  CHECK(selectFirst(html, "body > p", "").ok() == false);
  CHECK(selectFirst(html, "div .y", "")->value() == "one");
  CHECK(selectFirst(html, "p.y:not(.x)", "").ok() == false);
  CHECK_FALSE(selectFirst(html, "#missing", "")->has_value());
  CHECK_FALSE(selectFirst(html, "p", "href")->has_value());
}
