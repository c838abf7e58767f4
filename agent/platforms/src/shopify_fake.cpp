// The Shopify fake (research A5: the Online Store's theme Ajax API, then the redirect to the
// hosted checkout). Routes:
//   GET  /products/<handle>.js   the product with variants[].id / available, prices in cents
//   POST /cart/add.js            JSON {"items":[{"id":..,"quantity":..}]} or {"id":..} or form id=&quantity=
//   GET  /cart.js                {token, item_count, total_price, items, ...}
//   POST /cart/change.js         {id|line, quantity}; POST /cart/clear.js empties the cart
//   GET  /checkout               302 to the hosted checkout /checkouts/cn/<token> (answers 200)
// The cart is identified by the `cart` cookie (set on the first add). The hosted checkout is a JS
// application behind bot protection that plain HTTP cannot drive [memory, research A5]: the fake
// serves an HTML shell only, and places no orders.
#include <chrono>
#include <ctime>

#include "fake_base.h"
#include "fakes.h"

namespace shopwatch::agent::platforms::detail {
namespace {

struct Variant {
  long long id;
  std::string title, sku;
  long long price;  ///< cents
};
struct Product {
  long long id;
  std::string handle, title, vendor;
  std::vector<Variant> variants;
};

const std::vector<Product>& catalogue() {
  static const std::vector<Product> products = {
      {7001, "classic-tee", "Classic Tee", "Demo Store",
       {{41001, "S", "TEE-S", 2500}, {41002, "M", "TEE-M", 2500}, {41003, "L", "TEE-L", 2700}}},
      {7002, "canvas-bag", "Canvas Bag", "Demo Store", {{42001, "Default Title", "BAG-1", 3900}}},
  };
  return products;
}

const Variant* findVariant(long long id, const Product** product) {
  for (const auto& p : catalogue()) {
    for (const auto& v : p.variants) {
      if (v.id == id) {
        *product = &p;
        return &v;
      }
    }
  }
  return nullptr;
}

struct Item {
  const Product* product;
  const Variant* variant;
  long long quantity;
};
struct Cart {
  std::string token, checkout_token;
  std::vector<Item> items;
};

// Shopify's Ajax errors: {"status": N, "message": ..., "description": ...} (research A5).
HttpResponse cartError(int status, Json status_field, const std::string& message,
                       const std::string& description) {
  return jsonReply(status, {{"status", std::move(status_field)}, {"message", message},
                            {"description", description}});
}

std::string httpDate(std::chrono::hours ahead) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

long long asId(const Json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
      return -1;
    }
  }
  return -1;
}

class ShopifyFake final : public FakeBase {
 public:
  ShopifyFake()
      : FakeBase("shopify",
                 {{"sold-out", "every variant is unavailable; /cart/add.js answers 422 Cart Error"},
                  {"throttled", "/cart/add.js answers 429 Too Many Requests with Retry-After"},
                  {"bot-protection", "/checkout redirects to the /checkpoint challenge page "
                                     "instead of the hosted checkout"}}) {}

 protected:
  void addRoutes(http::HttpServer& server) override {
    server.routePrefix("GET", "/products/", counted([this](const HttpRequest& r) { return product(r); }));
    server.route("POST", "/cart/add.js", counted([this](const HttpRequest& r) { return add(r); }));
    server.route("GET", "/cart.js", counted([this](const HttpRequest& r) { return showCart(r); }));
    server.route("POST", "/cart/change.js", counted([this](const HttpRequest& r) { return change(r); }));
    server.route("POST", "/cart/clear.js", counted([this](const HttpRequest& r) { return clear(r); }));
    server.route("GET", "/checkout", counted([this](const HttpRequest& r) { return checkout(r); }));
    server.routePrefix("GET", "/checkouts/cn/", counted([this](const HttpRequest& r) { return hosted(r); }));
    server.route("GET", "/checkpoint", counted([](const HttpRequest&) {
      return htmlReply(200, "<!doctype html><html><head><title>Checkpoint</title></head><body>"
                            "<h1>Confirm you are human</h1><div class=\"h-captcha\" "
                            "data-sitekey=\"demo\"></div></body></html>");
    }));
  }

  std::uint64_t openCarts() const override {
    std::lock_guard lock(mu_);
    std::uint64_t n = 0;
    for (const auto& [token, c] : carts_) n += c.items.empty() ? 0 : 1;
    return n;
  }

