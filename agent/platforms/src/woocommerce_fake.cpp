// The WooCommerce Store API fake ([B2], examples/journeys/woocommerce.yaml and
// woocommerce-nonce.yaml) under /wp-json/wc/store/v1: products, the cart with its Cart-Token and
// Nonce headers, add-item, update-customer, select-shipping-rate, the draft order (GET checkout)
// and order placement (POST checkout). Written from research A4 (the Store API docs
// cart-tokens.md, nonce-tokens.md, cart.md, checkout.md), not from the recipes; details the
// research does not give are marked [memory].
#include "woocommerce_fake.h"

#include <algorithm>

namespace shopwatch::agent::platforms::detail {
namespace {

constexpr const char* kPrefix = "/wp-json/wc/store/v1";
// [memory] WordPress names the cookie wp_woocommerce_session_<COOKIEHASH>.
constexpr const char* kSessionCookie = "wp_woocommerce_session_5f3c2a";

long long number(const Json& j, const char* key, long long fallback) {
  if (!j.contains(key)) return fallback;
  if (j[key].is_number_integer()) return j[key].get<long long>();
  if (j[key].is_string()) {
    try {
      return std::stoll(j[key].get<std::string>());
    } catch (const std::exception&) {
      return fallback;
    }
  }
  return fallback;
}

}  // namespace

WooCommerceFake::WooCommerceFake()
    : FakeBase("woocommerce",
               {{"out-of-stock", "the product shows is_in_stock:false; add-item answers 400 "
                                 "woocommerce_rest_product_out_of_stock"},
                {"no-shipping", "no shipping rate for the address (an empty shipping_rates list)"},
                {"price-change", "the price rises before checkout: POST checkout with the old "
                                 "expected_total answers 409 woocommerce_rest_checkout_total_mismatch"},
                {"nonce-expired", "every Nonce is rejected (401 woocommerce_rest_invalid_nonce), as "
                                  "after nonce_life or with a page cache serving another "
                                  "session's nonce"},
                {"payment-declined", "POST checkout answers 400 with payment_result "
                                     "payment_status failure (woocommerce_rest_checkout_process_payment_error)"}}) {
  products_ = {{101, "demo-mug", "Demo Mug", "DEMO-MUG", 1299},
               {102, "demo-t-shirt", "Demo T-Shirt", "DEMO-TEE", 2450},
               {103, "demo-poster", "Demo Poster", "DEMO-POSTER", 900}};
}

std::uint64_t WooCommerceFake::openCarts() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [id, s] : sessions_) n += s.items.empty() ? 0 : 1;
  return n;
}

HttpResponse WooCommerceFake::wooError(int status, const std::string& code,
                                       const std::string& message, const Json& extra) {
  // [source] research A4: {"code": ..., "message": ..., "data": {"status": N}}; 409s carry the
  // current cart in data.cart.
  Json data = {{"status", status}};
  if (extra.is_object()) data.update(extra);
  return jsonReply(status, {{"code", code}, {"message", message}, {"data", data}});
}

