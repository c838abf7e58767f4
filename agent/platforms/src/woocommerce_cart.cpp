// The WooCommerce fake's cart JSON (woocommerce_fake.h). Research A4: prices are strings in minor
// units, shipping_rates[].shipping_rates[].rate_id, totals.total_price, payment_methods; the other
// fields are the Store API's cart shape as [memory] has it, abridged.
#include "woocommerce_fake.h"

namespace shopwatch::agent::platforms::detail {
namespace {

struct Rate {
  const char* id;
  const char* name;
  const char* method;
  long long cents;
};
constexpr Rate kRates[] = {{"flat_rate:1", "Flat rate", "flat_rate", 500},
                           {"local_pickup:2", "Local pickup", "local_pickup", 0}};

Json money(long long cents) { return std::to_string(cents); }

}  // namespace

Json WooCommerceFake::rates(const WooSession& s) const {
  Json out = Json::array();
  if (s.items.empty() || !s.has_address) return out;
  Json list = Json::array();
  if (!fault("no-shipping")) {
    for (std::size_t i = 0; i < std::size(kRates); ++i) {
      const auto& r = kRates[i];
      const bool selected = s.selected_rate.empty() ? i == 0 : s.selected_rate == r.id;
      list.push_back({{"rate_id", r.id}, {"name", r.name}, {"method_id", r.method},
                      {"instance_id", static_cast<int>(i) + 1}, {"price", money(r.cents)},
                      {"taxes", "0"}, {"selected", selected}, {"currency_code", "EUR"},
                      {"currency_minor_unit", 2}});
    }
  }
  out.push_back({{"package_id", 0},
                 {"name", "Shipment 1"},
                 {"destination", {{"address_1", s.shipping.value("address_1", "")},
                                  {"city", s.shipping.value("city", "")},
                                  {"postcode", s.shipping.value("postcode", "")},
                                  {"country", s.shipping.value("country", "")}}},
                 {"shipping_rates", list}});
  return out;
}

long long WooCommerceFake::totalCents(const WooSession& s) const {
  long long total = 0;
  for (const auto& i : s.items) {
    if (const auto* p = product(i.product_id)) total += (p->cents + s.price_bump) * i.quantity;
  }
  for (const auto& pkg : rates(s)) {
    for (const auto& r : pkg["shipping_rates"]) {
      if (r["selected"] == true) total += std::stoll(r["price"].get<std::string>());
    }
  }
  return total;
}

Json WooCommerceFake::cartJson(const WooSession& s) const {
  Json items = Json::array();
  long long item_total = 0, count = 0;
  for (const auto& i : s.items) {
    const auto* p = product(i.product_id);
    if (!p) continue;
    const long long unit = p->cents + s.price_bump;
    item_total += unit * i.quantity;
    count += i.quantity;
    items.push_back({{"key", i.key},
                     {"id", p->id},
                     {"quantity", i.quantity},
                     {"name", p->name},
                     {"sku", p->sku},
                     {"prices", {{"price", money(unit)}, {"currency_code", "EUR"},
                                 {"currency_minor_unit", 2}}},
                     {"totals", {{"line_subtotal", money(unit * i.quantity)},
                                 {"line_total", money(unit * i.quantity)},
                                 {"currency_code", "EUR"}, {"currency_minor_unit", 2}}}});
  }
  const Json shipping_rates = rates(s);
  const long long total = totalCents(s);
  return {{"items", items},
          {"coupons", Json::array()},
          {"fees", Json::array()},
          {"items_count", count},
          {"needs_payment", !items.empty()},
          {"needs_shipping", !items.empty()},
          {"has_calculated_shipping", s.has_address},
          {"shipping_address", s.shipping},
          {"billing_address", s.billing},
          {"shipping_rates", shipping_rates},
          {"totals", {{"total_items", money(item_total)},
                      {"total_shipping", money(total - item_total)},
                      {"total_tax", "0"},
                      {"total_price", money(total)},
                      {"currency_code", "EUR"},
                      {"currency_minor_unit", 2}}},
          {"errors", Json::array()},
          {"payment_methods", Json::array({"bacs", "cod"})},
          {"payment_requirements", Json::array({"products"})}};
}

}  // namespace shopwatch::agent::platforms::detail
