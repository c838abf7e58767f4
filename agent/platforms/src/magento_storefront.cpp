// The Magento 2 fake's Luma storefront (research A3.2): the product page with
// #product_addtocart_form, POST /checkout/cart/add/ with form_key validation (302 on success AND
// failure), the customer-data sections, the cart page and /checkout/ with window.checkoutConfig.
#include <charconv>

#include "magento_fake.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::platforms::detail {
namespace {

std::string page(const std::string& title, const std::string& main) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         core::htmlEscape(title) +
         "</title></head>\n<body data-container=\"body\">\n<header class=\"page-header\">"
         "<a class=\"logo\" href=\"/\">Luma</a> <a class=\"action showcart\" "
         "href=\"/checkout/cart/\">My Cart</a></header>\n<main id=\"maincontent\">\n" +
         main + "\n</main></body></html>\n";
}

std::string usd(long long cents) { return "$" + decimal(cents); }

}  // namespace

MagentoFake::Session& MagentoFake::sessionLocked(const HttpRequest& req, std::string& id,
                                                 bool& created) {
  id = cookie(req, "PHPSESSID");
  auto it = id.empty() ? sessions_.end() : sessions_.find(id);
  created = it == sessions_.end();
  if (created) {
    id = randomAlnum(26);
    Session s;
    s.form_key = randomAlnum(16);  // Magento's form key: 16 alphanumerics
    it = sessions_.emplace(id, std::move(s)).first;
    countSession();
  }
  // [source] research A3.2, Magento\PageCache\Plugin\RegisterFormKeyFromCookie::beforeDispatch():
  // a form_key cookie is written into the session's form key (so cookie == POST value validates).
  const std::string from_cookie = cookie(req, "form_key");
  if (!from_cookie.empty()) it->second.form_key = from_cookie;
  return it->second;
}

void MagentoFake::sessionCookies(HttpResponse& r, const HttpRequest& req, const std::string& id,
                                 bool created) {
  if (created) setCookie(r, "PHPSESSID", id);
  // The plugin also refreshes the form_key cookie it read (the storefront JS sets it first).
  const std::string fk = cookie(req, "form_key");
  if (!fk.empty()) r.headers.emplace_back("Set-Cookie", "form_key=" + fk + "; Path=/; SameSite=Lax");
}

// GET /<url_key>.html: the product page (research A3.2 step 1).
HttpResponse MagentoFake::productPage(const HttpRequest& req) {
  const std::string& path = req.path;
  if (path.size() < 7 || path.substr(path.size() - 5) != ".html" || path.find('/', 1) != std::string::npos) {
    return htmlReply(404, page("404 Not Found", "<h1>Whoops, our bad...</h1>"));
  }
  const std::string key = path.substr(1, path.size() - 6);
  std::lock_guard lock(mu_);
  const Product* p = productByUrlKey(key);
  if (!p) return htmlReply(404, page("404 Not Found", "<h1>Whoops, our bad...</h1>"));
  std::string id;
  bool created = false;
  Session& s = sessionLocked(req, id, created);
  // With full-page cache the HTML was rendered for another visitor: its form_key is theirs.
  const std::string& html_key = fault("stale-form-key") ? stale_form_key_ : s.form_key;
  const std::string action = "/checkout/cart/add/uenc/aHR0cDovL2x1bWEvJTJG/product/" +
                             std::to_string(p->id) + "/";
  std::string main =
      "<div class=\"product-info-main\"><h1 class=\"page-title\"><span class=\"base\">" +
      core::htmlEscape(p->name) + "</span></h1>\n<div class=\"product attribute sku\">SKU <div "
      "class=\"value\" itemprop=\"sku\">" + p->sku + "</div></div>\n<span class=\"price\">" +
      usd(p->cents) + "</span>\n<div class=\"stock " + (p->in_stock ? "available" : "unavailable") +
      "\"><span>" + (p->in_stock ? "In stock" : "Out of stock") + "</span></div>\n"
      "<form data-product-sku=\"" + p->sku + "\" action=\"" + action +
      "\" method=\"post\" id=\"product_addtocart_form\">\n"
      "<input type=\"hidden\" name=\"product\" value=\"" + std::to_string(p->id) + "\" />\n"
      "<input type=\"hidden\" name=\"selected_configurable_option\" value=\"\" />\n"
      "<input type=\"hidden\" name=\"related_product\" id=\"related-products-field\" value=\"\" />\n"
      "<input type=\"hidden\" name=\"item\" value=\"" + std::to_string(p->id) + "\" />\n"
      "<input name=\"form_key\" type=\"hidden\" value=\"" + html_key + "\" />\n"
      "<input type=\"number\" name=\"qty\" id=\"qty\" value=\"1\" title=\"Qty\" />\n"
      "<button type=\"submit\" title=\"Add to Cart\" id=\"product-addtocart-button\">"
      "<span>Add to Cart</span></button>\n</form></div>";
  HttpResponse r = htmlReply(200, page(p->name, main));
  sessionCookies(r, req, id, created);
  return r;
}