 private:
  Json lineJson(const Item& i) const {
    const std::string title =
        i.product->title + (i.product->variants.size() > 1 ? " - " + i.variant->title : "");
    return {{"id", i.variant->id}, {"key", std::to_string(i.variant->id) + ":" + keySuffix_},
            {"quantity", i.quantity}, {"variant_id", i.variant->id},
            {"product_id", i.product->id}, {"title", title},
            {"product_title", i.product->title}, {"variant_title", i.variant->title},
            {"sku", i.variant->sku}, {"vendor", i.product->vendor}, {"price", i.variant->price},
            {"original_price", i.variant->price}, {"final_price", i.variant->price},
            {"line_price", i.variant->price * i.quantity},
            {"final_line_price", i.variant->price * i.quantity}, {"handle", i.product->handle},
            {"url", "/products/" + i.product->handle + "?variant=" + std::to_string(i.variant->id)},
            {"requires_shipping", true}};
  }

  Json cartJson(const Cart& c) const {
    long long total = 0, count = 0;
    Json items = Json::array();
    for (const auto& i : c.items) {
      total += i.variant->price * i.quantity;
      count += i.quantity;
      items.push_back(lineJson(i));
    }
    return {{"token", c.token}, {"note", nullptr}, {"attributes", Json::object()},
            {"original_total_price", total}, {"total_price", total}, {"total_discount", 0},
            {"total_weight", 0}, {"item_count", count}, {"items", items},
            {"requires_shipping", count > 0}, {"currency", "EUR"},
            {"items_subtotal_price", total}, {"cart_level_discount_applications", Json::array()}};
  }

  /// The request's cart (under mu_), or nullptr.
  Cart* cartOf(const HttpRequest& req) {
    auto it = carts_.find(cookie(req, "cart"));
    return it == carts_.end() ? nullptr : &it->second;
  }

  // [memory] research A5.1: GET /products/<handle>.js is the Ajax API's product endpoint.
  HttpResponse product(const HttpRequest& req) {
    std::string handle = req.path.substr(std::string_view("/products/").size());
    if (!handle.ends_with(".js")) return htmlReply(404, "<h1>404 Page Not Found</h1>");
    handle.resize(handle.size() - 3);
    for (const auto& p : catalogue()) {
      if (p.handle != handle) continue;
      const bool available = !fault("sold-out");
      Json variants = Json::array();
      for (const auto& v : p.variants) {
        variants.push_back({{"id", v.id}, {"title", v.title}, {"sku", v.sku},
                            {"available", available}, {"price", v.price}, {"option1", v.title}});
      }
      return jsonReply(200, {{"id", p.id}, {"title", p.title}, {"handle", p.handle},
                             {"vendor", p.vendor}, {"available", available},
                             {"price", p.variants.front().price}, {"variants", variants}});
    }
    // [memory] an unknown handle is the theme's 404 page.
    return htmlReply(404, "<h1>404 Page Not Found</h1><p>The page you were looking for does not exist.</p>");
  }

  HttpResponse add(const HttpRequest& req) {
    if (fault("throttled")) {  // [memory] storefront throttling; Retry-After in seconds
      auto r = cartError(429, 429, "Too Many Requests", "Too many requests. Try again later.");
      r.headers.emplace_back("Retry-After", "2");
      return r;
    }
    // The lines to add: {"items": [...]}, a single {"id", "quantity"}, or a form.
    std::vector<std::pair<long long, long long>> wanted;
    bool items_format = false;
    if (auto body = jsonBody(req); body && body->is_object()) {
      if (body->contains("items") && (*body)["items"].is_array()) {
        items_format = true;
        for (const auto& i : (*body)["items"]) {
          const Json q = i.is_object() ? i.value("quantity", Json(1)) : Json(1);
          wanted.emplace_back(i.is_object() ? asId(i.value("id", Json())) : -1, asId(q));
        }
      } else if (body->contains("id")) {
        wanted.emplace_back(asId((*body)["id"]), asId(body->value("quantity", Json(1))));
      }
    } else if (auto id = formParam(req, "id")) {
      wanted.emplace_back(asId(Json(*id)), asId(Json(formParam(req, "quantity").value_or("1"))));
    }
    if (wanted.empty()) {  // [memory]
      return cartError(400, "bad_request", "Parameter Missing or Invalid",
                       "Required parameter missing or invalid: items");
    }
    std::lock_guard lock(mu_);
    Cart* cart = cartOf(req);
    HttpResponse r;
    if (!cart) {
      Cart fresh;
      fresh.token = "c1-" + randomHex(32);
      cart = &(carts_[fresh.token] = std::move(fresh));
      countSession();
    }
    Json added = Json::array();
    for (const auto& [id, qty] : wanted) {
      const Product* product = nullptr;
      const Variant* variant = findVariant(id, &product);
      if (!variant) {  // [memory]
        r = cartError(404, 404, "Cart Error", "Cannot find variant");
        break;
      }
      if (fault("sold-out")) {  // research A5: 422 Cart Error
        r = cartError(422, 422, "Cart Error", "The product '" + product->title + " - " +
                                                  variant->title + "' is already sold out.");
        break;
      }
      Item* line = nullptr;
      for (auto& i : cart->items) line = i.variant == variant ? &i : line;
      if (line) {
        line->quantity += qty > 0 ? qty : 1;  // research A5: quantity is the new total
      } else {
        cart->items.push_back({product, variant, qty > 0 ? qty : 1});
        line = &cart->items.back();
      }
      added.push_back(lineJson(*line));
    }
    if (r.status == 200) r = jsonReply(200, items_format ? Json{{"items", added}} : added.front());
    if (cookie(req, "cart") != cart->token) {
      // Readable by theme JavaScript, so not HttpOnly [memory]; two weeks.
      r.headers.emplace_back("Set-Cookie", "cart=" + cart->token + "; path=/; expires=" +
                                               httpDate(std::chrono::hours(24 * 14)) +
                                               "; SameSite=Lax");
    }
    return r;
  }

