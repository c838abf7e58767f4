// The Magento 2 fake: state, the guest-cart REST API (research A3.1, magento/devdocs
// rest/tutorials/orders/*) and the factory. The storefront side is in magento_storefront.cpp.
#include "magento_fake.h"

#include <algorithm>
#include <charconv>

#include "fakes.h"

namespace shopwatch::agent::platforms::detail {
namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<int> toInt(const std::string& text) {
  int v = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

double money(long long cents) { return static_cast<double>(cents) / 100.0; }

// [memory] research A3.1 gives only the shape {"message","parameters"}; these texts are Magento's
// phrases as remembered, not checked against a primary source.
constexpr const char* kNoSuchEntity = "No such entity with %fieldName = %fieldValue";
constexpr const char* kRequired = "\"%fieldName\" is required. Enter and try again.";
constexpr const char* kShippingMissing =
    "The shipping method is missing. Select the shipping method and try again.";

// Countries the fake ships to (flat rate); others get an empty estimate, as a real store whose
// carriers exclude the country.
bool shipsTo(const std::string& country) {
  static const std::vector<std::string> kCountries = {"US", "DE", "GB", "FR", "NL", "AT", "CH"};
  return std::find(kCountries.begin(), kCountries.end(), country) != kCountries.end();
}

// The address fields Magento's address validation requires ([memory] research A3.1 lists the
// fields its example sends; Magento's "required" set is remembered).
std::optional<std::string> missingAddressField(const Json& a) {
  if (!a.is_object()) return std::string("address");
  for (const char* f : {"firstname", "lastname", "street", "city", "postcode", "telephone",
                        "country_id"}) {
    if (!a.contains(f) || a[f].is_null() || (a[f].is_string() && a[f].get<std::string>().empty())) {
      return std::string(f);
    }
  }
  return std::nullopt;
}

}  // namespace

HttpResponse magentoError(int status, const std::string& message, const Json& parameters) {
  Json body = {{"message", message}};
  if (!parameters.is_null()) body["parameters"] = parameters;
  return jsonReply(status, body);
}

MagentoFake::MagentoFake()
    : FakeBase("magento",
               {{"unknown-sku",
                 "the product is gone from the catalogue: REST add → 404 \"The product that was "
                 "requested doesn't exist…\", its product page → 404"},
                {"out-of-stock",
                 "the product is out of stock: REST add → 400; HTML add → 302 back to the product "
                 "page with a session error, the cart stays empty"},
                {"stale-form-key",
                 "full-page cache: the product page's HTML carries someone else's form_key (a "
                 "probe that sets its own form_key cookie still works)"},
                {"recaptcha",
                 "reCAPTCHA on Place Order: payment-information without X-ReCaptcha → 400"},
                {"no-shipping",
                 "no carrier ships: estimate-shipping-methods → [], shipping-information → 400"}}) {
  catalog_ = {
      {1, "24-MB01", "Joust Duffle Bag", "joust-duffle-bag", 3400, true},
      {2, "24-MB04", "Strive Shoulder Pack", "strive-shoulder-pack", 3200, true},
      {3, "24-UG06", "Affirm Water Bottle", "affirm-water-bottle", 700, true},
  };
  stale_form_key_ = "Cach3dK3yOfAn0th";
}

const MagentoFake::Product* MagentoFake::productById(int id) const {
  for (const auto& p : catalog_) {
    if (p.id == id) return fault("unknown-sku") && p.id == 1 ? nullptr : &p;
  }
  return nullptr;
}

const MagentoFake::Product* MagentoFake::productBySku(const std::string& sku) const {
  for (const auto& p : catalog_) {
    if (p.sku == sku) return productById(p.id);
  }
  return nullptr;
}

const MagentoFake::Product* MagentoFake::productByUrlKey(const std::string& key) const {
  for (const auto& p : catalog_) {
    if (p.url_key == key) return productById(p.id);
  }
  return nullptr;
}

std::uint64_t MagentoFake::openCarts() const {
  std::lock_guard lock(mu_);
  std::uint64_t n = 0;
  for (const auto& [id, q] : quotes_) n += q.active && !q.items.empty() ? 1 : 0;
  return n;
}

std::string MagentoFake::newQuoteLocked() {
  std::string masked = randomAlnum(32);  // the masked quote id: 32 characters (research A3.1)
  Quote q;
  q.quote_id = next_quote_++;
  quotes_.emplace(masked, std::move(q));
  return masked;
}

void MagentoFake::addRoutes(http::HttpServer& server) {
  server.route("POST", "/rest/default/V1/guest-carts",
               counted([this](const HttpRequest& r) { return createCart(r); }));
  server.route("POST", "/rest/V1/guest-carts",
               counted([this](const HttpRequest& r) { return createCart(r); }));
  for (const char* m : {"GET", "POST", "PUT", "DELETE"}) {
    server.routePrefix(m, "/rest/", counted([this](const HttpRequest& r) { return cartCall(r); }));
  }
  server.routePrefix("GET", "/", counted([this](const HttpRequest& r) { return productPage(r); }));
  server.route("POST", "/checkout/cart/add/",
               counted([this](const HttpRequest& r) { return addToCart(r); }));
  server.route("POST", "/checkout/cart/add",
               counted([this](const HttpRequest& r) { return addToCart(r); }));
  server.routePrefix("POST", "/checkout/cart/add/",
                     counted([this](const HttpRequest& r) { return addToCart(r); }));
  server.route("GET", "/customer/section/load/",
               counted([this](const HttpRequest& r) { return sectionLoad(r); }));
  server.route("GET", "/customer/section/load",
               counted([this](const HttpRequest& r) { return sectionLoad(r); }));
  server.route("GET", "/checkout/",
               counted([this](const HttpRequest& r) { return checkoutPage(r); }));
  server.route("GET", "/checkout",
               counted([this](const HttpRequest& r) { return checkoutPage(r); }));
  server.route("GET", "/checkout/cart/",
               counted([this](const HttpRequest& r) { return cartPage(r); }));
  server.route("GET", "/checkout/cart",
               counted([this](const HttpRequest& r) { return cartPage(r); }));
}

// POST /rest/<store>/V1/guest-carts: no body, no token; the answer is the masked id as a bare
// JSON string (research A3.1 step 1).
HttpResponse MagentoFake::createCart(const HttpRequest&) {
  std::string masked;
  {
    std::lock_guard lock(mu_);
    masked = newQuoteLocked();
  }
  countSession();
  return jsonReply(200, Json(masked));
}

HttpResponse MagentoFake::cartCall(const HttpRequest& req) {
  auto seg = segments(req.path);  // rest, [store], V1, guest-carts, CART, sub, id
  if (seg.size() >= 2 && seg[1] == "V1") seg.insert(seg.begin() + 1, "default");
  if (seg.size() < 3 || seg[2] != "V1") {
    return magentoError(404, "Request does not match any route.");  // [memory]
  }
  if (seg[1] != "default" && seg[1] != "all") {
    // [memory] Magento's phrase for an unknown store code.
    return magentoError(400, "The store that was requested wasn't found. Verify the store and try again.");
  }
  if (seg.size() < 5 || seg[3] != "guest-carts") {
    return magentoError(404, "Request does not match any route.");
  }
  const std::string& masked = seg[4];
  const std::string sub = seg.size() > 5 ? seg[5] : "";
  std::optional<Json> body;
  if (req.method == "POST" || req.method == "PUT") {
    body = jsonBody(req);
    if (!body) {
      // [memory] the webapi's answer to a body that is not JSON.
      return magentoError(400, "Decoding error: \nSyntax error");
    }
  }
  std::lock_guard lock(mu_);
  auto it = quotes_.find(masked);
  if (it == quotes_.end() || !it->second.active) {
    return magentoError(404, kNoSuchEntity, {{"fieldName", "cartId"}, {"fieldValue", masked}});
  }
  Quote& q = it->second;
  if (req.method == "GET" && sub.empty()) {
    Json items = Json::array();
    for (const auto& i : q.items) items.push_back(itemJson(q, i));
    return jsonReply(200, {{"id", q.quote_id}, {"is_active", true}, {"items", items},
                           {"items_count", q.items.size()}});
  }
  if (sub == "items" && req.method == "GET" && seg.size() == 6) {
    Json items = Json::array();
    for (const auto& i : q.items) items.push_back(itemJson(q, i));
    return jsonReply(200, items);
  }
  if (sub == "items" && req.method == "POST" && seg.size() == 6) return addItem(q, *body);
  if (sub == "items" && req.method == "DELETE" && seg.size() == 7) {
    // [memory] DELETE /V1/guest-carts/{cartId}/items/{itemId} answers `true`.
    const auto id = toInt(seg[6]);
    auto found = std::find_if(q.items.begin(), q.items.end(),
                              [&](const Item& i) { return id && i.item_id == *id; });
    if (found == q.items.end()) {
      return magentoError(404, "The %1 Cart doesn't contain the %2 item.",
                          Json::array({masked, seg[6]}));  // [memory]
    }
    q.items.erase(found);
    return rawJsonReply(200, "true");
  }
  if (sub == "estimate-shipping-methods" && req.method == "POST") return estimate(q, *body);
  if (sub == "shipping-information" && req.method == "POST") return shippingInformation(q, *body);
  if (sub == "payment-information" && req.method == "POST") return placeOrder(q, req, *body);
  return magentoError(404, "Request does not match any route.");
}

long long MagentoFake::subtotal(const Quote& q) const {
  long long sum = 0;
  for (const auto& i : q.items) {
    for (const auto& p : catalog_) sum += p.id == i.product_id ? p.cents * i.qty : 0;
  }
  return sum;
}

Json MagentoFake::itemJson(const Quote& q, const Item& item) const {
  const Product* p = nullptr;
  for (const auto& c : catalog_) p = c.id == item.product_id ? &c : p;
  return {{"item_id", item.item_id}, {"sku", p->sku},           {"qty", item.qty},
          {"name", p->name},         {"price", money(p->cents)}, {"product_type", "simple"},
          {"quote_id", std::to_string(q.quote_id)}};
}

Json MagentoFake::totalsJson(const Quote& q) const {
  int qty = 0;
  for (const auto& i : q.items) qty += i.qty;
  const long long shipping = q.carrier ? 500LL * qty : 0;  // flat rate: $5 per item
  const long long sub = subtotal(q);
  Json items = Json::array();
  for (const auto& i : q.items) items.push_back(itemJson(q, i));
  return {{"grand_total", money(sub + shipping)}, {"base_grand_total", money(sub + shipping)},
          {"subtotal", money(sub)},               {"shipping_amount", money(shipping)},
          {"items_qty", qty},                     {"quote_currency_code", "USD"},
          {"items", items}};
}

// POST .../items {"cartItem":{"sku","qty","quote_id"}} → the cart item (research A3.1 step 2).
// The guest repository takes the quote from the URL's masked id, whatever quote_id says.
HttpResponse MagentoFake::addItem(Quote& q, const Json& body) {
  if (!body.is_object() || !body.contains("cartItem") || !body["cartItem"].is_object()) {
    return magentoError(400, kRequired, {{"fieldName", "cartItem"}});
  }
  const Json& ci = body["cartItem"];
  if (!ci.contains("sku") || !ci["sku"].is_string()) {
    return magentoError(400, kRequired, {{"fieldName", "sku"}});
  }
  const int qty = ci.contains("qty") && ci["qty"].is_number() ? ci["qty"].get<int>() : 1;
  if (qty <= 0) return magentoError(400, "The quantity must be greater than 0.");  // [memory]
  const Product* p = productBySku(ci["sku"].get<std::string>());
  if (!p) {
    // [memory] research A3.1 gives the error shape only; this is Magento 2.4's phrase.
    return magentoError(
        404, "The product that was requested doesn't exist. Verify the product and try again.");
  }
  if (!p->in_stock || fault("out-of-stock")) {
    return magentoError(400, "Product that you are trying to add is not available.");  // [memory]
  }
  for (auto& i : q.items) {
    if (i.product_id == p->id) {
      i.qty += qty;
      return jsonReply(200, itemJson(q, i));
    }
  }
  q.items.push_back({next_item_++, p->id, qty});
  return jsonReply(200, itemJson(q, q.items.back()));
}

// POST .../estimate-shipping-methods {"address":{…}} → the methods (research A3.1 step 3).
HttpResponse MagentoFake::estimate(const Quote& q, const Json& body) const {
  if (!body.is_object() || !body.contains("address")) {
    return magentoError(400, kRequired, {{"fieldName", "address"}});
  }
  const Json& a = body["address"];
  const std::string country =
      a.is_object() && a.contains("country_id") && a["country_id"].is_string()
          ? a["country_id"].get<std::string>()
          : "";
  if (q.items.empty() || fault("no-shipping") || !shipsTo(country)) {
    return jsonReply(200, Json::array());
  }
  int qty = 0;
  for (const auto& i : q.items) qty += i.qty;
  const double amount = money(500LL * qty);
  return jsonReply(200, Json::array({{{"carrier_code", "flatrate"},
                                      {"method_code", "flatrate"},
                                      {"carrier_title", "Flat Rate"},
                                      {"method_title", "Fixed"},
                                      {"amount", amount},
                                      {"base_amount", amount},
                                      {"available", true},
                                      {"error_message", ""},
                                      {"price_excl_tax", amount},
                                      {"price_incl_tax", amount}}}));
}

// POST .../shipping-information {"addressInformation":{…}} → payment methods and totals
// (research A3.1 step 4).
HttpResponse MagentoFake::shippingInformation(Quote& q, const Json& body) {
  if (!body.is_object() || !body.contains("addressInformation") ||
      !body["addressInformation"].is_object()) {
    return magentoError(400, kRequired, {{"fieldName", "addressInformation"}});
  }
  const Json& ai = body["addressInformation"];
  const Json shipping = ai.value("shipping_address", Json());
  if (auto missing = missingAddressField(shipping)) {
    return magentoError(400, kRequired, {{"fieldName", *missing}});
  }
  const std::string carrier = ai.value("shipping_carrier_code", "");
  const std::string method = ai.value("shipping_method_code", "");
  if (carrier.empty() || method.empty()) return magentoError(400, kShippingMissing);
  const std::string country = shipping["country_id"].is_string()
                                  ? shipping["country_id"].get<std::string>()
                                  : std::string();
  if (q.items.empty()) {
    return magentoError(400, "The shipping method can't be set for an empty cart. Add an item to "
                             "cart and try again.");  // [memory]
  }
  if (carrier != "flatrate" || method != "flatrate" || fault("no-shipping") || !shipsTo(country)) {
    // [memory] the phrase Magento answers for a carrier/method the quote cannot use.
    return magentoError(400, "Carrier with such method not found: %1, %2",
                        Json::array({carrier, method}));
  }
  q.carrier = carrier;
  q.method = method;
  q.country = country;
  return jsonReply(200, {{"payment_methods",
                          Json::array({{{"code", "checkmo"}, {"title", "Check / Money order"}},
                                       {{"code", "banktransfer"}, {"title", "Bank Transfer Payment"}}})},
                         {"totals", totalsJson(q)}});
}

// POST .../payment-information {"email","paymentMethod":{"method"},"billingAddress"} → the order
// id, bare (research A3.1 step 5). The quote is then inactive: later calls on it answer 404.
HttpResponse MagentoFake::placeOrder(Quote& q, const HttpRequest& req, const Json& body) {
  if (fault("recaptcha") && header(req, "x-recaptcha").empty()) {
    // research A3.1: reCAPTCHA for "Checkout/Placing Order" needs X-ReCaptcha (magento2 #35093).
    // [memory] the message text. The fake cannot verify a token: any non-empty one passes.
    return magentoError(400, "ReCaptcha validation failed, please try again");
  }
  if (!body.is_object()) return magentoError(400, kRequired, {{"fieldName", "paymentMethod"}});
  const std::string email = body.value("email", "");
  if (email.find('@') == std::string::npos) {
    return magentoError(400, kRequired, {{"fieldName", "email"}});
  }
  const Json pm = body.value("paymentMethod", Json());
  const std::string method =
      pm.is_object() && pm.contains("method") && pm["method"].is_string() ? pm["method"].get<std::string>() : "";
  if (method.empty()) return magentoError(400, kRequired, {{"fieldName", "paymentMethod"}});
  Json billing = body.contains("billingAddress") ? body["billingAddress"] : body.value("billing_address", Json());
  if (!billing.is_null()) {
    if (auto missing = missingAddressField(billing)) {
      return magentoError(400, kRequired, {{"fieldName", *missing}});
    }
  }
  if (!q.carrier) return magentoError(400, kShippingMissing);
  if (method != "checkmo" && method != "banktransfer") {
    return magentoError(400, "The requested Payment Method is not available.");  // [memory]
  }
  q.active = false;
  const int order = next_order_++;
  countOrder();
  // [memory] the tutorial says "An orderID, such as 3"; the webapi renders it as a JSON string.
  return jsonReply(200, Json(std::to_string(order)));
}

std::unique_ptr<PlatformFake> makeMagentoFake() { return std::make_unique<MagentoFake>(); }

}  // namespace shopwatch::agent::platforms::detail
