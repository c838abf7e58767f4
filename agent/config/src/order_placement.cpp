#include "order_placement.h"

#include <array>

#include "shopwatch/core/text.h"

namespace shopwatch::agent::detail {
namespace {

// Magento (GraphQL placeOrder, REST payment-information), Vendure (addPaymentToOrder), Shopware
// (store-api/checkout/order, storefront /checkout/confirm then /checkout/order), WooCommerce
// (Store API checkout), Saleor and generic names (checkoutComplete, completeOrder).
constexpr std::array<std::string_view, 9> kMarkers = {
    "placeOrder",        "addPaymentToOrder",     "completeOrder",
    "checkoutComplete",  "/checkout/order",       "payment-information",
    "/checkout/confirm", "/wc/store/v1/checkout", "/wc/store/checkout",
};

}  // namespace

std::span<const std::string_view> orderPlacementMarkers() { return kMarkers; }

std::optional<std::string_view> orderPlacementMarker(std::string_view text) {
  const std::string haystack = core::asciiLower(text);
  for (std::string_view marker : kMarkers) {
    if (haystack.find(core::asciiLower(marker)) != std::string::npos) return marker;
  }
  return std::nullopt;
}

}  // namespace shopwatch::agent::detail