// POST /checkout/cart/add/[uenc/…/product/N/] product=N&qty=1&form_key=K (research A3.2 step 3):
// Magento\Checkout\Controller\Cart\Add. 302 on success and on failure alike.
HttpResponse MagentoFake::addToCart(const HttpRequest& req) {
  std::lock_guard lock(mu_);
  std::string id;
  bool created = false;
  Session& s = sessionLocked(req, id, created);
  auto redirect = [&](const std::string& to) {
    HttpResponse r = redirectReply(302, to);
    sessionCookies(r, req, id, created);
    return r;
  };
  const auto posted = formParam(req, "form_key");
  if (!posted || posted->empty() || *posted != s.form_key) {
    // [source] research A3.2: `addErrorMessage('Your session has expired'); redirect('*/*/')`,
    // i.e. /checkout/cart/ for the route checkout/cart/add.
    s.messages.emplace_back("error", "Your session has expired");
    return redirect("/checkout/cart/");
  }
  int product = 0;
  const std::string ptext = formParam(req, "product").value_or("");
  std::from_chars(ptext.data(), ptext.data() + ptext.size(), product);
  int qty = 1;
  const std::string qtext = formParam(req, "qty").value_or("1");
  std::from_chars(qtext.data(), qtext.data() + qtext.size(), qty);
  const Product* p = productById(product);
  if (!p) {
    // No product: goBack() without a URL → the cart. [memory] no message is added.
    return redirect("/checkout/cart/");
  }
  const std::string product_url = "/" + p->url_key + ".html";
  if (!p->in_stock || fault("out-of-stock") || qty <= 0) {
    // [memory] the phrase; the redirect back to the product page (the checkout session's
    // redirect URL for a product error) is what the brief's research summary describes.
    s.messages.emplace_back("error", "Product that you are trying to add is not available.");
    return redirect(product_url);
  }
  if (s.masked.empty() || !quotes_.count(s.masked) || !quotes_[s.masked].active) {
    s.masked = newQuoteLocked();
  }
  Quote& q = quotes_[s.masked];
  bool merged = false;
  for (auto& i : q.items) {
    if (i.product_id == p->id) {
      i.qty += qty;
      merged = true;
    }
  }
  if (!merged) q.items.push_back({next_item_++, p->id, qty});
  s.messages.emplace_back("success", "You added " + p->name + " to your shopping cart.");
  // [memory] "After Adding a Product Redirect to Shopping Cart" = Yes: success lands on the cart
  // (research A3.2 asserts the Location is not the product page).
  return redirect("/checkout/cart/");
}

// GET /customer/section/load/?sections=cart,messages — Luma's customer-data endpoint.
// [memory] research A3.2 step 4: the endpoint and `cart.summary_count` are remembered, not sourced.
HttpResponse MagentoFake::sectionLoad(const HttpRequest& req) {
  std::lock_guard lock(mu_);
  std::string id;
  bool created = false;
  Session& s = sessionLocked(req, id, created);
  const std::string wanted = queryParam(req, "sections").value_or("");
  auto want = [&](const std::string& name) {
    return wanted.empty() || ("," + wanted + ",").find("," + name + ",") != std::string::npos;
  };
  Json out = Json::object();
  if (want("cart")) {
    int count = 0;
    long long sub = 0;
    Json items = Json::array();
    auto it = quotes_.find(s.masked);
    if (it != quotes_.end() && it->second.active) {
      sub = subtotal(it->second);
      for (const auto& i : it->second.items) {
        count += i.qty;
        const Product* p = nullptr;
        for (const auto& c : catalog_) p = c.id == i.product_id ? &c : p;
        items.push_back({{"item_id", std::to_string(i.item_id)},
                         {"product_id", std::to_string(i.product_id)},
                         {"product_sku", p->sku},
                         {"product_name", p->name},
                         {"qty", i.qty},
                         {"product_price_value", static_cast<double>(p->cents) / 100.0}});
      }
    }
    out["cart"] = {{"summary_count", count},
                   {"subtotalAmount", decimal(sub) + "00"},
                   {"subtotal", "<span class=\"price\">" + usd(sub) + "</span>"},
                   {"items", items},
                   {"isGuestCheckoutAllowed", true},
                   {"website_id", "1"},
                   {"storeId", "1"}};
  }
  if (want("messages")) {
    Json msgs = Json::array();
    for (const auto& [type, text] : s.messages) msgs.push_back({{"type", type}, {"text", text}});
    s.messages.clear();
    out["messages"] = {{"messages", msgs}};
  }
  HttpResponse r = jsonReply(200, out);
  sessionCookies(r, req, id, created);
  return r;
}

