// The Shopware fake's sales channel data, its cart JSON and the Criteria subset it understands
// (shopware_fake.h). Research A2; the field lists beyond what the research names are [memory].
#include <algorithm>

#include "shopware_fake.h"

namespace shopwatch::agent::platforms::detail {
namespace {

Json money(long long cents) { return static_cast<double>(cents) / 100.0; }

Json calculatedPrice(long long unit_cents, long long quantity) {
  const long long total = unit_cents * quantity;
  // Gross prices with 19 % VAT included (the German default of a demo install).
  const long long tax = (total * 19 + 59) / 119;
  return {{"unitPrice", money(unit_cents)},
          {"quantity", quantity},
          {"totalPrice", money(total)},
          {"calculatedTaxes",
           Json::array({{{"tax", money(tax)}, {"taxRate", 19}, {"price", money(total)}}})},
          {"apiAlias", "calculated_price"}};
}

std::string fieldText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// `field` of a filter: "iso" or "country.iso" (the entity's name as a prefix).
std::string stripAlias(std::string field) {
  const auto dot = field.rfind('.');
  return dot == std::string::npos ? field : field.substr(dot + 1);
}

bool matches(const Json& element, const Json& filter) {
  if (!filter.is_object()) return true;
  const std::string type = filter.value("type", std::string("equals"));
  const std::string field = stripAlias(filter.value("field", std::string()));
  if (!element.contains(field)) return false;
  const std::string have = fieldText(element[field]);
  const Json& value = filter.contains("value") ? filter["value"] : Json(nullptr);
  if (type == "equals") return have == fieldText(value);
  if (type == "equalsAny") {
    std::vector<std::string> any;
    if (value.is_array()) {
      for (const auto& v : value) any.push_back(fieldText(v));
    } else {
      std::string s = fieldText(value);
      std::size_t start = 0;
      while (start <= s.size()) {
        const auto bar = s.find('|', start);
        any.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    return std::find(any.begin(), any.end(), have) != any.end();
  }
  if (type == "contains") return have.find(fieldText(value)) != std::string::npos;
  return true;  // other filter types are not modelled: they match everything
}

}  // namespace

Json ShopwareProduct::toJson(bool sold_out) const {
  return {{"id", id},
          {"productNumber", number},
          {"name", name},
          {"translated", {{"name", name}}},
          {"active", true},
          {"available", !sold_out},
          {"stock", sold_out ? 0 : 100},
          {"availableStock", sold_out ? 0 : 100},
          {"calculatedPrice", calculatedPrice(cents, 1)},
          {"apiAlias", "product"}};
}

Json ShopwareCustomer::toJson() const {
  return {{"id", id},
          {"customerNumber", number},
          {"email", email},
          {"firstName", first_name},
          {"lastName", last_name},
          {"guest", guest},
          {"active", !double_opt_in},
          {"doubleOptInRegistration", double_opt_in},
          {"apiAlias", "customer"}};
}

ShopwareCatalogue shopwareCatalogue() {
  ShopwareCatalogue c;
  c.sales_channel_id = "98432def39fc4624b33213a56b8c944d";
  c.products = {{"2a88d9b59d474c7e869d8071649be43c", "SW10001", "Demo Laptop", 49900},
                {"11dc680240b04f469ccba354cbf0b967", "SW10002", "Demo Mouse", 1999},
                {"3ac014f329884b57a2cce5a29f34779c", "SW10003", "Demo Keyboard", 4950}};
  c.countries = {{"0191c12cc15e72189d57328fb3d2d987", "DE", "DEU", "Germany"},
                 {"0191c12cc2ab73c1a6b1bd40d8bb5b8f", "AT", "AUT", "Austria"},
                 {"0191c12cc34f70b3b9e4bc8a6c3c5f11", "NL", "NLD", "Netherlands"}};
  // The default install's shipping methods and offline payment methods (research A2 step 6),
  // plus one asynchronous gateway.
  c.shipping = {{"0191c12dd4b970949e9d4ce4cdb6c0a1", "Standard", "shipping_standard", 499, false},
                {"0191c12dd4b970949e9d4ce4ce38e2b2", "Express", "shipping_express", 999, false}};
  c.payment = {
      {"0191c12dd4b970949e9d4ce4d0f1a3c1", "Cash on delivery", "payment_cashpayment", 0, false},
      {"0191c12dd4b970949e9d4ce4d1a2b4d2", "Paid in advance", "payment_prepayment", 0, false},
      {"0191c12dd4b970949e9d4ce4d2b3c5e3", "Invoice", "payment_invoicepayment", 0, false},
      {"0191c12dd4b970949e9d4ce4d3c4d6f4", "Demo Card (redirect)", "payment_democard", 0, true}};
  return c;
}

const ShopwareProduct* ShopwareCatalogue::findProduct(const std::string& id) const {
  for (const auto& p : products) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const ShopwareCountry* ShopwareCatalogue::findCountry(const std::string& id) const {
  for (const auto& c : countries) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const ShopwareMethod* ShopwareCatalogue::findShipping(const std::string& id) const {
  for (const auto& m : shipping) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

const ShopwareMethod* ShopwareCatalogue::findPayment(const std::string& id) const {
  for (const auto& m : payment) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

Json ShopwareCatalogue::shippingJson(const std::string& id) const {
  const auto* m = findShipping(id);
  if (!m) return nullptr;
  return {{"id", m->id},
          {"name", m->name},
          {"technicalName", m->technical_name},
          {"active", true},
          {"deliveryTime", {{"name", "1-3 days"}, {"min", 1}, {"max", 3}, {"unit", "day"}}},
          {"apiAlias", "shipping_method"}};
}

Json ShopwareCatalogue::paymentJson(const std::string& id) const {
  const auto* m = findPayment(id);
  if (!m) return nullptr;
  // [memory] the handler class names of the default methods.
  const std::string handler =
      m->gateway ? "Shopwatch\\Demo\\AsyncCardPayment"
                 : "Shopware\\Core\\Checkout\\Payment\\Cart\\PaymentHandler\\" +
                       std::string(m->technical_name == "payment_cashpayment"   ? "CashPayment"
                                   : m->technical_name == "payment_prepayment" ? "PrePayment"
                                                                               : "InvoicePayment");
  return {{"id", m->id},
          {"name", m->name},
          {"technicalName", m->technical_name},
          {"handlerIdentifier", handler},
          {"active", true},
          {"afterOrderEnabled", true},
          {"apiAlias", "payment_method"}};
}

Json criteriaResult(const Json& criteria, const Json& elements, const std::string& alias) {
  Json out = Json::array();
  const Json filters = criteria.value("filter", Json::array());
  for (const auto& e : elements) {
    bool ok = true;
    if (filters.is_array()) {
      for (const auto& f : filters) ok = ok && matches(e, f);
    }
    if (ok) out.push_back(e);
  }
  const std::size_t total = out.size();
  if (criteria.contains("limit") && criteria["limit"].is_number_integer()) {
    const auto limit = criteria["limit"].get<long long>();
    if (limit >= 0 && static_cast<std::size_t>(limit) < out.size()) {
      out.erase(out.begin() + limit, out.end());
    }
  }
  // `includes`: only the listed fields of that apiAlias (apiAlias itself always stays [memory]).
  if (criteria.contains("includes") && criteria["includes"].is_object() &&
      criteria["includes"].contains(alias) && criteria["includes"][alias].is_array()) {
    const Json& keep = criteria["includes"][alias];
    for (auto& e : out) {
      Json slim = {{"apiAlias", alias}};
      for (const auto& f : keep) {
        if (f.is_string() && e.contains(f.get<std::string>())) slim[f.get<std::string>()] = e[f];
      }
      e = std::move(slim);
    }
  }
  // [memory] the search result envelope.
  return {{"total", total},        {"aggregations", Json::array()},
          {"page", 1},             {"limit", criteria.value("limit", Json(nullptr))},
          {"elements", out},       {"apiAlias", "dal_entity_search_result"}};
}

Json ShopwareFake::cartJson(const ShopwareContext& ctx, const std::string& token) const {
  Json items = Json::array();
  long long positions = 0;
  for (const auto& l : ctx.items) {
    const auto* p = catalogue_.findProduct(l.referenced_id);
    if (!p) continue;
    positions += p->cents * l.quantity;
    items.push_back({{"id", l.id},
                     {"referencedId", l.referenced_id},
                     {"label", p->name},
                     {"quantity", l.quantity},
                     {"type", "product"},
                     {"good", true},
                     {"removable", true},
                     {"stackable", true},
                     {"payload", {{"productNumber", p->number}}},
                     {"price", calculatedPrice(p->cents, l.quantity)},
                     {"apiAlias", "line_item"}});
  }
  const auto* ship = catalogue_.findShipping(ctx.shipping_method);
  const long long shipping = items.empty() || !ship ? 0 : ship->cents;
  const long long total = positions + shipping;
  const long long tax = (total * 19 + 59) / 119;
  Json deliveries = Json::array();
  if (!items.empty() && ship) {
    deliveries.push_back({{"shippingMethod", catalogue_.shippingJson(ship->id)},
                          {"shippingCosts", calculatedPrice(shipping, 1)},
                          {"apiAlias", "cart_delivery"}});
  }
  Json transactions = Json::array();
  if (!items.empty()) {
    transactions.push_back({{"paymentMethodId", ctx.payment_method},
                            {"amount", calculatedPrice(total, 1)},
                            {"apiAlias", "cart_transaction"}});
  }
  // [memory] an empty error collection serialises as [] (a PHP empty array), a non-empty one as
  // an object keyed by the error's key; research A2 calls it "the `errors` map".
  return {{"name", "sales-channel"},
          {"token", token},
          {"price",
           {{"netPrice", money(total - tax)},
            {"totalPrice", money(total)},
            {"positionPrice", money(positions)},
            {"rawTotal", money(total)},
            {"taxStatus", "gross"},
            {"calculatedTaxes",
             Json::array({{{"tax", money(tax)}, {"taxRate", 19}, {"price", money(total)}}})},
            {"apiAlias", "cart_price"}}},
          {"lineItems", items},
          {"errors", ctx.errors.empty() ? Json::array() : ctx.errors},
          {"deliveries", deliveries},
          {"transactions", transactions},
          {"modified", false},
          {"customerComment", nullptr},
          {"affiliateCode", nullptr},
          {"campaignCode", nullptr},
          {"apiAlias", "cart"}};
}

}  // namespace shopwatch::agent::platforms::detail
