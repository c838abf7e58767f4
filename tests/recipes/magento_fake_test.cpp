// The Magento fake's contract (research A3.1/A3.2), by direct HTTP, independent of the recipes:
// bare-string masked ids, {"message","parameters"} errors with 400/404, form_key validation from
// the cookie, 302 on success and failure, the checkout page's masked id, reCAPTCHA.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "http_call.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using nlohmann::json;

using test::HttpReply;
using test::kFormContentType;

/// `method` to `url` with a JSON `body` (the REST API, or a storefront page without a session).
HttpReply call(const std::string& method, const std::string& url, const std::string& body = "",
               const test::HttpHeaders& headers = {}) {
  return test::httpCall(method, url, body, headers);
}
/// A storefront form POST with the session `cookies`.
HttpReply postForm(const std::string& url, const std::string& form, const std::string& cookies) {
  return test::httpCall("POST", url, form, {}, {.content_type = kFormContentType, .cookie = cookies});
}
/// A storefront GET with the session `cookies`.
HttpReply get(const std::string& url, const std::string& cookies) {
  return test::httpCall("GET", url, "", {}, {.cookie = cookies});
}

struct Fixture {
  std::unique_ptr<agent::platforms::PlatformFake> fake =
      agent::platforms::makePlatformFake("magento");
  std::string base;
  std::string rest;
  Fixture() {
    REQUIRE(fake);
    REQUIRE(fake->start("127.0.0.1:0"));
    base = fake->baseUrl();
    rest = base + "/rest/default/V1/guest-carts";
  }
  std::string newCart() {
    auto r = call("POST", rest);
    REQUIRE(r.status == 200);
    return json::parse(r.body).get<std::string>();
  }
};

const char* kItem = R"({"cartItem":{"sku":"24-MB01","qty":1,"quote_id":"x"}})";
const char* kAddress =
    R"({"country_id":"US","region_id":43,"region_code":"NY","postcode":"10577","city":"Purchase",)"
    R"("street":["123 Oak Ave"],"firstname":"Probe","lastname":"Bot","telephone":"5125551111",)"
    R"("email":"probe+1@example.com"})";

}  // namespace

TEST_CASE("magento fake: POST guest-carts answers the masked id as a bare 32-character JSON string") {
  Fixture f;
  auto r = call("POST", f.rest);
  CHECK(r.status == 200);
  CHECK(r.header("content-type").find("application/json") == 0);
  auto doc = json::parse(r.body);
  REQUIRE(doc.is_string());
  CHECK(doc.get<std::string>().size() == 32);
  CHECK(f.fake->counters().sessions == 1);
  // /rest/V1/ is the default store too.
  CHECK(call("POST", f.base + "/rest/V1/guest-carts").status == 200);
}

TEST_CASE("magento fake: errors are {message, parameters} with 400/404") {
  Fixture f;
  auto unknown_cart = call("POST", f.rest + "/nosuchcart/items", kItem);
  CHECK(unknown_cart.status == 404);
  auto doc = json::parse(unknown_cart.body);
  CHECK(doc["message"] == "No such entity with %fieldName = %fieldValue");
  CHECK(doc["parameters"]["fieldName"] == "cartId");
  CHECK(doc["parameters"]["fieldValue"] == "nosuchcart");

  const auto cart = f.newCart();
  auto no_sku = call("POST", f.rest + "/" + cart + "/items",
                     R"({"cartItem":{"sku":"NOPE","qty":1,"quote_id":"x"}})");
  CHECK(no_sku.status == 404);
  CHECK(json::parse(no_sku.body)["message"] ==
        "The product that was requested doesn't exist. Verify the product and try again.");
  auto missing = call("POST", f.rest + "/" + cart + "/items", "{}");
  CHECK(missing.status == 400);
  CHECK(json::parse(missing.body)["parameters"]["fieldName"] == "cartItem");
  CHECK(call("POST", f.rest + "/" + cart + "/items", "not json").status == 400);

  f.fake->setFault("unknown-sku", true);
  CHECK(call("POST", f.rest + "/" + cart + "/items", kItem).status == 404);
  f.fake->setFault("out-of-stock", true);
  f.fake->setFault("unknown-sku", false);
  auto oos = call("POST", f.rest + "/" + cart + "/items", kItem);
  CHECK(oos.status == 400);
  CHECK(json::parse(oos.body).contains("message"));
  CHECK(f.fake->counters().rejected >= 5);
  CHECK(f.fake->counters().open_carts == 0);
}

