// The Shopware 6 Store API fake ([B2], examples/journeys/shopware.yaml): a sales channel with a
// fixed access key, context tokens, a product catalogue, a cart that answers 200 with an `errors`
// map, guest registration (a NEW context token), shipping/payment methods, order placement and
// handle-payment. Written from research A2 (Shopware 6.4+ unversioned /store-api paths) and §0,
// not from the recipe. Facts the research marks [source] are plain; where it gives no detail
// (exact error codes, field lists) the comment says [memory].
#include "shopware_fake.h"

#include <algorithm>

namespace shopwatch::agent::platforms::detail {

ShopwareFake::ShopwareFake()
    : FakeBase("shopware",
               {{"not-available", "line-item add answers 200 with a product-not-found error in "
                                  "`errors` and no line item (the product left the sales channel)"},
                {"sold-out", "the product shows available:false (stock 0); line-item add answers "
                             "200 with a product-out-of-stock error"},
                {"rate-limit", "line-item add answers 429 FRAMEWORK__RATE_LIMIT_EXCEEDED "
                               "(RateLimiter::CART_ADD_LINE_ITEM)"},
                {"double-opt-in", "guest registration issues no new context token (double opt-in "
                                  "for guests), so placing the order answers 403"},
                {"shipping-blocked", "GET checkout/cart answers 200 with a shipping-method-blocked "
                                     "error"},
                {"payment-gateway", "handle-payment answers a redirectUrl to a payment provider "
                                    "(an asynchronous gateway) instead of null"},
                {"access-key-changed", "the sales channel's access key was regenerated: every "
                                       "request answers 401"}}) {
  catalogue_ = shopwareCatalogue();
}

std::uint64_t ShopwareFake::openCarts() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [token, ctx] : contexts_) n += ctx.items.empty() ? 0 : 1;
  return n;
}

HttpResponse ShopwareFake::storeApiError(int status, const std::string& code,
                                         const std::string& title, const std::string& detail,
                                         const std::string& pointer) {
  Json e = {{"status", std::to_string(status)}, {"code", code}, {"title", title},
            {"detail", detail}};
  if (!pointer.empty()) e["source"] = {{"pointer", pointer}};
  return jsonReply(status, Json{{"errors", Json::array({e})}});
}

// The request's context (created when no token came), with its token set on the answer.
// [source] research A2 "Session rule": no sw-context-token → Shopware creates one and returns it
// as the response header. [memory] Shopware sends the header on every Store API answer (the
// current token), and a token it does not know is taken as a new, empty context under that name.
ShopwareContext& ShopwareFake::contextFor(const HttpRequest& req, std::string& token) {
  token = header(req, "sw-context-token");
  if (token.empty()) {
    token = randomAlnum(32);
    countSession();
  }
  auto [it, inserted] = contexts_.try_emplace(token);
  if (inserted) {
    it->second.shipping_method = catalogue_.shipping.front().id;
    it->second.payment_method = catalogue_.payment.front().id;
  }
  return it->second;
}

void ShopwareFake::addRoutes(http::HttpServer& server) {
  auto api = [&](const std::string& method, const std::string& path, Handler h) {
    server.route(method, "/store-api" + path,
                 counted([this, h](const HttpRequest& req) { return guarded(req, h); }));
  };
  api("GET", "/context", &ShopwareFake::getContext);
  api("PATCH", "/context", &ShopwareFake::patchContext);
  api("POST", "/product", &ShopwareFake::searchProducts);
  api("POST", "/country", &ShopwareFake::searchCountries);
  api("POST", "/shipping-method", &ShopwareFake::shippingMethods);
  api("GET", "/shipping-method", &ShopwareFake::shippingMethods);
  api("POST", "/payment-method", &ShopwareFake::paymentMethods);
  api("GET", "/payment-method", &ShopwareFake::paymentMethods);
  api("POST", "/checkout/cart/line-item", &ShopwareFake::addLineItems);
  api("DELETE", "/checkout/cart/line-item", &ShopwareFake::removeLineItems);
  api("GET", "/checkout/cart", &ShopwareFake::getCart);
  api("DELETE", "/checkout/cart", &ShopwareFake::deleteCart);
  api("POST", "/account/register", &ShopwareFake::registerGuest);
  api("POST", "/checkout/order", &ShopwareFake::placeOrder);
  api("POST", "/handle-payment", &ShopwareFake::handlePayment);
  // Unknown store-api paths: Shopware's router answers 404 (FRAMEWORK__ROUTE_NOT_FOUND [memory]).
  for (const char* m : {"GET", "POST", "PATCH", "DELETE"}) {
    server.routePrefix(m, "/store-api/", counted([](const HttpRequest& req) {
                         return storeApiError(404, "FRAMEWORK__ROUTE_NOT_FOUND", "Not Found",
                                              "No route found for \"" + req.method + " " +
                                                  req.path + "\".");
                       }));
  }
}

