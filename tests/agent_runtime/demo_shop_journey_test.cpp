// The demo shop as the demo's checkout journey drives it: a session cookie, a CSRF token in the
// product form, a cart per session, the toggle that breaks the checkout page. Real HTTP over
// 127.0.0.1 with libcurl's own cookie engine (one jar per Browser).

#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/demo_shop.h"

using shopwatch::agent::runtime::DemoShop;

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Reply {
  long status = 0;
  std::string body;
  std::string headers;  // raw header block(s)
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

/// A client with a cookie jar of its own (libcurl's cookie engine on one easy handle), never
/// following redirects.
class Browser {
 public:
  explicit Browser(std::string base) : base_(std::move(base)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_.reset(curl_easy_init());
    curl_easy_setopt(curl_.get(), CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(curl_.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_.get(), CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl_.get(), CURLOPT_TIMEOUT_MS, 5000L);
  }

  Reply get(const std::string& path) { return perform(path, nullptr); }
  Reply post(const std::string& path, const std::string& form) { return perform(path, &form); }

 private:
  Reply perform(const std::string& path, const std::string* form) {
    Reply r;
    const std::string url = base_ + path;
    CURL* c = curl_.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    if (form != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->c_str());
    } else {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  std::string base_;
  std::unique_ptr<CURL, CurlDeleter> curl_;
};

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// The value of the product form's hidden _csrf input (plain string search; the journey uses CSS).
std::string csrfOf(const std::string& html) {
  const std::string marker = "name=\"_csrf\" value=\"";
  const auto pos = html.find(marker);
  if (pos == std::string::npos) return {};
  const auto start = pos + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

}  // namespace

TEST_CASE("the demo product page starts a session and carries its CSRF token in the add-to-cart form") {
  DemoShop shop;
  REQUIRE(shop.start().ok());
  Browser a(shop.baseUrl());
  const auto product = a.get("/product/42");
  REQUIRE(product.status == 200);
  CHECK(contains(product.headers, "Set-Cookie: demo_session="));
  CHECK(contains(product.headers, "HttpOnly"));
  CHECK(contains(product.body, "<input type=\"hidden\" name=\"sku\" value=\"shoe-42\">"));
  CHECK(contains(product.body, "In den Warenkorb"));
  const auto csrf = csrfOf(product.body);
  CHECK(csrf.size() == 32);
  CHECK(shop.sessionCount() == 1);
  // The same session on the next page: no new cookie, the same token.
  const auto again = a.get("/product/43");
  CHECK_FALSE(contains(again.headers, "Set-Cookie"));
  CHECK(csrfOf(again.body) == csrf);
  CHECK(shop.sessionCount() == 1);
  // Another visitor: another session and token.
  Browser b(shop.baseUrl());
  CHECK(csrfOf(b.get("/product/42").body) != csrf);
  CHECK(shop.sessionCount() == 2);
  CHECK(a.get("/product/99").status == 404);
}

TEST_CASE("demo add-to-cart needs the session's CSRF token and fills that session's cart only") {
  DemoShop shop;
  REQUIRE(shop.start().ok());
  Browser a(shop.baseUrl());
  const auto csrf = csrfOf(a.get("/product/42").body);
  REQUIRE_FALSE(csrf.empty());

  CHECK(a.post("/cart/add", "sku=shoe-42&qty=1").status == 403);
  CHECK(a.post("/cart/add", "sku=shoe-42&qty=1&_csrf=wrong").status == 403);
  CHECK(a.post("/cart/add", "sku=shoe-99&qty=1&_csrf=" + csrf).status == 400);
  CHECK(a.post("/cart/add", "sku=shoe-42&qty=0&_csrf=" + csrf).status == 400);
  CHECK(contains(a.get("/cart.json").body, "\"items\":[]"));

  const auto added = a.post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + csrf);
  CHECK(added.status == 302);
  CHECK(contains(added.headers, "Location: /cart"));
  const auto cart = a.get("/cart.json");
  CHECK(cart.status == 200);
  CHECK(contains(cart.body, R"({"cart":{"id":"c-)"));
  CHECK(contains(cart.body, R"("items":[{"sku":"shoe-42","qty":1,"price":89.90}])"));
  CHECK(contains(a.get("/cart").body, "shoe-42"));
  const auto checkout = a.get("/checkout");
  CHECK(checkout.status == 200);
  CHECK(contains(checkout.body, "shoe-42"));
  CHECK(contains(checkout.body, "Jetzt kaufen"));

  // A visitor without a session (or with another session) cannot use a's token.
  Browser stranger(shop.baseUrl());
  CHECK(stranger.post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + csrf).status == 403);
  Browser b(shop.baseUrl());
  (void)b.get("/product/42");
  CHECK(b.post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + csrf).status == 403);
  CHECK(contains(b.get("/cart.json").body, "\"items\":[]"));
  CHECK_FALSE(contains(b.get("/checkout").body, "shoe-42"));
  CHECK(contains(stranger.get("/cart.json").body, R"("id":null)"));
}

TEST_CASE("demo cart clear empties that session's cart, and the toggle breaks only the checkout page") {
  DemoShop shop;
  REQUIRE(shop.start().ok());
  Browser a(shop.baseUrl());
  Browser b(shop.baseUrl());
  for (Browser* browser : {&a, &b}) {
    const auto csrf = csrfOf(browser->get("/product/42").body);
    REQUIRE(browser->post("/cart/add", "sku=shoe-42&qty=2&_csrf=" + csrf).status == 302);
  }
  CHECK(a.post("/cart/clear", "_csrf=wrong").status == 403);
  CHECK(a.post("/cart/clear", "").status == 200);
  CHECK(contains(a.get("/cart.json").body, "\"items\":[]"));
  CHECK(contains(b.get("/cart.json").body, R"("sku":"shoe-42","qty":2)"));

  CHECK(b.get("/toggle?broken=1").status == 200);
  CHECK(shop.broken());
  CHECK(b.get("/checkout").status == 503);
  CHECK(b.get("/cart.json").status == 200);
  CHECK(b.get("/product/42").status == 200);
  CHECK(b.get("/toggle?broken=0").status == 200);
  CHECK(b.get("/checkout").status == 200);
}

TEST_CASE("the demo shop keeps a bounded number of sessions and evicts the oldest") {
  DemoShop shop(3);
  REQUIRE(shop.start().ok());
  std::vector<std::unique_ptr<Browser>> browsers;
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    browsers.push_back(std::make_unique<Browser>(shop.baseUrl()));
    tokens.push_back(csrfOf(browsers.back()->get("/product/42").body));
  }
  CHECK(shop.sessionCount() == 3);
  // The first session was evicted: its form is stale now.
  CHECK(browsers[0]->post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + tokens[0]).status == 403);
  CHECK(browsers[1]->post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + tokens[1]).status == 302);
  CHECK(browsers[3]->post("/cart/add", "sku=shoe-42&qty=1&_csrf=" + tokens[3]).status == 302);
  CHECK(shop.sessionCount() == 3);
}

