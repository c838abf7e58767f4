#pragma once
// The WooCommerce Store API fake (woocommerce_fake.cpp: routes and sessions; woocommerce_cart.cpp:
// the catalogue and the cart / order JSON). Research A4.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake_base.h"
#include "fakes.h"

namespace shopwatch::agent::platforms::detail {

struct WooProduct {
  long long id = 0;
  std::string slug, name, sku;
  long long cents = 0;  ///< prices are strings in minor units in the Store API
};

struct WooItem {
  std::string key;  ///< the cart item key (32 hex)
  long long product_id = 0;
  long long quantity = 1;
};

struct WooSession {
  std::vector<WooItem> items;
  Json billing = Json::object(), shipping = Json::object();
  bool has_address = false;
  std::string selected_rate;  ///< "" until chosen (the first rate is then selected)
  std::string nonce;          ///< the only valid nonce (cookie mode)
  std::string cart_token;     ///< the session's Cart-Token
  long long draft_order = 0;
  std::string draft_key;
  long long price_bump = 0;   ///< fault price-change: cents added to each item at checkout
};

class WooCommerceFake final : public FakeBase {
 public:
  WooCommerceFake();

 protected:
  void addRoutes(http::HttpServer& server) override;
  std::uint64_t openCarts() const override;

 private:
  using Handler = HttpResponse (WooCommerceFake::*)(const HttpRequest&, WooSession&);
  static HttpResponse wooError(int status, const std::string& code, const std::string& message,
                               const Json& extra = nullptr);
  HttpResponse session(const HttpRequest& req, Handler h);
  Json rates(const WooSession& s) const;
  long long totalCents(const WooSession& s) const;
  Json cartJson(const WooSession& s) const;
  const WooProduct* product(long long id) const;

  HttpResponse getCart(const HttpRequest&, WooSession&);
  HttpResponse addItem(const HttpRequest&, WooSession&);
  HttpResponse removeItem(const HttpRequest&, WooSession&);
  HttpResponse deleteItems(const HttpRequest&, WooSession&);
  HttpResponse updateCustomer(const HttpRequest&, WooSession&);
  HttpResponse selectRate(const HttpRequest&, WooSession&);
  HttpResponse getCheckout(const HttpRequest&, WooSession&);
  HttpResponse postCheckout(const HttpRequest&, WooSession&);

  std::vector<WooProduct> products_;
  mutable std::mutex mu_;
  std::map<std::string, WooSession> sessions_;      ///< session id → session
  std::map<std::string, std::string> by_token_;     ///< Cart-Token → session id
  std::map<std::string, std::string> by_cookie_;    ///< session cookie → session id
  long long next_order_ = 1000;
};

}  // namespace shopwatch::agent::platforms::detail