HttpResponse ShopwareFake::guarded(const HttpRequest& req, Handler h) {
  // [source] research A2: `sw-access-key` (the sales channel's "SWSC…" key) on every request.
  // [memory] the research does not give the answer to a missing or wrong key; Shopware answers
  // 401 with this JSON:API error (InvalidAccessKeyException).
  const std::string key = header(req, "sw-access-key");
  if (key.empty() || key != kShopwareAccessKey || fault("access-key-changed")) {
    return storeApiError(401, "FRAMEWORK__API_INVALID_ACCESS_KEY", "Unauthorized",
                         "Access key is invalid and could not be identified.");
  }
  if (!req.body.empty() && req.method != "GET" && !jsonBody(req)) {
    // [memory] a body that is not JSON: 400 FRAMEWORK__INVALID_REQUEST_BODY (not in the research).
    return storeApiError(400, "FRAMEWORK__INVALID_REQUEST_BODY", "Bad Request",
                         "The request body is not valid JSON.");
  }
  std::lock_guard lock(mu_);
  std::string token;
  ShopwareContext& ctx = contextFor(req, token);
  HttpResponse r = (this->*h)(req, ctx, token);
  // register may have replaced the token (the new one is in `token` then).
  r.headers.emplace_back("sw-context-token", token);
  return r;
}

HttpResponse ShopwareFake::getContext(const HttpRequest&, ShopwareContext& ctx,
                                      std::string& token) {
  // [memory] the SalesChannelContext JSON, abridged to what a client reads.
  Json customer = nullptr;
  if (ctx.customer) customer = ctx.customer->toJson();
  return jsonReply(200, {{"token", token},
                         {"customer", customer},
                         {"currency", {{"isoCode", "EUR"}, {"symbol", "€"}}},
                         {"salesChannel", {{"id", catalogue_.sales_channel_id},
                                           {"name", "Storefront"}}},
                         {"shippingMethod", catalogue_.shippingJson(ctx.shipping_method)},
                         {"paymentMethod", catalogue_.paymentJson(ctx.payment_method)},
                         {"apiAlias", "sales_channel_context"}});
}

HttpResponse ShopwareFake::patchContext(const HttpRequest& req, ShopwareContext& ctx,
                                        std::string& token) {
  const Json body = jsonBody(req).value_or(Json::object());
  // [memory] an unknown id is a 400 constraint violation (not in the research).
  auto check = [&](const char* field, bool shipping) -> std::optional<HttpResponse> {
    if (!body.contains(field)) return std::nullopt;
    const std::string id = body[field].is_string() ? body[field].get<std::string>() : "";
    const bool known = shipping ? catalogue_.findShipping(id) != nullptr
                                : catalogue_.findPayment(id) != nullptr;
    if (known) return std::nullopt;
    return storeApiError(400, "VIOLATION::ENTITY_DOES_NOT_EXIST", "Constraint violation error",
                         "The " + std::string(shipping ? "shipping_method" : "payment_method") +
                             " entity with id \"" + id + "\" does not exist.",
                         std::string("/") + field);
  };
  if (auto e = check("shippingMethodId", true)) return *e;
  if (auto e = check("paymentMethodId", false)) return *e;
  if (body.contains("shippingMethodId")) ctx.shipping_method = body["shippingMethodId"];
  if (body.contains("paymentMethodId")) ctx.payment_method = body["paymentMethodId"];
  // [source] research A2 step 7: `contextToken` in the body.
  return jsonReply(200, {{"contextToken", token}, {"apiAlias", "array_struct"}});
}

