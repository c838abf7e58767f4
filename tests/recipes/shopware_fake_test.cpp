// The Shopware fake's contract, by direct HTTP (research A2), independent of the recipe.
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
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
};

std::size_t onBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

Reply request(const std::string& method, const std::string& url, const std::string& body,
              const std::map<std::string, std::string>& headers) {
  Reply r;
  CURL* h = curl_easy_init();
  REQUIRE(h != nullptr);
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  if (!body.empty()) list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  REQUIRE(curl_easy_perform(h) == CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return r;
}

const std::string kKey = "SWSCDEMOSHOPWATCH0000000000";

struct Shop {
  std::unique_ptr<shopwatch::agent::platforms::PlatformFake> fake =
      shopwatch::agent::platforms::makePlatformFake("shopware");
  std::string token;
  Shop() { REQUIRE(fake->start("127.0.0.1:0")); }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "") {
    std::map<std::string, std::string> h = {{"sw-access-key", kKey},
                                            {"Accept", "application/json"}};
    if (!token.empty()) h["sw-context-token"] = token;
    auto r = request(method, fake->baseUrl() + path, body, h);
    if (r.headers.count("sw-context-token")) token = r.headers["sw-context-token"];
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
    std::map<std::string, std::string> h;
    if (!key.empty()) h["sw-access-key"] = key;
    auto r = request("GET", shop.fake->baseUrl() + "/store-api/context", "", h);
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
