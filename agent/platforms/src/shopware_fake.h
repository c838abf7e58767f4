#pragma once
// The Shopware 6 Store API fake (shopware_fake.cpp: routes; shopware_catalogue.cpp: the sales
// channel's data, the cart JSON and the Criteria subset). Research A2.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake_base.h"
#include "fakes.h"

namespace shopwatch::agent::platforms::detail {

/// The demo sales channel's access key (Admin → Sales Channels → API access shows a real one).
inline constexpr const char* kShopwareAccessKey = "SWSCDEMOSHOPWATCH0000000000";

struct ShopwareProduct {
  std::string id;      ///< 32 hex (Shopware UUIDs have no dashes)
  std::string number;  ///< productNumber
  std::string name;
  long long cents = 0;
  Json toJson(bool sold_out) const;
};

struct ShopwareMethod {
  std::string id;
  std::string name;
  std::string technical_name;
  long long cents = 0;   ///< shipping costs (shipping methods)
  bool gateway = false;  ///< asynchronous payment handler (answers a redirectUrl)
};

struct ShopwareCountry {
  std::string id, iso, iso3, name;
};

struct ShopwareCatalogue {
  std::string sales_channel_id;
  std::vector<ShopwareProduct> products;
  std::vector<ShopwareCountry> countries;
  std::vector<ShopwareMethod> shipping;
  std::vector<ShopwareMethod> payment;
  const ShopwareProduct* findProduct(const std::string& id) const;
  const ShopwareCountry* findCountry(const std::string& id) const;
  const ShopwareMethod* findShipping(const std::string& id) const;
  const ShopwareMethod* findPayment(const std::string& id) const;
  Json shippingJson(const std::string& id) const;
  Json paymentJson(const std::string& id) const;
};
ShopwareCatalogue shopwareCatalogue();

struct ShopwareCustomer {
  std::string id, email, first_name, last_name;
  bool guest = true;
  bool double_opt_in = false;
  std::string number;
  Json toJson() const;
};

struct ShopwareLineItem {
  std::string id;
  std::string referenced_id;
  long long quantity = 1;
};

struct ShopwareContext {
  std::vector<ShopwareLineItem> items;
  Json errors = Json::object();  ///< the cart's errors of the last cart answer
  std::optional<ShopwareCustomer> customer;
  std::string shipping_method, payment_method;
};

struct ShopwareOrder {
  std::string id, number, payment_method, transaction_id;
};

/// A search result (`dal_entity_search_result`) of `elements` after the request's Criteria:
/// `filter` (equals, equalsAny), `limit`, `includes` {apiAlias: [fields]}.
Json criteriaResult(const Json& criteria, const Json& elements, const std::string& alias);

class ShopwareFake final : public FakeBase {
 public:
  ShopwareFake();

 protected:
  void addRoutes(http::HttpServer& server) override;
  std::uint64_t openCarts() const override;

 private:
  using Handler = HttpResponse (ShopwareFake::*)(const HttpRequest&, ShopwareContext&,
                                                 std::string&);
  static HttpResponse storeApiError(int status, const std::string& code, const std::string& title,
                                    const std::string& detail, const std::string& pointer = "");
  HttpResponse guarded(const HttpRequest& req, Handler h);
  ShopwareContext& contextFor(const HttpRequest& req, std::string& token);
  Json cartJson(const ShopwareContext& ctx, const std::string& token) const;

  HttpResponse getContext(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse patchContext(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse searchProducts(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse searchCountries(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse shippingMethods(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse paymentMethods(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse addLineItems(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse removeLineItems(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse getCart(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse deleteCart(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse registerGuest(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse placeOrder(const HttpRequest&, ShopwareContext&, std::string&);
  HttpResponse handlePayment(const HttpRequest&, ShopwareContext&, std::string&);

  ShopwareCatalogue catalogue_;
  mutable std::mutex mu_;
  std::map<std::string, ShopwareContext> contexts_;
  std::vector<ShopwareOrder> orders_;
  std::uint64_t customers_ = 0;
};

}  // namespace shopwatch::agent::platforms::detail
