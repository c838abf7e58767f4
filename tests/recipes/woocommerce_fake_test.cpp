// The WooCommerce fake's contract, by direct HTTP (research A4), independent of the recipes.
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

const std::string kApi = "/wp-json/wc/store/v1";

struct Shop {
  std::unique_ptr<agent::platforms::PlatformFake> fake =
      agent::platforms::makePlatformFake("woocommerce");
  Shop() { REQUIRE(fake->start("127.0.0.1:0")); }
  HttpReply call(const std::string& method, const std::string& path, const std::string& body,
                 const HttpHeaders& headers) {
    return test::httpCall(method, fake->baseUrl() + kApi + path, body, headers);
  }
};

std::string sessionCookie(const HttpReply& r) {
  const std::string set = r.header("set-cookie");
  REQUIRE_FALSE(set.empty());
  return set.substr(0, set.find(';'));
}

}  // namespace

TEST_CASE("woocommerce fake: GET cart issues a Cart-Token, and with it no nonce is needed") {
  Shop shop;
  auto cart = shop.call("GET", "/cart", "", {});
  REQUIRE(cart.status == 200);
  REQUIRE(cart.headers.count("cart-token") == 1);
  const std::string token = cart.header("cart-token");
  auto add = shop.call("POST", "/cart/add-item", R"({"id":101,"quantity":2})",
                       {{"Cart-Token", token}});
  CHECK(add.status == 201);
  CHECK(add.json()["items"][0]["quantity"] == 2);
  CHECK(add.json()["totals"]["total_price"] == "2598");  // a string in minor units
  CHECK(shop.fake->counters().open_carts == 1);
  auto del = shop.call("DELETE", "/cart/items", "", {{"Cart-Token", token}});
  CHECK(del.status == 200);
  CHECK(shop.fake->counters().open_carts == 0);
  CHECK(shop.fake->counters().sessions == 1);
}

TEST_CASE("woocommerce fake: cookie mode needs the latest Nonce on every POST") {
  Shop shop;
  auto cart = shop.call("GET", "/cart", "", {});
  const std::string jar = sessionCookie(cart);
  REQUIRE(cart.headers.count("nonce") == 1);
  const std::string first = cart.header("nonce");
  auto missing = shop.call("POST", "/cart/add-item", R"({"id":101})", {{"Cookie", jar}});
  CHECK(missing.status == 401);
  CHECK(missing.json()["code"] == "woocommerce_rest_missing_nonce");
  CHECK(missing.json()["data"]["status"] == 401);
  auto wrong = shop.call("POST", "/cart/add-item", R"({"id":101})",
                         {{"Cookie", jar}, {"Nonce", "0000000000"}});
  CHECK(wrong.status == 401);
  CHECK(wrong.json()["code"] == "woocommerce_rest_invalid_nonce");
  auto ok = shop.call("POST", "/cart/add-item", R"({"id":101})",
                      {{"Cookie", jar}, {"Nonce", first}});
  CHECK(ok.status == 201);
  REQUIRE(ok.headers.count("nonce") == 1);
  CHECK(ok.header("nonce") != first);
  auto stale = shop.call("POST", "/cart/add-item", R"({"id":101})",
                         {{"Cookie", jar}, {"Nonce", first}});
  CHECK(stale.status == 401);
  auto legacy = shop.call("POST", "/cart/add-item", R"({"id":101})",
                          {{"Cookie", jar}, {"X-WC-Store-API-Nonce", ok.header("nonce")}});
  CHECK(legacy.status == 201);
  CHECK(legacy.json()["items"][0]["quantity"] == 2);
}

TEST_CASE("woocommerce fake: an unknown product is 400 woocommerce_rest_cart_invalid_product") {
  Shop shop;
  const std::string token = shop.call("GET", "/cart", "", {}).header("cart-token");
  auto r = shop.call("POST", "/cart/add-item", R"({"id":999,"quantity":1})",
                     {{"Cart-Token", token}});
  CHECK(r.status == 400);
  CHECK(r.json()["code"] == "woocommerce_rest_cart_invalid_product");
  CHECK(r.json()["data"]["status"] == 400);
}

TEST_CASE("woocommerce fake: a stale expected_total is 409 with the current cart") {
  Shop shop;
  const std::string token = shop.call("GET", "/cart", "", {}).header("cart-token");
  const HttpHeaders h = {{"Cart-Token", token}};
  shop.call("POST", "/cart/add-item", R"({"id":101,"quantity":1})", h);
  auto addr = shop.call("POST", "/cart/update-customer",
                        R"({"billing_address":{"country":"DE","email":"p@example.com"}})", h);
  CHECK(addr.json()["shipping_rates"][0]["shipping_rates"][0]["rate_id"] == "flat_rate:1");
  auto draft = shop.call("GET", "/checkout", "", h);
  CHECK(draft.json()["status"] == "checkout-draft");
  const std::string order = R"({"billing_address":{"country":"DE","email":"p@example.com"},)"
                            R"("payment_method":"cod","payment_data":[],"expected_total":")";
  auto mismatch = shop.call("POST", "/checkout", order + R"(1"})", h);
  CHECK(mismatch.status == 409);
  CHECK(mismatch.json()["code"] == "woocommerce_rest_checkout_total_mismatch");
  CHECK(mismatch.json()["data"]["cart"]["totals"]["total_price"] == "1799");
  auto placed = shop.call("POST", "/checkout", order + R"(1799"})", h);
  CHECK(placed.status == 200);
  CHECK(placed.json()["payment_result"]["payment_status"] == "success");
  CHECK(placed.json()["status"] == "processing");
  CHECK(shop.fake->counters().orders == 1);
  CHECK(shop.fake->counters().open_carts == 0);
}
