// The Vendure fake's resolvers (research A1). Facts the research marks [verified] are followed as
// written; where the fake needs an answer the research does not give, the comment says "[memory]"
// (from Vendure's source as remembered, not checked).
#include "vendure_shop.h"

#include <array>
#include <chrono>
#include <ctime>

namespace shopwatch::agent::platforms::detail::vendure {
namespace {

const std::vector<Product>& catalogue() {
  static const std::vector<Product> products = {
      {"1", "laptop", "Laptop",
       {{"1", "L2201308", "Laptop 13 inch 8GB", 155880}, {"2", "L2201508", "Laptop 15 inch 8GB", 167880}}},
      {"2", "tablet", "Tablet", {{"3", "TBL200", "Tablet 32GB", 32900}}},
  };
  return products;
}

struct ShippingMethod {
  const char* id;
  const char* code;
  const char* name;
  long long price_with_tax;
};
constexpr std::array<ShippingMethod, 2> kShipping = {{
    {"1", "standard-shipping", "Standard Shipping", 500},
    {"2", "express-shipping", "Express Shipping", 1000},
}};

struct PaymentMethod {
  const char* id;
  const char* code;
  const char* name;
  bool settles;  ///< the dummy handler with automaticSettle (research A1)
};
constexpr std::array<PaymentMethod, 2> kPayment = {{
    {"1", "standard-payment", "Standard Payment", false},
    {"2", "instant-settle", "Instant Settle", true},
}};

constexpr std::array<std::pair<const char*, const char*>, 8> kCountries = {{
    {"DE", "Germany"}, {"AT", "Austria"}, {"CH", "Switzerland"}, {"FR", "France"},
    {"NL", "Netherlands"}, {"GB", "United Kingdom"}, {"US", "United States of America"},
    {"IT", "Italy"},
}};

long long net(long long gross) { return (gross * 100 + 59) / 119; }

std::string nowIso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

const Variant* findVariant(const std::string& id, const Product** product) {
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

std::string text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return v.is_null() ? std::string() : v.dump();
}

Json field(const Json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) ? obj[key] : Json(nullptr);
}

struct ArgRule {
  const char* field;
  const char* arg;
  const char* type;
  std::vector<const char*> input_fields;  ///< required fields of an input-object argument
};
const std::vector<ArgRule>& argRules() {
  static const std::vector<ArgRule> rules = {
      {"addItemToOrder", "productVariantId", "ID!", {}},
      {"addItemToOrder", "quantity", "Int!", {}},
      {"setCustomerForOrder", "input", "CreateCustomerInput!", {"emailAddress", "firstName", "lastName"}},
      {"setOrderShippingAddress", "input", "CreateAddressInput!", {"streetLine1", "countryCode"}},
      {"setOrderShippingMethod", "shippingMethodId", "[ID!]!", {}},
      {"transitionOrderToState", "state", "String!", {}},
      {"addPaymentToOrder", "input", "PaymentInput!", {"method", "metadata"}},
      {"orderByCode", "code", "String!", {}},
      {"removeOrderLine", "orderLineId", "ID!", {}},
  };
  return rules;
}

constexpr std::array<const char*, 6> kQueryFields = {
    "product", "activeOrder", "eligibleShippingMethods", "eligiblePaymentMethods", "orderByCode",
    "activeChannel"};
constexpr std::array<const char*, 8> kMutationFields = {
    "addItemToOrder", "setCustomerForOrder", "setOrderShippingAddress", "setOrderShippingMethod",
    "transitionOrderToState", "addPaymentToOrder", "removeAllOrderLines", "removeOrderLine"};

}  // namespace

bool Shop::needsSession(const std::string& f) { return f != "product" && f != "activeChannel"; }

std::optional<DocumentError> Shop::validate(const Field& f, bool mutation) {
  bool known = f.name == "__typename";
  for (const char* n : mutation ? std::vector<const char*>(kMutationFields.begin(), kMutationFields.end())
                                : std::vector<const char*>(kQueryFields.begin(), kQueryFields.end())) {
    known = known || f.name == n;
  }
  if (!known) {
    return DocumentError{"GRAPHQL_VALIDATION_FAILED", "Cannot query field \"" + f.name +
                                                          "\" on type \"" +
                                                          (mutation ? "Mutation" : "Query") + "\"."};
  }
  for (const auto& rule : argRules()) {
    if (f.name != rule.field) continue;
    const Json value = field(f.args, rule.arg);
    if (value.is_null()) {
      return DocumentError{"GRAPHQL_VALIDATION_FAILED",
                           "Field \"" + f.name + "\" argument \"" + rule.arg + "\" of type \"" +
                               rule.type + "\" is required, but it was not provided."};
    }
    for (const char* input : rule.input_fields) {
      if (field(value, input).is_null()) {
        // [memory] graphql-js input coercion: a missing required input field is a 400.
        return DocumentError{"BAD_USER_INPUT", "Field \"" + std::string(input) +
                                                   "\" of required type was not provided."};
      }
    }
  }
  return std::nullopt;
}