// GET /checkout/cart/: the cart page (shows and consumes the session's messages).
HttpResponse MagentoFake::cartPage(const HttpRequest& req) {
  std::lock_guard lock(mu_);
  std::string id;
  bool created = false;
  Session& s = sessionLocked(req, id, created);
  std::string main = "<h1 class=\"page-title\">Shopping Cart</h1>\n";
  for (const auto& [type, text] : s.messages) {
    main += "<div class=\"message-" + type + " " + type + " message\"><div>" + core::htmlEscape(text) +
            "</div></div>\n";
  }
  s.messages.clear();
  auto it = quotes_.find(s.masked);
  if (it == quotes_.end() || !it->second.active || it->second.items.empty()) {
    main += "<div class=\"cart-empty\"><p>You have no items in your shopping cart.</p></div>";
  } else {
    main += "<table id=\"shopping-cart-table\" class=\"cart items data table\">\n";
    for (const auto& i : it->second.items) {
      for (const auto& p : catalog_) {
        if (p.id != i.product_id) continue;
        main += "<tr class=\"item-info\"><td class=\"col item\">" + core::htmlEscape(p.name) +
                "</td><td class=\"col qty\">" + std::to_string(i.qty) + "</td><td class=\"col "
                "subtotal\">" + usd(p.cents * i.qty) + "</td></tr>\n";
      }
    }
    main += "</table>\n<a href=\"/checkout/\" class=\"action primary checkout\">Proceed to Checkout</a>";
  }
  HttpResponse r = htmlReply(200, page("Shopping Cart", main));
  sessionCookies(r, req, id, created);
  return r;
}

// GET /checkout/ (research A3.2 step 5): window.checkoutConfig with quoteData.entity_id = the
// masked id for a guest ([source] DefaultConfigProvider::getQuoteData()); an empty cart is
// redirected to /checkout/cart/.
HttpResponse MagentoFake::checkoutPage(const HttpRequest& req) {
  std::lock_guard lock(mu_);
  std::string id;
  bool created = false;
  Session& s = sessionLocked(req, id, created);
  auto it = quotes_.find(s.masked);
  if (it == quotes_.end() || !it->second.active || it->second.items.empty()) {
    HttpResponse r = redirectReply(302, "/checkout/cart/");
    sessionCookies(r, req, id, created);
    return r;
  }
  const Quote& q = it->second;
  Json config = {
      {"formKey", s.form_key},
      {"quoteData",
       {{"entity_id", s.masked}, {"store_id", "1"}, {"is_active", "1"},
        {"items_count", std::to_string(q.items.size())}, {"base_currency_code", "USD"},
        {"subtotal", decimal(subtotal(q))}, {"customer_is_guest", "1"}}},
      {"isCustomerLoggedIn", false},
      {"storeCode", "default"},
      {"checkoutUrl", "/checkout/"},
      {"defaultSuccessPageUrl", "/checkout/onepage/success/"}};
  std::string main =
      "<div id=\"checkout\" data-bind=\"scope:'checkout'\" class=\"checkout-container\"></div>\n"
      "<script>\n    window.checkoutConfig = " + config.dump() +
      ";\n    window.customerData = window.checkoutConfig.customerData;\n</script>";
  HttpResponse r = htmlReply(200, page("Checkout", main));
  sessionCookies(r, req, id, created);
  return r;
}

}  // namespace shopwatch::agent::platforms::detail
