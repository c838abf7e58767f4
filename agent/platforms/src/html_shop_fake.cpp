// The classic server-rendered HTML shop fake ([B2], examples/journeys/html.yaml): a Laravel-style
// shop (a `laravel_session` cookie, an `XSRF-TOKEN` cookie, 419 "Page Expired" for a bad token,
// POST-redirect-GET with flash messages) whose forms carry per-form CSRF tokens as Symfony's token
// manager issues them (the add-to-cart form and the checkout form have different `_token`s).
// Unlike the built-in demo shop (agent/runtime/src/demo_shop.cpp) it has slugs, a checkout form
// with address and payment, and order confirmation pages.
// [memory] research (checkout-flows.md) has no section on such shops: the Laravel facts here (cookie
// names, 419 "Page Expired", 302 back with errors) are the author's knowledge, not checked.
#include <charconv>
#include <map>
#include <mutex>
#include <vector>

#include "fake_base.h"
#include "fakes.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::platforms::detail {
namespace {

struct Product {
  std::string slug, sku, name;
  long long cents;
};

std::string eur(long long cents) { return "&euro;" + decimal(cents); }

class HtmlShopFake final : public FakeBase {
 public:
  HtmlShopFake()
      : FakeBase("html",
                 {{"csrf-rotate", "every accepted POST issues new form tokens (a reused token → 419)"},
                  {"out-of-stock", "adding to the cart → 302 back to the product with an error flash"},
                  {"payment-error", "POST /checkout re-renders the form with a payment error, 422"},
                  {"maintenance", "every page → 503 \"Service Unavailable\" with Retry-After"}}) {
    catalog_ = {{"espresso-cup", "CUP-01", "Espresso Cup", 1290},
                {"moka-pot", "MOKA-03", "Moka Pot 3 Cups", 3490},
                {"milk-jug", "JUG-35", "Milk Jug 350 ml", 1950}};
  }

 protected:
  void addRoutes(http::HttpServer& s) override {
    auto add = [&](const char* method, const char* path, bool prefix,
                   HttpResponse (HtmlShopFake::*fn)(const HttpRequest&)) {
      auto h = counted([this, fn](const HttpRequest& r) {
        if (fault("maintenance")) {
          HttpResponse resp = htmlReply(503, page("Service Unavailable", "<h1>503 | Service Unavailable</h1>"));
          resp.headers.emplace_back("Retry-After", "60");
          return resp;
        }
        return (this->*fn)(r);
      });
      if (prefix) s.routePrefix(method, path, h);
      else s.route(method, path, h);
    };
    add("GET", "/products/", true, &HtmlShopFake::productPage);
    add("POST", "/cart", false, &HtmlShopFake::addToCart);
    add("GET", "/cart", false, &HtmlShopFake::cartPage);
    add("POST", "/cart/clear", false, &HtmlShopFake::clearCart);
    add("GET", "/checkout", false, &HtmlShopFake::checkoutPage);
    add("POST", "/checkout", false, &HtmlShopFake::placeOrder);
    add("GET", "/orders/", true, &HtmlShopFake::confirmation);
  }

  std::uint64_t openCarts() const override {
    std::lock_guard lock(mu_);
    std::uint64_t n = 0;
    for (const auto& [id, s] : sessions_) n += s.cart.empty() ? 0 : 1;
    return n;
  }

 private:
  struct Session {
    std::string xsrf;                          // the XSRF-TOKEN cookie's value
    std::map<std::string, std::string> forms;  // form id → its current _token
    std::vector<std::pair<const Product*, int>> cart;
    std::vector<std::pair<std::string, std::string>> flash;  // (kind, text) for the next page
    std::vector<std::string> orders;
  };
  struct Ctx {
    std::string id;
    bool created = false;
    Session* s = nullptr;
  };