std::string Shop::randomCode(std::size_t length) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(length, 'A');
  for (auto& c : out) c = kChars[rng_() % 36U];
  return out;
}

Json Shop::orderJson(const Order& o) const {
  long long sub = 0, qty = 0, ship = 0;
  Json lines = Json::array();
  for (const auto& l : o.lines) {
    sub += l.quantity * l.variant->price_with_tax;
    qty += l.quantity;
    lines.push_back({{"__typename", "OrderLine"}, {"id", l.id}, {"quantity", l.quantity},
                     {"unitPriceWithTax", l.variant->price_with_tax},
                     {"linePriceWithTax", l.quantity * l.variant->price_with_tax},
                     {"productVariant", {{"__typename", "ProductVariant"}, {"id", l.variant->id},
                                         {"sku", l.variant->sku}, {"name", l.variant->name}}}});
  }
  Json shipping_lines = Json::array();
  for (const auto& m : kShipping) {
    if (o.shipping_method_id != m.id) continue;
    ship = m.price_with_tax;
    shipping_lines.push_back({{"__typename", "ShippingLine"}, {"priceWithTax", ship},
                              {"shippingMethod", {{"id", m.id}, {"code", m.code}, {"name", m.name}}}});
  }
  return {{"__typename", "Order"}, {"id", o.id}, {"code", o.code}, {"state", o.state},
          {"active", o.active}, {"currencyCode", "EUR"},
          {"orderPlacedAt", o.placed_at.empty() ? Json(nullptr) : Json(o.placed_at)},
          {"totalQuantity", qty}, {"subTotal", net(sub)}, {"subTotalWithTax", sub},
          {"shipping", net(ship)}, {"shippingWithTax", ship}, {"total", net(sub + ship)},
          {"totalWithTax", sub + ship}, {"customer", o.customer ? *o.customer : Json(nullptr)},
          {"shippingAddress", o.address ? *o.address : Json(nullptr)},
          {"shippingLines", shipping_lines}, {"lines", lines}, {"payments", o.payments}};
}

Json Shop::errorResult(const std::string& type, const std::string& code,
                       const std::string& message, Json extra) {
  ++rejections_;
  Json out = {{"__typename", type}, {"errorCode", code}, {"message", message}};
  out.update(extra);
  return out;
}

Order* Shop::activeOrder(const std::string& code) {
  auto it = orders_.find(code);
  return it == orders_.end() || !it->second.active ? nullptr : &it->second;
}

Order& Shop::createOrder(std::string& active_code) {
  Order o;
  o.id = std::to_string(next_id_++);
  o.code = randomCode(16);
  active_code = o.code;
  return orders_[o.code] = std::move(o);
}

std::size_t Shop::openCarts() const {
  std::size_t n = 0;
  for (const auto& [code, o] : orders_) n += o.active && !o.lines.empty() ? 1 : 0;
  return n;
}

