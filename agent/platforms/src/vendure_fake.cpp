// The Vendure fake (research A1): POST (or GET) /shop-api with {query, variables}, answered by a
// tiny GraphQL reader (vendure_graphql.cpp) and the shop's resolvers (vendure_shop.cpp). The fake
// returns fixed, full objects for every field rather than only the fields the query selected.
//
// Sessions follow `authOptions.tokenMethod: ['bearer', 'cookie']` (the @vendure/create template):
// - a request that needs a session (the order operations; `product` does not) and brings none gets
//   a new anonymous session: `vendure-auth-token: <64 hex>` (exposed via
//   Access-Control-Expose-Headers) and the cookies `session` + `session.sig`; later answers do not
//   repeat them;
// - `Authorization: Bearer <token>` is read first, then the session cookie;
// - an unknown or expired token is NOT a 401: it silently becomes a new anonymous session whose
//   activeOrder is null [verified] — the trap a recipe must catch by comparing the order code.
// Business errors are result-union members with __typename/errorCode on HTTP 200; ENTITY_NOT_FOUND
// and friends come in errors[] with data null; a document the fake cannot read is HTTP 400
// GRAPHQL_VALIDATION_FAILED.
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>

#include "fake_base.h"
#include "fakes.h"
#include "vendure_graphql.h"
#include "vendure_shop.h"

namespace shopwatch::agent::platforms::detail {
namespace {

using vendure::DocumentError;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += kB64[(val >> bits) & 0x3F];
      bits -= 6;
    }
  }
  if (bits > -6) out += kB64[((val << 8) >> (bits + 8)) & 0x3F];
  while (out.size() % 4) out += '=';
  return out;
}