  static std::string page(const std::string& title, const std::string& main) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + core::htmlEscape(title) +
           " | Kaffeehaus</title></head>\n<body>\n<nav><a href=\"/\">Kaffeehaus</a> <a "
           "href=\"/cart\">Cart</a></nav>\n<main>\n" + main + "\n</main>\n</body></html>\n";
  }

  Ctx sessionLocked(const HttpRequest& req) {
    Ctx c;
    c.id = cookie(req, "laravel_session");
    auto it = c.id.empty() ? sessions_.end() : sessions_.find(c.id);
    if (it == sessions_.end()) {
      c.id = randomAlnum(40);
      Session s;
      s.xsrf = randomAlnum(40);
      it = sessions_.emplace(c.id, std::move(s)).first;
      c.created = true;
      countSession();
    }
    c.s = &it->second;
    return c;
  }

  std::string& tokenFor(Session& s, const std::string& form) {
    auto& t = s.forms[form];
    if (t.empty()) t = randomAlnum(40);
    return t;
  }

  // The form's _token (or the X-CSRF-TOKEN / X-XSRF-TOKEN header) must match the session's.
  static bool tokenOk(const HttpRequest& req, Session& s, const std::string& form) {
    const std::string xsrf = header(req, "x-xsrf-token");
    if (!xsrf.empty() && xsrf == s.xsrf) return true;
    std::string sent = formParam(req, "_token").value_or(header(req, "x-csrf-token"));
    auto it = s.forms.find(form);
    return !sent.empty() && it != s.forms.end() && sent == it->second;
  }

  void acceptedPost(Session& s) {
    if (!fault("csrf-rotate")) return;
    for (auto& [form, token] : s.forms) token = randomAlnum(40);
    s.xsrf = randomAlnum(40);
  }

  static HttpResponse finish(HttpResponse r, const Ctx& c) {
    if (c.created) setCookie(r, "laravel_session", c.id);
    // XSRF-TOKEN is readable by scripts (no HttpOnly): front-end code echoes it in X-XSRF-TOKEN.
    r.headers.emplace_back("Set-Cookie", "XSRF-TOKEN=" + c.s->xsrf + "; Path=/; SameSite=Lax");
    return r;
  }

  static HttpResponse pageExpired(const Ctx& c) {
    // [memory] Laravel's answer to a TokenMismatchException: 419 with the "Page Expired" page.
    return finish(htmlReply(419, page("Page Expired", "<h1>419 | Page Expired</h1>")), c);
  }

  std::string flashHtml(Session& s) {
    std::string out;
    for (const auto& [kind, text] : s.flash) {
      out += "<div class=\"alert alert-" + kind + "\" role=\"alert\">" + core::htmlEscape(text) + "</div>\n";
    }
    s.flash.clear();
    return out;
  }

  const Product* bySlug(const std::string& slug) const {
    for (const auto& p : catalog_) {
      if (p.slug == slug) return &p;
    }
    return nullptr;
  }

  // GET /products/<slug>: the product with its add-to-cart form.
  HttpResponse productPage(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    const Product* p = bySlug(req.path.substr(std::string("/products/").size()));
    Ctx c = sessionLocked(req);
    if (!p) return finish(htmlReply(404, page("Not Found", "<h1>404 | Not Found</h1>")), c);
    const std::string token = tokenFor(*c.s, "cart");
    std::string main = flashHtml(*c.s) + "<article class=\"product\" data-sku=\"" + p->sku +
                       "\">\n<h1>" + core::htmlEscape(p->name) + "</h1>\n<p class=\"price\">" + eur(p->cents) +
                       "</p>\n<form method=\"POST\" action=\"/cart\" class=\"add-to-cart\">\n"
                       "  <input type=\"hidden\" name=\"_token\" value=\"" + token + "\">\n"
                       "  <input type=\"hidden\" name=\"product\" value=\"" + p->sku + "\">\n"
                       "  <input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\">\n"
                       "  <button type=\"submit\">Add to cart</button>\n</form>\n</article>";
    return finish(htmlReply(200, page(p->name, main)), c);
  }

