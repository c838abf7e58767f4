// [B2] The Shopify fake's contract, by direct HTTP (libcurl): the theme Ajax API shapes of research
// A5 — variants in /products/<handle>.js, the `cart` cookie, 422 Cart Error, /cart.js totals in
// cents, the 302 from /checkout to a hosted checkout that answers 200.
#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using Json = nlohmann::json;

struct Reply {
  long status = 0;
  std::multimap<std::string, std::string> headers;  ///< names lower-case
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

std::size_t onBody(char* p, std::size_t s, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}
std::size_t onHeader(char* p, std::size_t s, std::size_t n, void* out) {
  std::string line(p, s * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<std::multimap<std::string, std::string>*>(out)->emplace(name, value);
  }
  return s * n;
}

/// One request, no redirects followed. `body` non-empty makes it a POST of `content_type`.
Reply request(const std::string& url, const std::string& body = "", const std::string& cookie = "",
              const std::string& content_type = "application/json") {
  Reply r;
  CURL* h = curl_easy_init();
  REQUIRE(h != nullptr);
  curl_slist* list = nullptr;
  if (!body.empty()) list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
  if (!cookie.empty()) list = curl_slist_append(list, ("Cookie: " + cookie).c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (!body.empty()) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
  const CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  REQUIRE(rc == CURLE_OK);
  return r;
}

struct Shop {
  std::unique_ptr<shopwatch::agent::platforms::PlatformFake> fake =
      shopwatch::agent::platforms::makePlatformFake("shopify");
  Shop() { REQUIRE(fake->start("127.0.0.1:0")); }
  std::string url(const std::string& path) const { return fake->baseUrl() + path; }
};

/// "cart=VALUE" from a Set-Cookie answer.
std::string cartCookie(const Reply& r) {
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