TEST_CASE("magento fake: the REST checkout places an order and the quote is gone afterwards") {
  Fixture f;
  const auto cart = f.newCart();
  auto item = call("POST", f.rest + "/" + cart + "/items", kItem);
  REQUIRE(item.status == 200);
  auto item_doc = json::parse(item.body);
  CHECK(item_doc["sku"] == "24-MB01");
  CHECK(item_doc["item_id"].is_number());
  CHECK(f.fake->counters().open_carts == 1);

  auto est = call("POST", f.rest + "/" + cart + "/estimate-shipping-methods",
                  std::string(R"({"address":)") + kAddress + "}");
  REQUIRE(est.status == 200);
  auto methods = json::parse(est.body);
  REQUIRE(methods.size() == 1);
  CHECK(methods[0]["carrier_code"] == "flatrate");
  CHECK(methods[0]["available"] == true);
  // A country no carrier serves: 200 with an empty list, not an error.
  auto nowhere = call("POST", f.rest + "/" + cart + "/estimate-shipping-methods",
                      R"({"address":{"country_id":"AQ"}})");
  CHECK(nowhere.status == 200);
  CHECK(json::parse(nowhere.body).empty());

  // Placing the order before the shipping information: 400.
  const std::string pay = std::string(R"({"email":"probe+1@example.com","paymentMethod":{"method":"checkmo"},"billingAddress":)") + kAddress + "}";
  CHECK(call("POST", f.rest + "/" + cart + "/payment-information", pay).status == 400);

  const std::string info = std::string(R"({"addressInformation":{"shipping_address":)") + kAddress +
                           R"(,"billing_address":)" + kAddress +
                           R"(,"shipping_carrier_code":"flatrate","shipping_method_code":"flatrate"}})";
  auto si = call("POST", f.rest + "/" + cart + "/shipping-information", info);
  REQUIRE(si.status == 200);
  auto si_doc = json::parse(si.body);
  CHECK(si_doc["payment_methods"][0]["code"] == "checkmo");
  CHECK(si_doc["totals"]["grand_total"].get<double>() == Approx(39.0));

  auto no_email = call("POST", f.rest + "/" + cart + "/payment-information",
                       R"({"paymentMethod":{"method":"checkmo"}})");
  CHECK(no_email.status == 400);
  auto bad_method = call("POST", f.rest + "/" + cart + "/payment-information",
                         R"({"email":"a@example.com","paymentMethod":{"method":"stripe"}})");
  CHECK(bad_method.status == 400);
  f.fake->setFault("recaptcha", true);
  auto captcha = call("POST", f.rest + "/" + cart + "/payment-information", pay);
  CHECK(captcha.status == 400);
  CHECK(json::parse(captcha.body)["message"].get<std::string>().find("ReCaptcha") != std::string::npos);
  CHECK(f.fake->counters().orders == 0);
  auto with_header = call("POST", f.rest + "/" + cart + "/payment-information", pay,
                          {{"X-ReCaptcha", "some-token"}});
  REQUIRE(with_header.status == 200);
  CHECK(json::parse(with_header.body).is_string());
  CHECK(f.fake->counters().orders == 1);
  CHECK(f.fake->counters().open_carts == 0);
  // The ordered quote is inactive: the cleanup's DELETE answers 404.
  auto del = call("DELETE", f.rest + "/" + cart + "/items/" + std::to_string(item_doc["item_id"].get<int>()));
  CHECK(del.status == 404);
}

TEST_CASE("magento fake: DELETE items/{itemId} removes the line and answers true") {
  Fixture f;
  const auto cart = f.newCart();
  auto item = json::parse(call("POST", f.rest + "/" + cart + "/items", kItem).body);
  const std::string id = std::to_string(item["item_id"].get<int>());
  auto del = call("DELETE", f.rest + "/" + cart + "/items/" + id);
  CHECK(del.status == 200);
  CHECK(del.body == "true");
  CHECK(f.fake->counters().open_carts == 0);
  CHECK(call("DELETE", f.rest + "/" + cart + "/items/" + id).status == 404);
}

