// The Magento fake's contract (research A3.1/A3.2), by direct HTTP, independent of the recipes:
// bare-string masked ids, {"message","parameters"} errors with 400/404, form_key validation from
// the cookie, 302 on success and failure, the checkout page's masked id, reCAPTCHA.
#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using nlohmann::json;

struct Reply {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; the last one wins
  std::string set_cookies;                      // every Set-Cookie, joined by "\n"
  std::string body;
};

size_t onBody(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}
size_t onHeader(char* p, size_t s, size_t n, void* out) {
  auto* r = static_cast<Reply*>(out);
  std::string line(p, s * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    if (name == "set-cookie") r->set_cookies += value + "\n";
    r->headers[name] = value;
  }
  return s * n;
}

Reply call(const std::string& method, const std::string& url, const std::string& body = "",
           const std::string& content_type = "application/json", const std::string& cookies = "",
           const std::string& extra_header = "") {
  Reply r;
  CURL* h = curl_easy_init();
  curl_slist* hdrs = nullptr;
  if (!body.empty()) hdrs = curl_slist_append(hdrs, ("Content-Type: " + content_type).c_str());
  if (!extra_header.empty()) hdrs = curl_slist_append(hdrs, extra_header.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!cookies.empty()) curl_easy_setopt(h, CURLOPT_COOKIE, cookies.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
  REQUIRE(curl_easy_perform(h) == CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return r;
}

std::string cookieValue(const Reply& r, const std::string& name) {
  const auto at = r.set_cookies.find(name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 1;
  return r.set_cookies.substr(start, r.set_cookies.find_first_of(";\n", start) - start);
}

struct Fixture {
  std::unique_ptr<shopwatch::agent::platforms::PlatformFake> fake =
      shopwatch::agent::platforms::makePlatformFake("magento");
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
  CHECK(r.headers["content-type"].find("application/json") == 0);
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
                          "application/json", "", "X-ReCaptcha: some-token");
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
  const std::string sid = cookieValue(page, "PHPSESSID");
  REQUIRE_FALSE(sid.empty());
  CHECK(cookieValue(page, "form_key").empty());  // the server never invents the cookie

  // The page's form_key is the session's: posting it (with the session) validates.
  const std::string marker = "name=\"form_key\" type=\"hidden\" value=\"";
  const auto at = page.body.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string html_key = page.body.substr(at + marker.size(), 16);
  auto ok = call("POST", f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=" + html_key,
                 "application/x-www-form-urlencoded", "PHPSESSID=" + sid);
  CHECK(ok.status == 302);
  CHECK(ok.headers["location"] == "/checkout/cart/");
  auto section = call("GET", f.base + "/customer/section/load/?sections=cart,messages", "", "",
                      "PHPSESSID=" + sid);
  auto s = json::parse(section.body);
  CHECK(s["cart"]["summary_count"] == 1);
  CHECK(s["messages"]["messages"][0]["type"] == "success");

  // A wrong key: still 302, to the cart, with the error message and no item added.
  auto bad = call("POST", f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=WRONGWRONGWRONG1",
                  "application/x-www-form-urlencoded", "PHPSESSID=" + sid);
  CHECK(bad.status == 302);
  s = json::parse(call("GET", f.base + "/customer/section/load/?sections=cart,messages", "", "",
                       "PHPSESSID=" + sid).body);
  CHECK(s["cart"]["summary_count"] == 1);
  CHECK(s["messages"]["messages"][0]["text"] == "Your session has expired");

  // A form_key cookie is copied into the session: cookie == POST value validates, and the cookie
  // is refreshed. This works without any session at all (a new PHPSESSID is made).
  auto own = call("POST", f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=MyOwnKey12345678",
                  "application/x-www-form-urlencoded", "form_key=MyOwnKey12345678");
  CHECK(own.status == 302);
  CHECK(cookieValue(own, "form_key") == "MyOwnKey12345678");
  CHECK_FALSE(cookieValue(own, "PHPSESSID").empty());
  CHECK(f.fake->counters().open_carts == 2);
}

TEST_CASE("magento fake: stale-form-key serves another visitor's key in the cached HTML") {
  Fixture f;
  f.fake->setFault("stale-form-key", true);
  auto a = call("GET", f.base + "/joust-duffle-bag.html");
  auto b = call("GET", f.base + "/joust-duffle-bag.html");
  CHECK(a.body == b.body);  // the same cached HTML for two sessions
  const std::string sid = cookieValue(a, "PHPSESSID");
  const std::string marker = "name=\"form_key\" type=\"hidden\" value=\"";
  const std::string html_key = a.body.substr(a.body.find(marker) + marker.size(), 16);
  auto add = call("POST", f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=" + html_key,
                  "application/x-www-form-urlencoded", "PHPSESSID=" + sid);
  CHECK(add.status == 302);  // 302 although it failed
  auto s = json::parse(call("GET", f.base + "/customer/section/load/?sections=cart", "", "",
                            "PHPSESSID=" + sid).body);
  CHECK(s["cart"]["summary_count"] == 0);
}

TEST_CASE("magento fake: product errors redirect back to the product page; checkout needs a cart") {
  Fixture f;
  auto empty = call("GET", f.base + "/checkout/");
  CHECK(empty.status == 302);
  CHECK(empty.headers["location"] == "/checkout/cart/");
  f.fake->setFault("out-of-stock", true);
  auto oos = call("POST", f.base + "/checkout/cart/add/", "product=1&qty=1&form_key=K1K1K1K1K1K1K1K1",
                  "application/x-www-form-urlencoded", "form_key=K1K1K1K1K1K1K1K1");
  CHECK(oos.status == 302);
  CHECK(oos.headers["location"] == "/joust-duffle-bag.html");
  f.fake->clearFaults();
  const std::string sid = cookieValue(oos, "PHPSESSID");
  auto add = call("POST", f.base + "/checkout/cart/add/", "product=2&qty=2&form_key=K1K1K1K1K1K1K1K1",
                  "application/x-www-form-urlencoded", "form_key=K1K1K1K1K1K1K1K1; PHPSESSID=" + sid);
  CHECK(add.status == 302);
  auto checkout = call("GET", f.base + "/checkout/", "", "", "PHPSESSID=" + sid);
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