HttpResponse ShopwareFake::searchProducts(const HttpRequest& req, ShopwareContext&, std::string&) {
  Json elements = Json::array();
  for (const auto& p : catalogue_.products) {
    const bool sold_out = fault("sold-out") && p.number == catalogue_.products.front().number;
    elements.push_back(p.toJson(sold_out));
  }
  return jsonReply(200, criteriaResult(jsonBody(req).value_or(Json::object()), elements,
                                       "product"));
}

HttpResponse ShopwareFake::searchCountries(const HttpRequest& req, ShopwareContext&,
                                           std::string&) {
  Json elements = Json::array();
  for (const auto& c : catalogue_.countries) {
    elements.push_back({{"id", c.id}, {"iso", c.iso}, {"iso3", c.iso3}, {"name", c.name},
                        {"active", true}, {"shippingAvailable", true}, {"apiAlias", "country"}});
  }
  return jsonReply(200, criteriaResult(jsonBody(req).value_or(Json::object()), elements,
                                       "country"));
}

HttpResponse ShopwareFake::shippingMethods(const HttpRequest& req, ShopwareContext&,
                                           std::string&) {
  Json elements = Json::array();
  for (const auto& m : catalogue_.shipping) elements.push_back(catalogue_.shippingJson(m.id));
  return jsonReply(200, criteriaResult(jsonBody(req).value_or(Json::object()), elements,
                                       "shipping_method"));
}

HttpResponse ShopwareFake::paymentMethods(const HttpRequest& req, ShopwareContext&,
                                          std::string&) {
  Json elements = Json::array();
  for (const auto& m : catalogue_.payment) elements.push_back(catalogue_.paymentJson(m.id));
  return jsonReply(200, criteriaResult(jsonBody(req).value_or(Json::object()), elements,
                                       "payment_method"));
}

HttpResponse ShopwareFake::addLineItems(const HttpRequest& req, ShopwareContext& ctx,
                                        std::string& token) {
  // [source] research §0: Shopware rate-limits cart adds per product and client IP
  // (RateLimiter::CART_ADD_LINE_ITEM). [memory] the 429 body's code and the Retry-After header.
  if (fault("rate-limit")) {
    HttpResponse r = storeApiError(429, "FRAMEWORK__RATE_LIMIT_EXCEEDED", "Too Many Requests",
                                   "Too many requests, try again in 60 seconds.");
    r.headers.emplace_back("Retry-After", "60");
    return r;
  }
  const Json body = jsonBody(req).value_or(Json::object());
  if (!body.contains("items") || !body["items"].is_array()) {
    return storeApiError(400, "FRAMEWORK__MISSING_REQUEST_PARAMETER", "Bad Request",
                         "Parameter \"items\" is missing.", "/items");
  }
  ctx.errors = Json::object();
  for (const auto& item : body["items"]) {
    const std::string ref = item.value("referencedId", item.value("id", std::string()));
    const long long qty = item.value("quantity", 1LL);
    const ShopwareProduct* p = catalogue_.findProduct(ref);
    // [source] research A2 step 3: 200 even if the product cannot be added; an invalid item is a
    // `product-not-found…` key in `errors`. [memory] the error object's fields.
    const bool gone = p && fault("not-available") && p == &catalogue_.products.front();
    if (!p || gone) {
      ctx.errors["product-not-found" + ref] = {
          {"id", ref}, {"key", "product-not-found" + ref}, {"level", 20},
          {"message", "The product " + ref + " could not be found."},
          {"messageKey", "product-not-found"}};
      continue;
    }
    // [memory] the stock error's key (product-out-of-stock + id).
    if (fault("sold-out") && p == &catalogue_.products.front()) {
      ctx.errors["product-out-of-stock" + ref] = {
          {"id", ref}, {"key", "product-out-of-stock" + ref}, {"level", 20},
          {"message", "The product " + p->name + " is no longer available."},
          {"messageKey", "product-out-of-stock"}};
      continue;
    }
    auto existing = std::find_if(ctx.items.begin(), ctx.items.end(),
                                 [&](const ShopwareLineItem& l) { return l.referenced_id == ref; });
    if (existing != ctx.items.end()) {
      existing->quantity += std::max(1LL, qty);
    } else {
      ctx.items.push_back({item.value("id", ref), ref, std::max(1LL, qty)});
    }
  }
  if (!ctx.errors.empty()) countRejected();
  return jsonReply(200, cartJson(ctx, token));
}

