// [B2] The Vendure fake's contract, by direct HTTP (libcurl), independent of the recipes: the
// shop-api shapes of research A1 — tokens sent once, silent new sessions, result unions on 200,
// errors[] with data null, 400 for a bad document, cookie sessions.
#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <map>
#include <regex>
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
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<std::multimap<std::string, std::string>*>(out)->emplace(name, value);
  }
  return s * n;
}

/// POST (or GET when `body` is empty) to `url` with the extra `headers`.
Reply request(const std::string& url, const std::string& body,
              const std::vector<std::string>& headers = {}) {
  Reply r;
  CURL* h = curl_easy_init();
  REQUIRE(h != nullptr);
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& x : headers) list = curl_slist_append(list, x.c_str());
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

struct Api {
  std::unique_ptr<shopwatch::agent::platforms::PlatformFake> fake =
      shopwatch::agent::platforms::makePlatformFake("vendure");
  Api() { REQUIRE(fake->start("127.0.0.1:0")); }
  Reply gql(const std::string& query, const Json& variables = nullptr,
            const std::vector<std::string>& headers = {}) const {
    Json body = {{"query", query}};
    if (!variables.is_null()) body["variables"] = variables;
    return request(fake->baseUrl() + "/shop-api", body.dump(), headers);
  }
};

const char* kAdd =
    "mutation($id: ID!, $qty: Int!) { addItemToOrder(productVariantId: $id, quantity: $qty) "
    "{ __typename ... on Order { code state } ... on ErrorResult { errorCode message } } }";

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token; }

}  // namespace

TEST_CASE("vendure fake: a query-only request creates no session and sends no token") {
  Api api;
  auto r = api.gql("query($s: String!) { product(slug: $s) { id variants { id } } }", {{"s", "laptop"}});
  CHECK(r.status == 200);
  CHECK(r.header("vendure-auth-token").empty());
  CHECK(r.headers.count("set-cookie") == 0);
  auto j = r.json();
  CHECK(j["data"]["product"]["variants"][0]["id"] == "1");  // ids are strings
  CHECK(api.fake->counters().sessions == 0);
  CHECK(api.gql("{ product(slug: \"nope\") { id } }").json()["data"]["product"].is_null());
}

TEST_CASE("vendure fake: addItemToOrder issues the token once; later answers do not repeat it") {
  Api api;
  auto add = api.gql(kAdd, {{"id", "1"}, {"qty", 1}});
  REQUIRE(add.status == 200);
  const std::string token = add.header("vendure-auth-token");
  CHECK(std::regex_match(token, std::regex("[0-9a-f]{64}")));
  CHECK(add.header("access-control-expose-headers").find("vendure-auth-token") != std::string::npos);
  CHECK(add.headers.count("set-cookie") == 2);  // session + session.sig (tokenMethod bearer+cookie)
  auto order = add.json()["data"]["addItemToOrder"];
  CHECK(order["__typename"] == "Order");
  CHECK(order["state"] == "AddingItems");
  CHECK(order["totalWithTax"] == 155880);  // money in minor units

  auto cart = api.gql("{ activeOrder { code } }", nullptr, {bearer(token)});
  CHECK(cart.header("vendure-auth-token").empty());
  CHECK(cart.json()["data"]["activeOrder"]["code"] == order["code"]);
  CHECK(api.fake->counters().sessions == 1);
  CHECK(api.fake->counters().open_carts == 1);
}

TEST_CASE("vendure fake: an unknown token is no 401 but a new anonymous session without order") {
  Api api;
  api.gql(kAdd, {{"id", "1"}, {"qty", 1}});
  const std::string stale(64, 'a');
  auto r = api.gql("{ activeOrder { code } }", nullptr, {bearer(stale)});
  CHECK(r.status == 200);
  CHECK(r.json()["data"]["activeOrder"].is_null());
  CHECK_FALSE(r.header("vendure-auth-token").empty());
  CHECK(r.header("vendure-auth-token") != stale);
  CHECK(api.fake->counters().sessions == 2);
}

TEST_CASE("vendure fake: the session cookies carry the session; a bad signature does not") {
  Api api;
  auto add = api.gql(kAdd, {{"id", "1"}, {"qty", 1}});
  std::string jar;
  for (auto [it, end] = add.headers.equal_range("set-cookie"); it != end; ++it) {
    CHECK(it->second.find("HttpOnly") != std::string::npos);
    CHECK(it->second.find("SameSite=Lax") != std::string::npos);
    jar += (jar.empty() ? "" : "; ") + it->second.substr(0, it->second.find(';'));
  }
  REQUIRE(jar.find("session.sig=") != std::string::npos);
  auto good = api.gql("{ activeOrder { code } }", nullptr, {"Cookie: " + jar});
  CHECK(good.json()["data"]["activeOrder"]["code"] == add.json()["data"]["addItemToOrder"]["code"]);
  const std::string forged = jar.substr(0, jar.find("session.sig=")) + "session.sig=forged";
  auto bad = api.gql("{ activeOrder { code } }", nullptr, {"Cookie: " + forged});
  CHECK(bad.json()["data"]["activeOrder"].is_null());
}

