#pragma once
// The Magento 2 fake ([B2]): the guest-cart REST API (research A3.1) and the Luma storefront's
// HTML add-to-cart with `form_key` (research A3.2), on one server sharing one quote store, as a
// real Magento serves both. magento_fake.cpp holds the state, the REST routes and the factory;
// magento_storefront.cpp the HTML side (product page, /checkout/cart/add/, customer-data sections,
// /checkout/).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake_base.h"

namespace shopwatch::agent::platforms::detail {

class MagentoFake final : public FakeBase {
 public:
  MagentoFake();

 protected:
  void addRoutes(http::HttpServer& server) override;
  std::uint64_t openCarts() const override;

 private:
  struct Product {
    int id;
    std::string sku, name, url_key;  // url_key: the product page is /<url_key>.html
    long long cents;
    bool in_stock;
  };
  struct Item {
    int item_id;
    int product_id;
    int qty;
  };
  struct Quote {
    int quote_id = 0;  // the numeric entity id (never shown to guests)
    bool active = true;
    std::vector<Item> items;
    std::optional<std::string> carrier, method;  // set by shipping-information
    std::string country;
  };
  struct Session {  // PHPSESSID
    std::string form_key;
    std::string masked;  // the session's guest quote ("" until the first add)
    std::vector<std::pair<std::string, std::string>> messages;  // (type, text), shown once
  };

  // REST (magento_fake.cpp)
  HttpResponse createCart(const HttpRequest& req);
  HttpResponse cartCall(const HttpRequest& req);
  HttpResponse addItem(Quote& q, const Json& body);
  HttpResponse estimate(const Quote& q, const Json& body) const;
  HttpResponse shippingInformation(Quote& q, const Json& body);
  HttpResponse placeOrder(Quote& q, const HttpRequest& req, const Json& body);
  Json itemJson(const Quote& q, const Item& item) const;
  Json totalsJson(const Quote& q) const;
  long long subtotal(const Quote& q) const;
  std::string newQuoteLocked();  // a new active quote, its masked id

  // Storefront (magento_storefront.cpp)
  HttpResponse productPage(const HttpRequest& req);
  HttpResponse addToCart(const HttpRequest& req);
  HttpResponse sectionLoad(const HttpRequest& req);
  HttpResponse checkoutPage(const HttpRequest& req);
  HttpResponse cartPage(const HttpRequest& req);
  /// The request's session (created when the PHPSESSID cookie is absent or unknown, then
  /// `*created` is set); the `form_key` cookie, when sent, becomes the session's form key.
  Session& sessionLocked(const HttpRequest& req, std::string& id, bool& created);
  /// Sets PHPSESSID (when new) and refreshes the form_key cookie (when the request carried one).
  static void sessionCookies(HttpResponse& r, const HttpRequest& req, const std::string& id,
                             bool created);

  const Product* productById(int id) const;
  const Product* productBySku(const std::string& sku) const;
  const Product* productByUrlKey(const std::string& key) const;

  mutable std::mutex mu_;
  std::vector<Product> catalog_;
  std::map<std::string, Quote> quotes_;  // masked id → quote
  std::map<std::string, Session> sessions_;
  int next_quote_ = 40, next_item_ = 100, next_order_ = 3;
  std::string stale_form_key_;  // the key a full-page cache baked into the HTML for someone else
};

/// The Magento REST error body: {"message": text} plus "parameters" when given.
HttpResponse magentoError(int status, const std::string& message, const Json& parameters = nullptr);

}  // namespace shopwatch::agent::platforms::detail