  HttpResponse showCart(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    if (Cart* cart = cartOf(req)) return jsonReply(200, cartJson(*cart));
    Cart empty;  // [memory] no cart yet: an empty cart (a token is issued with the first add)
    empty.token = "c1-" + randomHex(32);
    return jsonReply(200, cartJson(empty));
  }

  HttpResponse change(const HttpRequest& req) {
    auto body = jsonBody(req);
    const Json b = body && body->is_object() ? *body : Json::object();
    std::lock_guard lock(mu_);
    Cart* cart = cartOf(req);
    const long long qty = asId(b.value("quantity", Json(-1)));
    if (!cart || qty < 0) {
      return cartError(400, "bad_request", "Parameter Missing or Invalid",
                       "Required parameter missing or invalid: id, line or quantity");
    }
    long long index = -1;
    if (b.contains("line")) {
      index = asId(b["line"]) - 1;  // 1-based
    } else if (b.contains("id")) {
      const std::string id = b["id"].is_string() ? b["id"].get<std::string>() : b["id"].dump();
      for (std::size_t i = 0; i < cart->items.size(); ++i) {
        const std::string vid = std::to_string(cart->items[i].variant->id);
        if (id == vid || id == vid + ":" + keySuffix_) index = static_cast<long long>(i);
      }
    }
    if (index < 0 || index >= static_cast<long long>(cart->items.size())) {
      return cartError(400, "bad_request", "Cart Error", "no valid id or line parameter");
    }
    if (qty == 0) {
      cart->items.erase(cart->items.begin() + index);
    } else {
      cart->items[static_cast<std::size_t>(index)].quantity = qty;
    }
    return jsonReply(200, cartJson(*cart));
  }

  HttpResponse clear(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Cart* cart = cartOf(req);
    if (!cart) {
      Cart empty;
      empty.token = "c1-" + randomHex(32);
      return jsonReply(200, cartJson(empty));
    }
    cart->items.clear();
    return jsonReply(200, cartJson(*cart));
  }

  HttpResponse checkout(const HttpRequest& req) {
    const std::string host = header(req, "host");
    const std::string origin = host.empty() ? std::string() : "http://" + host;
    std::lock_guard lock(mu_);
    Cart* cart = cartOf(req);
    if (!cart || cart->items.empty()) return redirectReply(302, origin + "/cart");  // [memory]
    if (fault("bot-protection")) {  // [memory] the checkpoint (hCaptcha) before the checkout
      return redirectReply(302, origin + "/checkpoint?return_to=%2Fcheckout");
    }
    if (cart->checkout_token.empty()) cart->checkout_token = randomAlnum(26);
    // research A5.4: 302 to the hosted checkout; [memory] A5.4: stop at "redirect + checkout 200".
    return redirectReply(302, origin + "/checkouts/cn/" + cart->checkout_token);
  }

  HttpResponse hosted(const HttpRequest& req) {
    const std::string token = req.path.substr(std::string_view("/checkouts/cn/").size());
    std::lock_guard lock(mu_);
    for (const auto& [t, c] : carts_) {
      if (!token.empty() && c.checkout_token == token) {
        return htmlReply(200, "<!doctype html><html><head><title>Checkout - Demo Store</title>"
                              "</head><body><div id=\"app\" data-checkout-token=\"" + token +
                              "\">Loading checkout…</div><script src=\"/checkouts/app.js\">"
                              "</script></body></html>");
      }
    }
    return htmlReply(404, "<h1>404 Page Not Found</h1>");
  }

  const std::string keySuffix_ = randomHex(32);
  mutable std::mutex mu_;
  std::map<std::string, Cart> carts_;  ///< by the `cart` cookie
};

}  // namespace

std::unique_ptr<PlatformFake> makeShopifyFake() { return std::make_unique<ShopifyFake>(); }

}  // namespace shopwatch::agent::platforms::detail