HttpResponse ShopwareFake::removeLineItems(const HttpRequest& req, ShopwareContext& ctx,
                                           std::string& token) {
  // 6.4: {"ids": [...]} in the body; newer versions also take ?ids[]=… [memory].
  std::vector<std::string> ids;
  const Json body = jsonBody(req).value_or(Json::object());
  if (body.contains("ids") && body["ids"].is_array()) {
    for (const auto& id : body["ids"]) {
      if (id.is_string()) ids.push_back(id);
    }
  }
  for (const char* name : {"ids[]", "ids[0]", "ids"}) {
    if (auto v = queryParam(req, name)) ids.push_back(*v);
  }
  if (ids.empty()) {
    return storeApiError(400, "FRAMEWORK__MISSING_REQUEST_PARAMETER", "Bad Request",
                         "Parameter \"ids\" is missing.", "/ids");
  }
  for (const auto& id : ids) {
    std::erase_if(ctx.items, [&](const ShopwareLineItem& l) { return l.id == id; });
  }
  ctx.errors = Json::object();
  return jsonReply(200, cartJson(ctx, token));
}

HttpResponse ShopwareFake::getCart(const HttpRequest&, ShopwareContext& ctx, std::string& token) {
  // [source] research A2 step 8: blocked shipping or payment shows up in `errors`.
  // [memory] the key shipping-method-blocked-<name>.
  ctx.errors = Json::object();
  if (fault("shipping-blocked")) {
    const auto* m = catalogue_.findShipping(ctx.shipping_method);
    const std::string name = m ? m->name : "Standard";
    ctx.errors["shipping-method-blocked-" + name] = {
        {"key", "shipping-method-blocked-" + name}, {"level", 10},
        {"message", "Shipping method " + name + " not available."},
        {"messageKey", "shipping-method-blocked"}};
    countRejected();
  }
  return jsonReply(200, cartJson(ctx, token));
}

HttpResponse ShopwareFake::deleteCart(const HttpRequest&, ShopwareContext& ctx, std::string&) {
  // [memory] CartDeleteRoute answers 204 No Content.
  ctx.items.clear();
  ctx.errors = Json::object();
  HttpResponse r;
  r.status = 204;
  r.content_type = "application/json";
  return r;
}

HttpResponse ShopwareFake::registerGuest(const HttpRequest& req, ShopwareContext& ctx,
                                         std::string& token) {
  const Json body = jsonBody(req).value_or(Json::object());
  auto text = [&](const Json& j, const char* k) {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
  };
  // [memory] the violation codes (Symfony constraint names as Shopware formats them).
  auto blank = [&](const std::string& pointer) {
    return storeApiError(400, "VIOLATION::IS_BLANK_ERROR", "Constraint violation error",
                         "This value should not be blank.", pointer);
  };
  for (const char* k : {"email", "firstName", "lastName"}) {
    if (text(body, k).empty()) return blank(std::string("/") + k);
  }
  if (text(body, "email").find('@') == std::string::npos) {
    return storeApiError(400, "VIOLATION::INVALID_EMAIL_FORMAT_ERROR",
                         "Constraint violation error", "This value is not a valid email address.",
                         "/email");
  }
  // [source] research A2 note: storefrontUrl is validated with Choice(domain URLs of the sales
  // channel). This fake's only domain is its own base URL.
  const std::string domain = "http://127.0.0.1:" + std::to_string(port());
  if (text(body, "storefrontUrl") != domain) {
    return storeApiError(400, "VIOLATION::NO_SUCH_CHOICE_ERROR", "Constraint violation error",
                         "The value you selected is not a valid choice.", "/storefrontUrl");
  }
  const Json billing = body.value("billingAddress", Json::object());
  for (const char* k : {"street", "city", "countryId"}) {
    if (text(billing, k).empty()) return blank(std::string("/billingAddress/") + k);
  }
  if (!catalogue_.findCountry(text(billing, "countryId"))) {
    return storeApiError(400, "VIOLATION::ENTITY_DOES_NOT_EXIST", "Constraint violation error",
                         "The country with id \"" + text(billing, "countryId") +
                             "\" does not exist.",
                         "/billingAddress/countryId");
  }
  ShopwareCustomer customer{randomHex(32), text(body, "email"), text(body, "firstName"),
                            text(body, "lastName"), body.value("guest", false),
                            fault("double-opt-in"), {}};
  customer.number = std::to_string(10000 + ++customers_);
  const Json answer = customer.toJson();
  // [source] research A2 note: with double opt-in for guests no new token is issued and the
  // order cannot be placed (the customer is not logged in).
  if (customer.double_opt_in) return jsonReply(200, answer);
  // [source] research A2 "Session rule": after account/register the header carries a NEW token
  // (6.5+ sets only the new one); the cart moves with it and the old token is forgotten.
  ShopwareContext moved = std::move(ctx);
  moved.customer = std::move(customer);
  contexts_.erase(token);
  token = randomAlnum(32);
  contexts_[token] = std::move(moved);
  return jsonReply(200, answer);
}