  // POST /cart _token=…&product=SKU&quantity=N → 302 /cart (or back to the product) with a flash.
  HttpResponse addToCart(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    if (!tokenOk(req, *c.s, "cart")) return pageExpired(c);
    const std::string sku = formParam(req, "product").value_or("");
    const Product* p = nullptr;
    for (const auto& x : catalog_) p = x.sku == sku ? &x : p;
    int qty = 0;
    const std::string q = formParam(req, "quantity").value_or("1");
    auto [ptr, ec] = std::from_chars(q.data(), q.data() + q.size(), qty);
    const std::string back = header(req, "referer").empty() ? "/cart" : header(req, "referer");
    if (!p || ec != std::errc() || qty < 1) {
      c.s->flash.emplace_back("danger", "The selected product is invalid.");
      return finish(redirectReply(302, back), c);
    }
    acceptedPost(*c.s);
    if (fault("out-of-stock")) {
      c.s->flash.emplace_back("danger", "Sorry, " + p->name + " is out of stock.");
      return finish(redirectReply(302, "/products/" + p->slug), c);
    }
    bool merged = false;
    for (auto& [prod, n] : c.s->cart) {
      if (prod == p) {
        n += qty;
        merged = true;
      }
    }
    if (!merged) c.s->cart.emplace_back(p, qty);
    c.s->flash.emplace_back("success", p->name + " added to your cart.");
    return finish(redirectReply(302, "/cart"), c);
  }

  long long total(const Session& s) const {
    long long t = 0;
    for (const auto& [p, n] : s.cart) t += p->cents * n;
    return t;
  }

  // GET /cart: the lines, the flash, and a form to empty the cart.
  HttpResponse cartPage(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    std::string main = flashHtml(*c.s) + "<h1>Your cart</h1>\n";
    if (c.s->cart.empty()) {
      main += "<p class=\"cart-empty\">Your cart is empty.</p>\n";
    } else {
      int items = 0;
      main += "<table class=\"cart\">\n";
      for (const auto& [p, n] : c.s->cart) {
        items += n;
        main += "<tr class=\"cart-line\" data-sku=\"" + p->sku + "\"><td>" + core::htmlEscape(p->name) +
                "</td><td class=\"qty\">" + std::to_string(n) + "</td><td>" + eur(p->cents * n) +
                "</td></tr>\n";
      }
      main += "</table>\n<p class=\"cart-count\" data-count=\"" + std::to_string(items) + "\">" +
              std::to_string(items) + " item(s)</p>\n<p class=\"cart-total\">Total " +
              eur(total(*c.s)) + "</p>\n<a href=\"/checkout\">Checkout</a>\n";
    }
    main += "<form method=\"POST\" action=\"/cart/clear\" class=\"cart-clear\">\n  <input "
            "type=\"hidden\" name=\"_token\" value=\"" + tokenFor(*c.s, "cart") +
            "\">\n  <button type=\"submit\">Empty cart</button>\n</form>";
    return finish(htmlReply(200, page("Cart", main)), c);
  }

  // POST /cart/clear _token=… → 302 /cart.
  HttpResponse clearCart(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    if (!tokenOk(req, *c.s, "cart")) return pageExpired(c);
    acceptedPost(*c.s);
    c.s->cart.clear();
    c.s->flash.emplace_back("success", "Your cart has been emptied.");
    return finish(redirectReply(302, "/cart"), c);
  }

