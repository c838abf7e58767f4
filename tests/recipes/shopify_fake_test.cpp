// [B2] The Shopify fake's contract, by direct HTTP (libcurl): the theme Ajax API shapes of research
// A5 — variants in /products/<handle>.js, the `cart` cookie, 422 Cart Error, /cart.js totals in
// cents, the 302 from /checkout to a hosted checkout that answers 200.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "http_call.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using Json = nlohmann::json;

using test::HttpReply;

/// One request, no redirects followed. `body` non-empty makes it a POST of `content_type`.
HttpReply request(const std::string& url, const std::string& body = "", const std::string& cookie = "",
                  const std::string& content_type = "application/json") {
  return test::httpCall(body.empty() ? "GET" : "POST", url, body, {},
                        {.content_type = content_type, .cookie = cookie});
}

struct Shop {
  std::unique_ptr<agent::platforms::PlatformFake> fake =
      agent::platforms::makePlatformFake("shopify");
  Shop() { REQUIRE(fake->start("127.0.0.1:0")); }
  std::string url(const std::string& path) const { return fake->baseUrl() + path; }
};

/// "cart=VALUE" from a Set-Cookie answer.
std::string cartCookie(const HttpReply& r) {
  const std::string set = r.header("set-cookie");
  return set.substr(0, set.find(';'));
}

}  // namespace

TEST_CASE("shopify fake: /products/<handle>.js lists variants with ids and availability") {
  Shop shop;
  auto r = request(shop.url("/products/classic-tee.js"));
  CHECK(r.status == 200);
  auto j = r.json();
  CHECK(j["variants"][0]["id"] == 41001);  // numeric ids
  CHECK(j["variants"][0]["available"] == true);
  CHECK(j["variants"][0]["price"] == 2500);  // cents
  CHECK(request(shop.url("/products/nope.js")).status == 404);
  shop.fake->setFault("sold-out", true);
  CHECK(request(shop.url("/products/classic-tee.js")).json()["variants"][0]["available"] == false);
}

TEST_CASE("shopify fake: add.js sets the cart cookie; cart.js shows the cart by that cookie") {
  Shop shop;
  auto add = request(shop.url("/cart/add.js"), R"({"items":[{"id":41002,"quantity":2}]})");
  REQUIRE(add.status == 200);
  CHECK(add.json()["items"][0]["quantity"] == 2);
  const std::string cart = cartCookie(add);
  REQUIRE(cart.starts_with("cart="));
  auto again = request(shop.url("/cart/add.js"), "id=41002&quantity=1", cart,
                       "application/x-www-form-urlencoded");
  CHECK(again.json()["quantity"] == 3);  // research A5: the new total for a line already in the cart
  CHECK(again.header("set-cookie").empty());
  auto c = request(shop.url("/cart.js"), "", cart).json();
  CHECK(c["item_count"] == 3);
  CHECK(c["total_price"] == 7500);
  CHECK(c["token"] == cart.substr(5));
  CHECK(request(shop.url("/cart.js")).json()["item_count"] == 0);  // another visitor
  CHECK(shop.fake->counters().sessions == 1);
  CHECK(shop.fake->counters().open_carts == 1);
  auto cleared = request(shop.url("/cart/clear.js"), "{}", cart).json();
  CHECK(cleared["item_count"] == 0);
  CHECK(shop.fake->counters().open_carts == 0);
}

TEST_CASE("shopify fake: a sold-out add is 422 with the Cart Error body") {
  Shop shop;
  shop.fake->setFault("sold-out", true);
  auto r = request(shop.url("/cart/add.js"), R"({"items":[{"id":41001,"quantity":1}]})");
  CHECK(r.status == 422);
  auto j = r.json();
  CHECK(j["status"] == 422);
  CHECK(j["message"] == "Cart Error");
  CHECK(j["description"].get<std::string>().find("sold out") != std::string::npos);
  shop.fake->clearFaults();
  shop.fake->setFault("throttled", true);
  auto t = request(shop.url("/cart/add.js"), R"({"id":41001})");
  CHECK(t.status == 429);
  CHECK_FALSE(t.header("retry-after").empty());
}

TEST_CASE("shopify fake: /checkout redirects to the hosted checkout, which answers 200") {
  Shop shop;
  CHECK(request(shop.url("/checkout")).header("location").ends_with("/cart"));  // empty cart
  const std::string cart =
      cartCookie(request(shop.url("/cart/add.js"), R"({"items":[{"id":42001,"quantity":1}]})"));
  auto r = request(shop.url("/checkout"), "", cart);
  CHECK(r.status == 302);
  const std::string location = r.header("location");
  REQUIRE(location.find("/checkouts/cn/") != std::string::npos);
  CHECK(request(location).status == 200);
  CHECK(request(shop.url("/checkouts/cn/unknown")).status == 404);
  shop.fake->setFault("bot-protection", true);
  auto challenged = request(shop.url("/checkout"), "", cart);
  CHECK(challenged.status == 302);
  CHECK(challenged.header("location").find("/checkpoint") != std::string::npos);
  CHECK(shop.fake->counters().orders == 0);
}

TEST_CASE("shopify fake: change.js sets a line's quantity; 0 removes it") {
  Shop shop;
  const std::string cart =
      cartCookie(request(shop.url("/cart/add.js"), R"({"items":[{"id":41001,"quantity":1}]})"));
  CHECK(request(shop.url("/cart/change.js"), R"({"id":"41001","quantity":4})", cart).json()["item_count"] == 4);
  CHECK(request(shop.url("/cart/change.js"), R"({"line":1,"quantity":0})", cart).json()["item_count"] == 0);
  CHECK(request(shop.url("/cart/change.js"), R"({"line":1,"quantity":1})", cart).status == 400);
}
