// [B2] The Vendure fake's contract, by direct HTTP (libcurl), independent of the recipes: the
// shop-api shapes of research A1 — tokens sent once, silent new sessions, result unions on 200,
// errors[] with data null, 400 for a bad document, cookie sessions.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "http_call.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using Json = nlohmann::json;

using test::HttpHeaders;
using test::HttpReply;

/// POST (or GET when `body` is empty) to `url` with the extra `headers`.
HttpReply request(const std::string& url, const std::string& body, const HttpHeaders& headers = {}) {
  return test::httpCall(body.empty() ? "GET" : "POST", url, body, headers);
}

struct Api {
  std::unique_ptr<agent::platforms::PlatformFake> fake =
      agent::platforms::makePlatformFake("vendure");
  Api() { REQUIRE(fake->start("127.0.0.1:0")); }
  HttpReply gql(const std::string& query, const Json& variables = nullptr,
                const HttpHeaders& headers = {}) const {
    Json body = {{"query", query}};
    if (!variables.is_null()) body["variables"] = variables;
    return request(fake->baseUrl() + "/shop-api", body.dump(), headers);
  }
};

const char* kAdd =
    "mutation($id: ID!, $qty: Int!) { addItemToOrder(productVariantId: $id, quantity: $qty) "
    "{ __typename ... on Order { code state } ... on ErrorResult { errorCode message } } }";

std::pair<std::string, std::string> bearer(const std::string& token) {
  return {"Authorization", "Bearer " + token};
}

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
  auto good = api.gql("{ activeOrder { code } }", nullptr, {{"Cookie", jar}});
  CHECK(good.json()["data"]["activeOrder"]["code"] == add.json()["data"]["addItemToOrder"]["code"]);
  const std::string forged = jar.substr(0, jar.find("session.sig=")) + "session.sig=forged";
  auto bad = api.gql("{ activeOrder { code } }", nullptr, {{"Cookie", forged}});
  CHECK(bad.json()["data"]["activeOrder"].is_null());
}

TEST_CASE("vendure fake: business errors are result unions on HTTP 200") {
  Api api;
  auto add = api.gql(kAdd, {{"id", "1"}, {"qty", 1}});
  const std::string token = add.header("vendure-auth-token");
  const HttpHeaders auth = {bearer(token)};
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
  const HttpHeaders auth = {bearer(token)};
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