TEST_CASE("magento fake: form_key from the cookie validates; a wrong one redirects with 'session expired'") {
  Fixture f;
  auto page = call("GET", f.base + "/joust-duffle-bag.html");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("id=\"product_addtocart_form\"") != std::string::npos);
  CHECK(page.body.find("name=\"product\" value=\"1\"") != std::string::npos);
  const std::string sid = page.cookie("PHPSESSID");
  REQUIRE_FALSE(sid.empty());
  CHECK(page.cookie("form_key").empty());  // the server never invents the cookie

  // The page's form_key is the session's: posting it (with the session) validates.
  const std::string marker = "name=\"form_key\" type=\"hidden\" value=\"";
  const auto at = page.body.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string html_key = page.body.substr(at + marker.size(), 16);
  auto ok = postForm(f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=" + html_key,
                     "PHPSESSID=" + sid);
  CHECK(ok.status == 302);
  CHECK(ok.header("location") == "/checkout/cart/");
  auto section = get(f.base + "/customer/section/load/?sections=cart,messages",
                     "PHPSESSID=" + sid);
  auto s = json::parse(section.body);
  CHECK(s["cart"]["summary_count"] == 1);
  CHECK(s["messages"]["messages"][0]["type"] == "success");

  // A wrong key: still 302, to the cart, with the error message and no item added.
  auto bad = postForm(f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=WRONGWRONGWRONG1",
                      "PHPSESSID=" + sid);
  CHECK(bad.status == 302);
  s = json::parse(get(f.base + "/customer/section/load/?sections=cart,messages",
                      "PHPSESSID=" + sid).body);
  CHECK(s["cart"]["summary_count"] == 1);
  CHECK(s["messages"]["messages"][0]["text"] == "Your session has expired");

  // A form_key cookie is copied into the session: cookie == POST value validates, and the cookie
  // is refreshed. This works without any session at all (a new PHPSESSID is made).
  auto own = postForm(f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=MyOwnKey12345678",
                      "form_key=MyOwnKey12345678");
  CHECK(own.status == 302);
  CHECK(own.cookie("form_key") == "MyOwnKey12345678");
  CHECK_FALSE(own.cookie("PHPSESSID").empty());
  CHECK(f.fake->counters().open_carts == 2);
}

TEST_CASE("magento fake: stale-form-key serves another visitor's key in the cached HTML") {
  Fixture f;
  f.fake->setFault("stale-form-key", true);
  auto a = call("GET", f.base + "/joust-duffle-bag.html");
  auto b = call("GET", f.base + "/joust-duffle-bag.html");
  CHECK(a.body == b.body);  // the same cached HTML for two sessions
  const std::string sid = a.cookie("PHPSESSID");
  const std::string marker = "name=\"form_key\" type=\"hidden\" value=\"";
  const std::string html_key = a.body.substr(a.body.find(marker) + marker.size(), 16);
  auto add = postForm(f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=" + html_key,
                      "PHPSESSID=" + sid);
  CHECK(add.status == 302);  // 302 although it failed
  auto s = json::parse(get(f.base + "/customer/section/load/?sections=cart",
                           "PHPSESSID=" + sid).body);
  CHECK(s["cart"]["summary_count"] == 0);
}

TEST_CASE("magento fake: product errors redirect back to the product page; checkout needs a cart") {
  Fixture f;
  auto empty = call("GET", f.base + "/checkout/");
  CHECK(empty.status == 302);
  CHECK(empty.header("location") == "/checkout/cart/");
  f.fake->setFault("out-of-stock", true);
  auto oos = postForm(f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=K1K1K1K1K1K1K1K1",
                      "form_key=K1K1K1K1K1K1K1K1");
  CHECK(oos.status == 302);
  CHECK(oos.header("location") == "/joust-duffle-bag.html");
  f.fake->clearFaults();
  const std::string sid = oos.cookie("PHPSESSID");
  auto add = postForm(f.base + "/checkout/cart/add/", "product=2&qty=2&form_key=K1K1K1K1K1K1K1K1",
                      "form_key=K1K1K1K1K1K1K1K1; PHPSESSID=" + sid);
  CHECK(add.status == 302);
  auto checkout = get(f.base + "/checkout/", "PHPSESSID=" + sid);
  REQUIRE(checkout.status == 200);
  const std::string marker = "\"entity_id\":\"";
  const auto at = checkout.body.find(marker, checkout.body.find("\"quoteData\":{"));
  REQUIRE(at != std::string::npos);
  const std::string masked = checkout.body.substr(at + marker.size(), 32);
  // The masked id drives the guest REST API: the HTML cart's line is there.
  auto items = call("GET", f.rest + "/" + masked + "/items");
  REQUIRE(items.status == 200);
  CHECK(json::parse(items.body)[0]["qty"] == 2);
  f.fake->setFault("unknown-sku", true);
  CHECK(call("GET", f.base + "/joust-duffle-bag.html").status == 404);
}