FieldResult Shop::resolve(const Field& f, std::string& active_code, const ShopFaults& faults) {
  const Json& a = f.args;
  Order* order = activeOrder(active_code);
  // [memory] the order mutations below answer NoActiveOrderError when the session has no order.
  auto noOrder = [&] {
    return errorResult("NoActiveOrderError", "NO_ACTIVE_ORDER_ERROR",
                       "There is no active Order associated with the current session");
  };
  // [memory] OrderModificationError once the order left AddingItems.
  auto notModifiable = [&](const Order& o) {
    return errorResult("OrderModificationError", "ORDER_MODIFICATION_ERROR",
                       "Order \"" + o.code + "\" is in the \"" + o.state +
                           "\" state and cannot be modified");
  };

  if (f.name == "__typename") return Json(nullptr);  // replaced by the caller
  if (f.name == "activeChannel") {
    return Json{{"__typename", "Channel"}, {"id", "1"}, {"code", "__default_channel__"},
                {"token", "demo-channel-token"}, {"defaultCurrencyCode", "EUR"},
                {"defaultLanguageCode", "en"}};
  }
  if (f.name == "product") {
    const std::string slug = text(field(a, "slug")), id = text(field(a, "id"));
    if (slug.empty() && id.empty()) {
      // [memory] Vendure's UserInputError for product() without id or slug.
      return FieldError{"USER_INPUT_ERROR", "Either the Product id or slug must be provided"};
    }
    for (const auto& p : catalogue()) {
      if ((!slug.empty() && p.slug != slug) || (!id.empty() && p.id != id)) continue;
      Json variants = Json::array();
      for (const auto& v : p.variants) {
        variants.push_back({{"__typename", "ProductVariant"}, {"id", v.id}, {"sku", v.sku},
                            {"name", v.name}, {"price", net(v.price_with_tax)},
                            {"priceWithTax", v.price_with_tax}, {"currencyCode", "EUR"},
                            {"stockLevel", faults.sold_out ? "OUT_OF_STOCK" : "IN_STOCK"}});
      }
      return Json{{"__typename", "Product"}, {"id", p.id}, {"name", p.name}, {"slug", p.slug},
                  {"variants", variants}};
    }
    return Json(nullptr);  // [memory] an unknown slug gives product: null, not an error
  }
  if (f.name == "activeOrder") return order ? orderJson(*order) : Json(nullptr);
  if (f.name == "addItemToOrder") {
    const Product* product = nullptr;
    const std::string variant_id = text(a["productVariantId"]);
    const Variant* variant = findVariant(variant_id, &product);
    if (!variant) {  // research A1 [verified]: errors[] with ENTITY_NOT_FOUND, data null
      ++rejections_;
      return FieldError{"ENTITY_NOT_FOUND",
                        "No ProductVariant with the id \"" + variant_id + "\" could be found"};
    }
    const long long qty = a["quantity"].is_number_integer() ? a["quantity"].get<long long>() : 0;
    if (qty < 0) {
      return errorResult("NegativeQuantityError", "NEGATIVE_QUANTITY_ERROR",
                         "The quantity for an OrderItem cannot be negative");
    }
    if (!order) order = &createOrder(active_code);
    if (order->state != "AddingItems") return notModifiable(*order);
    if (faults.sold_out) {  // [memory] InsufficientStockError carries the order as it is
      return errorResult("InsufficientStockError", "INSUFFICIENT_STOCK_ERROR",
                         "Only 0 items were added to the order due to insufficient stock",
                         {{"quantityAvailable", 0}, {"order", orderJson(*order)}});
    }
    bool merged = false;
    for (auto& l : order->lines) {
      if (l.variant == variant) {
        l.quantity += qty;
        merged = true;
      }
    }
    if (!merged && qty > 0) {
      order->lines.push_back({std::to_string(next_line_++), product, variant, qty});
    }
    return orderJson(*order);
  }
  if (f.name == "setCustomerForOrder") {
    if (!order) return noOrder();
    const Json& in = a["input"];
    order->customer = Json{{"__typename", "Customer"}, {"id", std::to_string(next_id_++)},
                           {"emailAddress", text(in["emailAddress"])},
                           {"firstName", text(in["firstName"])}, {"lastName", text(in["lastName"])}};
    return orderJson(*order);
  }
  if (f.name == "setOrderShippingAddress") {
    if (!order) return noOrder();
    const Json& in = a["input"];
    const std::string cc = text(in["countryCode"]);
    const char* country = nullptr;
    for (const auto& [code, name] : kCountries) country = cc == code ? name : country;
    if (!country) {  // [memory] Vendure throws a UserInputError for an unknown country code
      ++rejections_;
      return FieldError{"USER_INPUT_ERROR", "The countryCode \"" + cc + "\" was not recognized"};
    }
    Json addr = {{"__typename", "OrderAddress"}, {"countryCode", cc}, {"country", country}};
    for (const char* k : {"fullName", "company", "streetLine1", "streetLine2", "city", "province",
                          "postalCode", "phoneNumber"}) {
      addr[k] = field(in, k);
    }
    order->address = std::move(addr);
    return orderJson(*order);
  }
  if (f.name == "eligibleShippingMethods") {
    Json out = Json::array();
    if (!order || faults.no_shipping) return out;  // [memory] no order: an empty list
    for (const auto& m : kShipping) {
      out.push_back({{"__typename", "ShippingMethodQuote"}, {"id", m.id}, {"code", m.code},
                     {"name", m.name}, {"description", ""}, {"price", net(m.price_with_tax)},
                     {"priceWithTax", m.price_with_tax}, {"metadata", nullptr}});
    }
    return out;
  }
  if (f.name == "eligiblePaymentMethods") {
    Json out = Json::array();
    for (const auto& m : kPayment) {
      out.push_back({{"__typename", "PaymentMethodQuote"}, {"id", m.id}, {"code", m.code},
                     {"name", m.name}, {"description", ""}, {"isEligible", true},
                     {"eligibilityMessage", nullptr}});
    }
    return out;
  }
  if (f.name == "setOrderShippingMethod") {
    if (!order) return noOrder();
    if (order->state != "AddingItems") return notModifiable(*order);
    // Research A1: the argument is a list since Vendure 2; GraphQL input coercion also takes a
    // single value as a list of one.
    Json ids = a["shippingMethodId"].is_array() ? a["shippingMethodId"] : Json::array({a["shippingMethodId"]});
    const std::string id = ids.empty() ? std::string() : text(ids[0]);
    bool known = false;
    for (const auto& m : kShipping) known = known || id == m.id;
    if (!known || faults.no_shipping) {  // [memory]
      return errorResult("IneligibleShippingMethodError", "INELIGIBLE_SHIPPING_METHOD_ERROR",
                         "This Order is not eligible for the selected ShippingMethod");
    }
    order->shipping_method_id = id;
    return orderJson(*order);
  }
  if (f.name == "transitionOrderToState") {
    if (!order) return Json(nullptr);  // [memory] null without an active order
    const std::string to = text(a["state"]);
    std::string why;
    if (order->state == "AddingItems" && to == "ArrangingPayment") {
      // Research A1 [verified]: customer and shipping method are required, an address is not.
      if (!order->customer) {
        why = "Cannot transition Order to the \"ArrangingPayment\" state without Customer details";
      } else if (order->shipping_method_id.empty()) {
        why = "Cannot transition Order to the \"ArrangingPayment\" state without a ShippingMethod";
      } else if (order->lines.empty()) {  // [memory]
        why = "Cannot transition Order to the \"ArrangingPayment\" state when it is empty";
      }
    } else if (!(order->state == "ArrangingPayment" && to == "AddingItems")) {
      why = "Cannot transition Order from \"" + order->state + "\" to \"" + to + "\"";
    }
    if (!why.empty()) {
      return errorResult("OrderStateTransitionError", "ORDER_STATE_TRANSITION_ERROR",
                         "Cannot transition Order from \"" + order->state + "\" to \"" + to + "\"",
                         {{"transitionError", why}, {"fromState", order->state}, {"toState", to}});
    }
    order->state = to;
    return orderJson(*order);
  }
  if (f.name == "addPaymentToOrder") {
    if (!order) return noOrder();
    if (order->state != "ArrangingPayment") {  // research A1 [verified]
      return errorResult("OrderPaymentStateError", "ORDER_PAYMENT_STATE_ERROR",
                         "A Payment may only be added when Order is in \"ArrangingPayment\" state");
    }
    const Json& in = a["input"];
    const std::string method = text(in["method"]);
    const PaymentMethod* pm = nullptr;
    for (const auto& m : kPayment) pm = method == m.code ? &m : pm;
    if (!pm) {  // [memory]
      return errorResult("IneligiblePaymentMethodError", "INELIGIBLE_PAYMENT_METHOD_ERROR",
                         "This Order is not eligible for the selected PaymentMethod",
                         {{"eligibilityCheckerMessage", nullptr}});
    }
    const Json meta = field(in, "metadata");
    if (faults.payment_declined || field(meta, "shouldDecline") == true) {
      // Research A1 [verified]: PaymentDeclinedError, the order stays in ArrangingPayment.
      return errorResult("PaymentDeclinedError", "PAYMENT_DECLINED_ERROR",
                         "The payment was declined", {{"paymentErrorMessage", "Simulated decline"}});
    }
    if (field(meta, "shouldError") == true) {
      return errorResult("PaymentFailedError", "PAYMENT_FAILED_ERROR", "The payment failed",
                         {{"paymentErrorMessage", "Simulated error"}});
    }
    const Json o = orderJson(*order);
    order->payments.push_back({{"__typename", "Payment"}, {"id", std::to_string(next_id_++)},
                               {"method", pm->code}, {"amount", o["totalWithTax"]},
                               {"state", pm->settles ? "Settled" : "Authorized"},
                               {"transactionId", randomCode(12)}, {"metadata", meta}});
    order->state = pm->settles ? "PaymentSettled" : "PaymentAuthorized";
    order->active = false;
    order->placed_at = nowIso();
    ++placed_;
    active_code.clear();
    return orderJson(*order);
  }
  if (f.name == "orderByCode") {
    // [memory] DefaultOrderByCodeAccessStrategy: a guest order is readable for 2 h after it was
    // placed; an unknown code is Forbidden too (no enumeration of codes).
    auto it = orders_.find(text(a["code"]));
    if (it == orders_.end() || it->second.placed_at.empty()) {
      ++rejections_;
      return FieldError{"FORBIDDEN", "You are not currently authorized to perform this action"};
    }
    return orderJson(it->second);
  }
  if (f.name == "removeAllOrderLines" || f.name == "removeOrderLine") {
    if (!order) return noOrder();
    if (order->state != "AddingItems") return notModifiable(*order);
    if (f.name == "removeAllOrderLines") {
      order->lines.clear();
    } else {
      const std::string line = text(a["orderLineId"]);
      std::erase_if(order->lines, [&](const Line& l) { return l.id == line; });
    }
    return orderJson(*order);
  }
  return Json(nullptr);
}

}  // namespace shopwatch::agent::platforms::detail::vendure