std::string unbase64(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (c == '=' || c == '\0' || !p) break;
    val = (val << 6) + static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

HttpResponse graphqlErrors(int status, const std::string& code, const std::string& message,
                           bool with_data) {
  Json body = {{"errors", Json::array({{{"message", message}, {"extensions", {{"code", code}}}}})}};
  if (with_data) body["data"] = nullptr;
  return jsonReply(status, body);
}

class VendureFake final : public FakeBase {
 public:
  VendureFake()
      : FakeBase("vendure",
                 {{"sold-out", "addItemToOrder answers InsufficientStockError (HTTP 200)"},
                  {"payment-declined", "addPaymentToOrder answers PaymentDeclinedError; the "
                                       "order stays in ArrangingPayment"},
                  {"lose-session", "every token and session cookie is ignored, as if expired: a "
                                   "new anonymous session, activeOrder null, no 401"},
                  {"no-shipping", "eligibleShippingMethods is empty"},
                  {"token-method-bearer", "authOptions.tokenMethod 'bearer': no session cookies"},
                  {"token-method-cookie", "authOptions.tokenMethod 'cookie': no vendure-auth-token "
                                          "header, Authorization is ignored"}}) {}

 protected:
  void addRoutes(http::HttpServer& server) override {
    auto handler = counted([this](const HttpRequest& req) { return handle(req); });
    server.route("POST", "/shop-api", handler);
    server.route("GET", "/shop-api", handler);  // research A1: GET ?query= works too [verified]
  }

  std::uint64_t openCarts() const override {
    std::lock_guard lock(mu_);
    return shop_.openCarts();
  }

 private:
  // Stand-in for cookie-session's keygrip HMAC signature: only this fake can make one.
  std::string sign(const std::string& value) const {
    const auto h = std::hash<std::string>{}(secret_ + "session=" + value);
    return base64(std::to_string(h)).substr(0, 27);
  }

  HttpResponse handle(const HttpRequest& req) {
    std::string query, operation_name;
    Json variables = nullptr;
    if (req.method == "POST") {
      auto body = jsonBody(req);
      if (!body || !body->is_object()) {
        // [memory] Apollo's answer to a body that is not a JSON object.
        return graphqlErrors(400, "BAD_REQUEST", "POST body missing, invalid Content-Type, or "
                                                 "JSON object has no keys.", false);
      }
      if ((*body)["query"].is_string()) query = (*body)["query"].get<std::string>();
      variables = body->value("variables", Json(nullptr));
      if ((*body)["operationName"].is_string()) {
        operation_name = (*body)["operationName"].get<std::string>();
      }
    } else {
      query = queryParam(req, "query").value_or("");
      if (auto v = queryParam(req, "variables")) {
        variables = Json::parse(*v, nullptr, false);
        if (variables.is_discarded()) {
          return graphqlErrors(400, "BAD_REQUEST", "`variables` is not valid JSON", false);
        }
      }
      operation_name = queryParam(req, "operationName").value_or("");
    }
    if (query.empty()) {
      return graphqlErrors(400, "BAD_REQUEST", "GraphQL operations must contain a non-empty "
                                               "`query` or a `persistedQuery` extension.", false);
    }
    if (!variables.is_null() && !variables.is_object()) {
      return graphqlErrors(400, "BAD_REQUEST", "`variables` in a POST body should be provided "
                                               "as an object.", false);
    }
    DocumentError error;
    auto op = vendure::parseOperation(query, variables, operation_name, error);
    if (!op) return graphqlErrors(400, error.code, error.message, false);
    if (op->mutation && req.method != "POST") {  // [memory] Apollo: mutations only over POST
      return graphqlErrors(405, "BAD_REQUEST",
                           "Can only perform a mutation operation from a POST request.", false);
    }
    bool needs_session = false;
    for (const auto& f : op->fields) {
      if (auto bad = vendure::Shop::validate(f, op->mutation)) {
        return graphqlErrors(400, bad->code, bad->message, false);
      }
      needs_session = needs_session || vendure::Shop::needsSession(f.name);
    }

    const bool bearer = !fault("token-method-cookie");
    const bool cookies = !fault("token-method-bearer");
    const vendure::ShopFaults faults{fault("sold-out"), fault("payment-declined"),
                                     fault("no-shipping")};
    const bool lose = fault("lose-session");
    std::string token;
    if (bearer) {
      const std::string auth = header(req, "authorization");
      if (auth.starts_with("Bearer ")) token = auth.substr(7);
    }
    if (token.empty() && cookies) {
      const std::string value = cookie(req, "session");
      if (!value.empty() && cookie(req, "session.sig") == sign(value)) {
        auto doc = Json::parse(unbase64(value), nullptr, false);
        if (doc.is_object() && doc["token"].is_string()) token = doc["token"].get<std::string>();
      }
    }

    std::lock_guard lock(mu_);
    auto session = lose ? sessions_.end() : sessions_.find(token);
    bool created = false;
    if (session == sessions_.end() && needs_session) {
      token = randomHex(64);
      session = sessions_.emplace(token, std::string()).first;
      created = true;
      countSession();
    }
    std::string scratch;  // the active order of a request without a session (none)
    std::string& active = session == sessions_.end() ? scratch : session->second;

    Json data = Json::object();
    Json errors = Json::array();
    for (const auto& f : op->fields) {
      if (f.name == "__typename") {
        data[f.alias] = op->mutation ? "Mutation" : "Query";
        continue;
      }
      auto result = shop_.resolve(f, active, faults);
      if (auto* e = std::get_if<vendure::FieldError>(&result)) {
        errors.push_back({{"message", e->message}, {"path", Json::array({f.alias})},
                          {"extensions", {{"code", e->code}}}});
      } else {
        data[f.alias] = std::move(std::get<Json>(result));
      }
    }
    for (std::size_t n = shop_.takeRejections(); n > 0; --n) countRejected();
    for (std::size_t n = shop_.takeOrders(); n > 0; --n) countOrder();

    // Research A1 [verified]: an unknown id is HTTP 200 with errors[] and data null.
    HttpResponse r = errors.empty() ? jsonReply(200, {{"data", data}})
                                    : jsonReply(200, {{"errors", errors}, {"data", nullptr}});
    if (created) {
      if (bearer) {
        r.headers.emplace_back("vendure-auth-token", token);
        r.headers.emplace_back("Access-Control-Expose-Headers", "vendure-auth-token");
      }
      if (cookies) {
        const std::string value = base64(Json{{"token", token}}.dump());
        const std::string expires = expiresInAYear();
        setCookie(r, "session", value, expires);
        setCookie(r, "session.sig", sign(value), expires);
      }
    }
    return r;
  }

  static std::string expiresInAYear() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                               std::chrono::hours(24 * 365));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "Expires=%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
  }

  const std::string secret_ = randomHex(32);
  mutable std::mutex mu_;
  std::map<std::string, std::string> sessions_;  ///< token → the code of its active order
  vendure::Shop shop_;
};

}  // namespace

std::unique_ptr<PlatformFake> makeVendureFake() { return std::make_unique<VendureFake>(); }

}  // namespace shopwatch::agent::platforms::detail