  std::string checkoutForm(Session& s, const std::string& errors) {
    return flashHtml(s) + errors + "<h1>Checkout</h1>\n<p class=\"cart-total\">Total " +
           eur(total(s)) + "</p>\n<form method=\"POST\" action=\"/checkout\" id=\"checkout-form\">\n"
           "  <input type=\"hidden\" name=\"_token\" value=\"" + tokenFor(s, "checkout") + "\">\n"
           "  <input name=\"email\" type=\"email\"> <input name=\"name\"> <input name=\"street\">\n"
           "  <input name=\"postcode\"> <input name=\"city\"> <select name=\"country\"><option>DE"
           "</option><option>AT</option><option>CH</option></select>\n"
           "  <select name=\"payment\"><option value=\"invoice\">Invoice</option><option "
           "value=\"prepayment\">Prepayment</option><option value=\"card\">Card</option></select>\n"
           "  <button type=\"submit\">Place order</button>\n</form>";
  }

  // GET /checkout: the address and payment form with its own token; an empty cart → 302 /cart.
  HttpResponse checkoutPage(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    if (c.s->cart.empty()) {
      c.s->flash.emplace_back("warning", "Your cart is empty.");
      return finish(redirectReply(302, "/cart"), c);
    }
    return finish(htmlReply(200, page("Checkout", checkoutForm(*c.s, ""))), c);
  }

  // POST /checkout → 302 /orders/<number>/confirmation; validation errors → 302 back with the
  // errors flashed ([memory] Laravel's default for a form post); a declined payment → 422.
  HttpResponse placeOrder(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    if (!tokenOk(req, *c.s, "checkout")) return pageExpired(c);
    if (c.s->cart.empty()) {
      c.s->flash.emplace_back("warning", "Your cart is empty.");
      return finish(redirectReply(302, "/cart"), c);
    }
    std::vector<std::string> missing;
    for (const char* f : {"email", "name", "street", "postcode", "city", "country", "payment"}) {
      if (formParam(req, f).value_or("").empty()) missing.emplace_back(f);
    }
    const std::string email = formParam(req, "email").value_or("");
    if (!email.empty() && email.find('@') == std::string::npos) missing.emplace_back("email");
    const std::string pay = formParam(req, "payment").value_or("");
    if (!pay.empty() && pay != "invoice" && pay != "prepayment" && pay != "card") {
      missing.emplace_back("payment");
    }
    acceptedPost(*c.s);
    if (!missing.empty()) {
      for (const auto& f : missing) c.s->flash.emplace_back("danger", "The " + f + " field is invalid.");
      return finish(redirectReply(302, "/checkout"), c);
    }
    if (fault("payment-error")) {
      const std::string err = "<div class=\"alert alert-danger\" role=\"alert\">Payment failed: "
                              "the payment provider declined the transaction.</div>\n";
      return finish(htmlReply(422, page("Checkout", checkoutForm(*c.s, err))), c);
    }
    const std::string number = "KH-" + std::to_string(next_order_++);
    c.s->orders.push_back(number);
    c.s->cart.clear();
    countOrder();
    return finish(redirectReply(302, "/orders/" + number + "/confirmation"), c);
  }

  // GET /orders/<number>/confirmation (only the session that placed it).
  HttpResponse confirmation(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    Ctx c = sessionLocked(req);
    std::string rest = req.path.substr(std::string("/orders/").size());
    const auto slash = rest.find('/');
    const std::string number = rest.substr(0, slash);
    bool mine = slash != std::string::npos && rest.substr(slash) == "/confirmation";
    bool found = false;
    for (const auto& o : c.s->orders) found = found || o == number;
    if (!mine || !found) return finish(htmlReply(404, page("Not Found", "<h1>404 | Not Found</h1>")), c);
    return finish(htmlReply(200, page("Thank you", "<h1 class=\"order-confirmed\">Order " + number +
                                                       " confirmed</h1>\n<p>We sent a confirmation "
                                                       "e-mail.</p>")),
                  c);
  }

  mutable std::mutex mu_;
  std::vector<Product> catalog_;
  std::map<std::string, Session> sessions_;
  int next_order_ = 100231;
};

}  // namespace

std::unique_ptr<PlatformFake> makeHtmlShopFake() { return std::make_unique<HtmlShopFake>(); }

}  // namespace shopwatch::agent::platforms::detail