TEST_CASE("vendure fake: business errors are result unions on HTTP 200") {
  Api api;
  auto add = api.gql(kAdd, {{"id", "1"}, {"qty", 1}});
  const std::string token = add.header("vendure-auth-token");
  const std::vector<std::string> auth = {bearer(token)};
  const char* pay =
      "mutation($in: PaymentInput!) { addPaymentToOrder(input: $in) { __typename "
      "... on ErrorResult { errorCode message } ... on Order { state } } }";
  auto early = api.gql(pay, {{"in", {{"method", "standard-payment"}, {"metadata", Json::object()}}}}, auth);
  CHECK(early.status == 200);
  CHECK(early.json()["data"]["addPaymentToOrder"]["errorCode"] == "ORDER_PAYMENT_STATE_ERROR");

  auto move = api.gql("mutation { transitionOrderToState(state: \"ArrangingPayment\") { __typename } }",
                      nullptr, auth);
  auto t = move.json()["data"]["transitionOrderToState"];
  CHECK(t["__typename"] == "OrderStateTransitionError");
  CHECK(t["errorCode"] == "ORDER_STATE_TRANSITION_ERROR");
  CHECK(t["transitionError"] ==
        "Cannot transition Order to the \"ArrangingPayment\" state without Customer details");

  api.fake->setFault("sold-out", true);
  auto sold = api.gql(kAdd, {{"id", "1"}, {"qty", 1}}, auth).json()["data"]["addItemToOrder"];
  CHECK(sold["__typename"] == "InsufficientStockError");
  CHECK(sold["errorCode"] == "INSUFFICIENT_STOCK_ERROR");
}

TEST_CASE("vendure fake: shouldDecline gives PaymentDeclinedError and the order stays") {
  Api api;
  const std::string token = api.gql(kAdd, {{"id", "1"}, {"qty", 1}}).header("vendure-auth-token");
  const std::vector<std::string> auth = {bearer(token)};
  api.gql("mutation($in: CreateCustomerInput!) { setCustomerForOrder(input: $in) { __typename } }",
          {{"in", {{"emailAddress", "probe@example.com"}, {"firstName", "P"}, {"lastName", "B"}}}}, auth);
  api.gql("mutation { setOrderShippingMethod(shippingMethodId: [\"1\"]) { __typename } }", nullptr, auth);
  auto moved = api.gql("mutation { transitionOrderToState(state: \"ArrangingPayment\") { __typename } }",
                       nullptr, auth);
  REQUIRE(moved.json()["data"]["transitionOrderToState"]["state"] == "ArrangingPayment");
  const char* pay = "mutation($in: PaymentInput!) { addPaymentToOrder(input: $in) { __typename } }";
  auto declined = api.gql(
      pay, {{"in", {{"method", "standard-payment"}, {"metadata", {{"shouldDecline", true}}}}}}, auth);
  CHECK(declined.json()["data"]["addPaymentToOrder"]["errorCode"] == "PAYMENT_DECLINED_ERROR");
  CHECK(api.gql("{ activeOrder { state } }", nullptr, auth).json()["data"]["activeOrder"]["state"] ==
        "ArrangingPayment");
  auto settled = api.gql(pay, {{"in", {{"method", "instant-settle"}, {"metadata", Json::object()}}}}, auth);
  CHECK(settled.json()["data"]["addPaymentToOrder"]["state"] == "PaymentSettled");
  CHECK(api.fake->counters().orders == 1);
  CHECK(api.gql("{ activeOrder { state } }", nullptr, auth).json()["data"]["activeOrder"].is_null());
}

TEST_CASE("vendure fake: an unknown id is errors[] ENTITY_NOT_FOUND with data null") {
  Api api;
  auto r = api.gql(kAdd, {{"id", "999"}, {"qty", 1}});
  CHECK(r.status == 200);
  auto j = r.json();
  CHECK(j["data"].is_null());
  CHECK(j["errors"][0]["extensions"]["code"] == "ENTITY_NOT_FOUND");
}

TEST_CASE("vendure fake: a document it cannot read is HTTP 400 GRAPHQL_VALIDATION_FAILED") {
  Api api;
  for (const std::string doc : {"{ activeOrder { code }", "mutation { nosuchField }",
                                "{ addItemToOrder(productVariantId: \"1\", quantity: 1) { code } }",
                                "query { product(slug: $undeclared) { id } }"}) {
    INFO(doc);
    auto r = api.gql(doc);
    CHECK(r.status == 400);
    CHECK(r.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED");
  }
  CHECK(request(api.fake->baseUrl() + "/shop-api", "not json").status == 400);
  CHECK(api.fake->counters().sessions == 0);
}

TEST_CASE("vendure fake: GET /shop-api?query= answers queries") {
  Api api;
  auto r = request(api.fake->baseUrl() + "/shop-api?query=%7B%20product(slug%3A%22tablet%22)%20%7B%20id%20%7D%20%7D", "");
  CHECK(r.status == 200);
  CHECK(r.json()["data"]["product"]["id"] == "2");
}