TEST_CASE("the embedded demo config loads with a checkout journey over the demo shop") {
  DemoShop shop;
  REQUIRE(shop.start().ok());
  const auto db = std::filesystem::temp_directory_path() / "shopwatch-demo-journey-test.db";
  shopwatch::agent::LoadOptions options;
  options.require_client = false;
  auto loaded = shopwatch::agent::loadConfigString(
      shopwatch::agent::runtime::demoConfigYaml(shop.baseUrl(), "127.0.0.1:0", db.string()), "<demo>",
      options);
  INFO((loaded.errors.empty() ? std::string{} : loaded.errors.front().format()));
  REQUIRE(loaded.ok());
  const shopwatch::core::JourneyProbe* journey = nullptr;
  bool page_check = false;
  for (const auto& spec : loaded.config->checks) {
    if (spec->key.check == "checkout") journey = spec->journey();
    if (spec->key.check == "checkout-page") page_check = spec->http() != nullptr;
  }
  CHECK(page_check);
  REQUIRE(journey != nullptr);
  REQUIRE(journey->steps.size() == 4);
  CHECK(journey->steps[0].name == "product");
  CHECK(journey->steps[0].request.url == shop.baseUrl() + "/product/42");
  REQUIRE(journey->steps[0].extract.size() == 1);
  CHECK(journey->steps[0].extract[0].variable == "csrf");
  CHECK(journey->steps[0].extract[0].kind == shopwatch::core::Extraction::Kind::Css);
  CHECK(journey->steps[1].request.method == "POST");
  CHECK(journey->steps[1].body_kind == shopwatch::core::BodyKind::Form);
  CHECK(journey->steps[2].extract[0].kind == shopwatch::core::Extraction::Kind::Json);
  CHECK(journey->steps[3].name == "checkout");
  REQUIRE(journey->cleanup.size() == 1);
  CHECK(journey->cleanup[0].request.url == shop.baseUrl() + "/cart/clear");
}