const WooProduct* WooCommerceFake::product(long long id) const {
  for (const auto& p : products_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

void WooCommerceFake::addRoutes(http::HttpServer& server) {
  const std::string base = kPrefix;
  server.route("GET", base + "/products", counted([this](const HttpRequest& req) {
    // [source] research A4 step 1: ?slug= (or ?search=); a JSON array.
    const auto slug = queryParam(req, "slug");
    const auto search = queryParam(req, "search");
    Json out = Json::array();
    for (const auto& p : products_) {
      if (slug && p.slug != *slug) continue;
      if (search && p.name.find(*search) == std::string::npos) continue;
      const bool in_stock = !fault("out-of-stock");
      out.push_back({{"id", p.id}, {"name", p.name}, {"slug", p.slug}, {"sku", p.sku},
                     {"type", "simple"}, {"is_purchasable", true}, {"is_in_stock", in_stock},
                     {"prices", {{"price", std::to_string(p.cents)},
                                 {"regular_price", std::to_string(p.cents)},
                                 {"sale_price", std::to_string(p.cents)},
                                 {"currency_code", "EUR"}, {"currency_minor_unit", 2}}}});
    }
    return jsonReply(200, out);
  }));
  auto cart = [&](const std::string& method, const std::string& path, Handler h) {
    server.route(method, base + path, counted([this, h](const HttpRequest& req) {
                   return session(req, h);
                 }));
  };
  cart("GET", "/cart", &WooCommerceFake::getCart);
  cart("POST", "/cart/add-item", &WooCommerceFake::addItem);
  cart("POST", "/cart/remove-item", &WooCommerceFake::removeItem);
  cart("DELETE", "/cart/items", &WooCommerceFake::deleteItems);
  cart("POST", "/cart/update-customer", &WooCommerceFake::updateCustomer);
  cart("POST", "/cart/select-shipping-rate", &WooCommerceFake::selectRate);
  cart("GET", "/checkout", &WooCommerceFake::getCheckout);
  cart("POST", "/checkout", &WooCommerceFake::postCheckout);
  // [memory] WordPress answers unknown REST routes 404 rest_no_route.
  for (const char* m : {"GET", "POST", "PUT", "DELETE"}) {
    server.routePrefix(m, "/wp-json/", counted([](const HttpRequest&) {
                         return wooError(404, "rest_no_route",
                                         "No route was found matching the URL and request method.");
                       }));
  }
}

// Finds or starts the request's session and checks the nonce where one is needed.
// [source] research A4: Cart-Token mode needs no nonce and no cookies; cookie mode needs the
// `Nonce` header (older releases: X-WC-Store-API-Nonce) on every POST to /cart/* and on all
// /checkout requests, missing → 401 woocommerce_rest_missing_nonce, bad → 401
// woocommerce_rest_invalid_nonce; after a successful request an updated Nonce is sent back,
// which the client must store. This fake rotates it on every successful answer and accepts only
// the latest one (the strictest reading; real WordPress nonces stay valid for 12-24 h [memory]).
HttpResponse WooCommerceFake::session(const HttpRequest& req, Handler h) {
  std::lock_guard lock(mu_);
  const std::string sent_token = header(req, "cart-token");
  const std::string sent_cookie = cookie(req, kSessionCookie);
  std::string id, new_cookie;
  if (!sent_token.empty()) {
    auto t = by_token_.find(sent_token);
    if (t != by_token_.end()) {
      id = t->second;
    } else {
      // [memory] an unknown or expired Cart-Token: the Store API starts an empty cart under it.
      id = randomHex(16);
      by_token_[sent_token] = id;
      sessions_[id].cart_token = sent_token;
      countSession();
    }
  } else if (auto c = by_cookie_.find(sent_cookie); !sent_cookie.empty() && c != by_cookie_.end()) {
    id = c->second;
  } else {
    // A new session: its cookie, and a Cart-Token naming the same cart.
    id = randomHex(16);
    new_cookie = randomHex(32);
    by_cookie_[new_cookie] = id;
    WooSession& fresh = sessions_[id];
    fresh.cart_token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + randomAlnum(40) + "." +
                       randomAlnum(43);
    by_token_[fresh.cart_token] = id;
    countSession();
  }
  WooSession& s = sessions_[id];
  if (s.nonce.empty()) s.nonce = randomHex(10);
  const bool needs_nonce =
      sent_token.empty() && (req.method != "GET" || req.path.ends_with("/checkout"));
  HttpResponse r;
  if (needs_nonce) {
    std::string nonce = header(req, "nonce");
    if (nonce.empty()) nonce = header(req, "x-wc-store-api-nonce");
    if (nonce.empty()) {
      // [memory] the message text.
      r = wooError(401, "woocommerce_rest_missing_nonce",
                   "Missing the Nonce header. This endpoint requires a valid nonce.");
    } else if (nonce != s.nonce || fault("nonce-expired")) {
      r = wooError(401, "woocommerce_rest_invalid_nonce", "Nonce is invalid.");
    }
  }
  if (r.status < 400) r = (this->*h)(req, s);
  if (r.status < 400) {
    s.nonce = randomHex(10);
    r.headers.emplace_back("Nonce", s.nonce);
    r.headers.emplace_back("Cart-Token", s.cart_token);
  }
  if (!new_cookie.empty()) setCookie(r, kSessionCookie, new_cookie);
  return r;
}

HttpResponse WooCommerceFake::getCart(const HttpRequest&, WooSession& s) {
  return jsonReply(200, cartJson(s));
}

HttpResponse WooCommerceFake::addItem(const HttpRequest& req, WooSession& s) {
  const Json body = jsonBody(req).value_or(Json::object());
  const long long id = number(body, "id", 0);
  const long long qty = number(body, "quantity", 1);
  const WooProduct* p = product(id);
  // [source] research A4 step 3: woocommerce_rest_cart_invalid_product, status 400.
  if (!p) {
    return wooError(400, "woocommerce_rest_cart_invalid_product",
                    "This product cannot be added to the cart.");
  }
  // [memory] the out-of-stock code and message.
  if (fault("out-of-stock")) {
    return wooError(400, "woocommerce_rest_product_out_of_stock",
                    "You cannot add &quot;" + p->name + "&quot; to the cart because the product "
                    "is out of stock.");
  }
  if (qty < 1) {
    return wooError(400, "woocommerce_rest_cart_invalid_quantity", "Quantity must be at least 1.");
  }
  auto it = std::find_if(s.items.begin(), s.items.end(),
                         [&](const WooItem& i) { return i.product_id == id; });
  if (it != s.items.end()) {
    it->quantity += qty;
  } else {
    s.items.push_back({randomHex(32), id, qty});
  }
  return jsonReply(201, cartJson(s));
}

HttpResponse WooCommerceFake::removeItem(const HttpRequest& req, WooSession& s) {
  const Json body = jsonBody(req).value_or(Json::object());
  const std::string key = body.value("key", std::string());
  const auto before = s.items.size();
  std::erase_if(s.items, [&](const WooItem& i) { return i.key == key; });
  if (s.items.size() == before) {
    // [memory] the code of an unknown item key.
    return wooError(409, "woocommerce_rest_cart_invalid_key",
                    "Cart item no longer exists or is invalid.", {{"cart", cartJson(s)}});
  }
  return jsonReply(200, cartJson(s));
}

HttpResponse WooCommerceFake::deleteItems(const HttpRequest&, WooSession& s) {
  // [memory] DELETE /cart/items empties the cart and answers the (empty) items list.
  s.items.clear();
  return jsonReply(200, Json::array());
}

HttpResponse WooCommerceFake::updateCustomer(const HttpRequest& req, WooSession& s) {
  const Json body = jsonBody(req).value_or(Json::object());
  if (body.contains("billing_address") && body["billing_address"].is_object()) {
    s.billing = body["billing_address"];
  }
  if (body.contains("shipping_address") && body["shipping_address"].is_object()) {
    s.shipping = body["shipping_address"];
  } else if (!s.billing.empty()) {
    s.shipping = s.billing;
    s.shipping.erase("email");
  }
  s.has_address = s.shipping.contains("country") || s.billing.contains("country");
  return jsonReply(200, cartJson(s));
}

HttpResponse WooCommerceFake::selectRate(const HttpRequest& req, WooSession& s) {
  const Json body = jsonBody(req).value_or(Json::object());
  const std::string rate = body.value("rate_id", std::string());
  bool known = false;
  for (const auto& pkg : rates(s)) {
    for (const auto& r : pkg["shipping_rates"]) known = known || r["rate_id"] == rate;
  }
  if (!known) {
    // [memory] the code of an unknown rate.
    return wooError(400, "woocommerce_rest_cart_invalid_rate", "Invalid rate ID.");
  }
  s.selected_rate = rate;
  return jsonReply(200, cartJson(s));
}

HttpResponse WooCommerceFake::getCheckout(const HttpRequest&, WooSession& s) {
  // [source] research A4 step 6: the draft order (status checkout-draft) with order_id/order_key.
  if (s.items.empty()) {
    return wooError(400, "woocommerce_rest_cart_empty",
                    "Cannot create order from empty cart.");  // [memory]
  }
  if (s.draft_order == 0) {
    s.draft_order = ++next_order_;
    s.draft_key = "wc_order_" + randomAlnum(13);
  }
  return jsonReply(200, {{"order_id", s.draft_order}, {"status", "checkout-draft"},
                         {"order_key", s.draft_key}, {"customer_id", 0},
                         {"customer_note", ""}, {"billing_address", s.billing},
                         {"shipping_address", s.shipping}, {"payment_method", ""},
                         {"payment_result", nullptr}});
}

HttpResponse WooCommerceFake::postCheckout(const HttpRequest& req, WooSession& s) {
  const Json body = jsonBody(req).value_or(Json::object());
  if (s.items.empty()) {
    return wooError(400, "woocommerce_rest_cart_empty", "Cannot create order from empty cart.");
  }
  const std::string method = body.value("payment_method", std::string());
  // [source] research A4: offline gateways bacs, cheque, cod (the merchant enables them); this
  // demo shop enables bacs and cod. [memory] the code for another method.
  if (method != "bacs" && method != "cod") {
    return wooError(400, "woocommerce_rest_checkout_invalid_payment_method",
                    "The selected payment method is not available.");
  }
  const Json billing = body.value("billing_address", s.billing);
  if (!billing.is_object() || billing.value("email", std::string()).find('@') == std::string::npos) {
    return wooError(400, "rest_invalid_param", "Invalid parameter(s): billing_address",
                    {{"params", {{"billing_address", "A valid email address is required"}}}});
  }
  if (fault("price-change")) s.price_bump = 100;
  // [source] research A4 step 7: a stale expected_total → 409
  // woocommerce_rest_checkout_total_mismatch (newer releases), with the current cart.
  if (body.contains("expected_total")) {
    const long long expected = number(body, "expected_total", -1);
    if (expected != totalCents(s)) {
      return wooError(409, "woocommerce_rest_checkout_total_mismatch",
                      "The cart total changed. Please review your order and try again.",
                      {{"cart", cartJson(s)}});
    }
  }
  if (s.draft_order == 0) {
    s.draft_order = ++next_order_;
    s.draft_key = "wc_order_" + randomAlnum(13);
  }
  const std::string received = "http://127.0.0.1:" + std::to_string(port()) +
                               "/checkout/order-received/" + std::to_string(s.draft_order) +
                               "/?key=" + s.draft_key;
  if (fault("payment-declined")) {
    // [memory] a failed payment: 400 with the payment_result in data.
    return wooError(400, "woocommerce_rest_checkout_process_payment_error",
                    "Payment declined.",
                    {{"payment_result", {{"payment_status", "failure"},
                                         {"payment_details", Json::array()},
                                         {"redirect_url", ""}}}});
  }
  Json order = {{"order_id", s.draft_order},
                // [source] research A4 step 7: processing for cod, on-hold for bacs/cheque.
                {"status", method == "cod" ? "processing" : "on-hold"},
                {"order_key", s.draft_key},
                {"order_number", std::to_string(s.draft_order)},
                {"customer_id", 0},
                {"customer_note", body.value("customer_note", std::string())},
                {"billing_address", billing},
                {"shipping_address", body.value("shipping_address", s.shipping)},
                {"payment_method", method},
                {"payment_result", {{"payment_status", "success"},
                                    {"payment_details", Json::array()},
                                    {"redirect_url", received}}}};
  s.items.clear();
  s.selected_rate.clear();
  s.draft_order = 0;
  s.draft_key.clear();
  s.price_bump = 0;
  countOrder();
  return jsonReply(200, order);
}

std::unique_ptr<PlatformFake> makeWooCommerceFake() { return std::make_unique<WooCommerceFake>(); }

}  // namespace shopwatch::agent::platforms::detail
