#pragma once
// The Vendure fake's shop: catalogue, sessions, orders and the shop-api resolvers (research A1).
// Resolvers return fixed, full objects — every field the fake knows, whatever the query selected —
// rather than only the selected fields (a real GraphQL server returns exactly the selection; a
// client reading the fields it asked for sees the same values).

#include <map>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "vendure_graphql.h"

namespace shopwatch::agent::platforms::detail::vendure {

using Json = nlohmann::json;

struct Variant {
  std::string id, sku, name;
  long long price_with_tax = 0;  ///< money in minor units, as Vendure sends it
};
struct Product {
  std::string id, slug, name;
  std::vector<Variant> variants;
};

struct Line {
  std::string id;
  const Product* product = nullptr;
  const Variant* variant = nullptr;
  long long quantity = 0;
};

struct Order {
  std::string id, code, state = "AddingItems";
  bool active = true;
  std::vector<Line> lines;
  std::optional<Json> customer, address;
  std::string shipping_method_id;  ///< "" until setOrderShippingMethod
  Json payments = Json::array();
  std::string placed_at;           ///< orderPlacedAt, "" while active
};

/// A business error answered in `errors[]` with HTTP 200 and `data: null`.
struct FieldError {
  std::string code, message;
};
using FieldResult = std::variant<Json, FieldError>;

/// The fault switches the resolvers look at.
struct ShopFaults {
  bool sold_out = false, payment_declined = false, no_shipping = false;
};

/// Catalogue and orders; not thread-safe (the fake holds its lock around it).
class Shop {
 public:
  /// Whether the root field works on the active order (needs the Owner permission, so a request
  /// without a session gets a new anonymous one, research A1 "Gotcha").
  static bool needsSession(const std::string& field);
  /// "" when `field` exists on the operation's root type, else graphql-js's validation message;
  /// also checks required arguments and required input-object fields (`code` says which error).
  static std::optional<DocumentError> validate(const Field& field, bool mutation);

  /// Runs one root field for the session whose active order is `active_code` (may be updated).
  FieldResult resolve(const Field& field, std::string& active_code, const ShopFaults& faults);

  std::size_t openCarts() const;
  /// Business errors (result-union members and errors[]) answered so far; the fake counts them.
  std::size_t takeRejections() {
    auto n = rejections_;
    rejections_ = 0;
    return n;
  }
  /// Orders placed since the last call (the fake counts them).
  std::size_t takeOrders() {
    auto n = placed_;
    placed_ = 0;
    return n;
  }

 private:
  Json orderJson(const Order& o) const;
  Json errorResult(const std::string& type, const std::string& code, const std::string& message,
                   Json extra = Json::object());
  Order* activeOrder(const std::string& code);
  Order& createOrder(std::string& active_code);
  std::string randomCode(std::size_t length);

  std::map<std::string, Order> orders_;  ///< by code
  long next_id_ = 1;
  long next_line_ = 1;
  std::size_t rejections_ = 0;
  std::size_t placed_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace shopwatch::agent::platforms::detail::vendure
