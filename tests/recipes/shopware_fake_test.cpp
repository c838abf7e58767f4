// The Shopware fake's contract, by direct HTTP (research A2), independent of the recipe.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "http_call.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using Json = nlohmann::json;

using test::HttpHeaders;
using test::HttpReply;
using test::httpCall;

const std::string kKey = "SWSCDEMOSHOPWATCH0000000000";

struct Shop {
  std::unique_ptr<agent::platforms::PlatformFake> fake =
      agent::platforms::makePlatformFake("shopware");
  std::string token;
  Shop() { REQUIRE(fake->start("127.0.0.1:0")); }
  HttpReply call(const std::string& method, const std::string& path, const std::string& body = "") {
    HttpHeaders h = {{"sw-access-key", kKey}, {"Accept", "application/json"}};
    if (!token.empty()) h.emplace_back("sw-context-token", token);
    auto r = httpCall(method, fake->baseUrl() + path, body, h);
    if (r.headers.count("sw-context-token")) token = r.header("sw-context-token");
    return r;
  }
  std::string productId() {
    auto r = call("POST", "/store-api/product",
                  R"({"filter":[{"type":"equals","field":"productNumber","value":"SW10001"}]})");
    return r.json()["elements"][0]["id"];
  }
};

}  // namespace

TEST_CASE("shopware fake: a missing or wrong sw-access-key is 401 with a JSON:API error body") {
  Shop shop;
  for (const std::string key : {"", "SWSCWRONGKEY"}) {
    HttpHeaders h;
    if (!key.empty()) h.emplace_back("sw-access-key", key);
    auto r = httpCall("GET", shop.fake->baseUrl() + "/store-api/context", "", h);
    CHECK(r.status == 401);
    auto j = r.json();
    REQUIRE(j["errors"].is_array());
    CHECK(j["errors"][0]["status"] == "401");
    CHECK(j["errors"][0]["code"].is_string());
    CHECK(r.headers.count("sw-context-token") == 0);
  }
  CHECK(shop.fake->counters().sessions == 0);
}

TEST_CASE("shopware fake: a context token is issued when absent and kept when sent") {
  Shop shop;
  auto first = shop.call("GET", "/store-api/context");
  CHECK(first.status == 200);
  REQUIRE(shop.token.size() == 32);
  const std::string token = shop.token;
  auto second = shop.call("GET", "/store-api/context");
  CHECK(shop.token == token);
  CHECK(second.json()["token"] == token);
  CHECK(shop.fake->counters().sessions == 1);
}

TEST_CASE("shopware fake: product search applies filter and includes") {
  Shop shop;
  auto r = shop.call("POST", "/store-api/product",
                     R"({"filter":[{"type":"equals","field":"productNumber","value":"SW10002"}],)"
                     R"("includes":{"product":["id","available"]}})");
  REQUIRE(r.status == 200);
  auto j = r.json();
  CHECK(j["total"] == 1);
  CHECK(j["elements"][0]["available"] == true);
  CHECK(j["elements"][0].contains("id"));
  CHECK_FALSE(j["elements"][0].contains("productNumber"));
}

TEST_CASE("shopware fake: a bad line item is answered 200 with a product-not-found error") {
  Shop shop;
  auto r = shop.call("POST", "/store-api/checkout/cart/line-item",
                     R"({"items":[{"type":"product","referencedId":"00000000000000000000000000000000","quantity":1}]})");
  CHECK(r.status == 200);
  auto j = r.json();
  REQUIRE(j["errors"].is_object());
  CHECK(j["errors"].begin().key().starts_with("product-not-found"));
  CHECK(j["lineItems"].empty());
  CHECK(shop.fake->counters().rejected == 1);
}

TEST_CASE("shopware fake: register replaces the context token and keeps the cart") {
  Shop shop;
  const std::string pid = shop.productId();
  shop.call("POST", "/store-api/checkout/cart/line-item",
            R"({"items":[{"type":"product","referencedId":")" + pid + R"(","quantity":2}]})");
  const std::string anonymous = shop.token;
  auto country = shop.call("POST", "/store-api/country",
                           R"({"filter":[{"type":"equals","field":"iso","value":"DE"}]})");
  const std::string cid = country.json()["elements"][0]["id"];
  Json reg = {{"guest", true}, {"email", "probe@example.com"}, {"firstName", "P"},
              {"lastName", "B"}, {"storefrontUrl", shop.fake->baseUrl()},
              {"billingAddress", {{"street", "s"}, {"city", "c"}, {"countryId", cid}}}};
  auto r = shop.call("POST", "/store-api/account/register", reg.dump());
  REQUIRE(r.status == 200);
  CHECK(r.json()["guest"] == true);
  CHECK(shop.token != anonymous);
  auto cart = shop.call("GET", "/store-api/checkout/cart").json();
  CHECK(cart["lineItems"][0]["quantity"] == 2);

  SECTION("the storefrontUrl must be a domain of the sales channel") {
    reg["storefrontUrl"] = "https://elsewhere.example";
    auto bad = shop.call("POST", "/store-api/account/register", reg.dump());
    CHECK(bad.status == 400);
    CHECK(bad.json()["errors"][0]["source"]["pointer"] == "/storefrontUrl");
  }
}

TEST_CASE("shopware fake: placing an order without a customer is 403 CHECKOUT__CUSTOMER_NOT_LOGGED_IN") {
  Shop shop;
  const std::string pid = shop.productId();
  shop.call("POST", "/store-api/checkout/cart/line-item",
            R"({"items":[{"type":"product","referencedId":")" + pid + R"(","quantity":1}]})");
  auto r = shop.call("POST", "/store-api/checkout/order", "{}");
  CHECK(r.status == 403);
  CHECK(r.json()["errors"][0]["code"] == "CHECKOUT__CUSTOMER_NOT_LOGGED_IN");
  CHECK(shop.fake->counters().orders == 0);
  CHECK(shop.fake->counters().open_carts == 1);
  auto del = shop.call("DELETE", "/store-api/checkout/cart");
  CHECK(del.status == 204);
  CHECK(shop.fake->counters().open_carts == 0);
}

TEST_CASE("shopware fake: the rate limit answers 429 on line-item add only") {
  Shop shop;
  REQUIRE(shop.fake->setFault("rate-limit", true));
  const std::string pid = shop.productId();
  auto r = shop.call("POST", "/store-api/checkout/cart/line-item",
                     R"({"items":[{"type":"product","referencedId":")" + pid + R"(","quantity":1}]})");
  CHECK(r.status == 429);
  CHECK(r.json()["errors"][0]["status"] == "429");
  CHECK(shop.call("GET", "/store-api/checkout/cart").status == 200);
}