HttpResponse ShopwareFake::placeOrder(const HttpRequest& req, ShopwareContext& ctx,
                                      std::string& token) {
  // [source] research A2 step 9: _loginRequired, _loginRequiredAllowGuest → 403 without a customer.
  if (!ctx.customer) {
    return storeApiError(403, "CHECKOUT__CUSTOMER_NOT_LOGGED_IN", "Forbidden",
                         "Customer is not logged in.");
  }
  if (ctx.items.empty()) {
    // [memory] EmptyCartException.
    return storeApiError(400, "CHECKOUT__CART_EMPTY", "Bad Request", "Cart is empty");
  }
  const Json body = jsonBody(req).value_or(Json::object());
  const Json cart = cartJson(ctx, token);
  ShopwareOrder order{randomHex(32), std::to_string(10000 + orders_.size() + 1),
                      ctx.payment_method, randomHex(32)};
  Json json = {{"id", order.id},
               {"orderNumber", order.number},
               {"price", cart["price"]},
               {"amountTotal", cart["price"]["totalPrice"]},
               {"lineItems", cart["lineItems"]},
               {"orderCustomer", {{"email", ctx.customer->email},
                                  {"firstName", ctx.customer->first_name},
                                  {"lastName", ctx.customer->last_name}}},
               {"customerComment", body.value("customerComment", Json(nullptr))},
               {"stateMachineState", {{"technicalName", "open"}}},
               {"transactions", Json::array({{{"id", order.transaction_id},
                                              {"paymentMethodId", order.payment_method},
                                              {"stateMachineState",
                                               {{"technicalName", "open"}}}}})},
               {"apiAlias", "order"}};
  orders_.push_back(order);
  ctx.items.clear();
  ctx.errors = Json::object();
  countOrder();
  return jsonReply(200, json);
}

HttpResponse ShopwareFake::handlePayment(const HttpRequest& req, ShopwareContext& ctx,
                                         std::string&) {
  const Json body = jsonBody(req).value_or(Json::object());
  const std::string id = body.value("orderId", std::string());
  auto it = std::find_if(orders_.begin(), orders_.end(),
                         [&](const ShopwareOrder& o) { return o.id == id; });
  if (!ctx.customer) {
    return storeApiError(403, "CHECKOUT__CUSTOMER_NOT_LOGGED_IN", "Forbidden",
                         "Customer is not logged in.");
  }
  if (it == orders_.end()) {
    // [memory] the code of an unknown order id.
    return storeApiError(404, "CHECKOUT__ORDER_NOT_FOUND", "Not Found",
                         "Order with id \"" + id + "\" not found.", "/orderId");
  }
  // [source] research A2 step 10: built-in synchronous methods answer redirectUrl null (the
  // transaction stays open); a gateway answers a redirectUrl, where a probe stops.
  const auto* method = catalogue_.findPayment(it->payment_method);
  if (fault("payment-gateway") || (method && method->gateway)) {
    return jsonReply(200, {{"redirectUrl", "https://psp.example.invalid/pay/" + it->transaction_id +
                                               "?return=" + body.value("finishUrl", std::string())},
                           {"apiAlias", "handle_payment_method_route_response"}});
  }
  return jsonReply(200, {{"redirectUrl", nullptr},
                         {"apiAlias", "handle_payment_method_route_response"}});
}

std::unique_ptr<PlatformFake> makeShopwareFake() { return std::make_unique<ShopwareFake>(); }

}  // namespace shopwatch::agent::platforms::detail
