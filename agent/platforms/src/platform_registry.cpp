// The platform catalogue: names, default demo ports and recipe files, and the fakes' factories.
#include <array>

#include "fakes.h"

namespace shopwatch::agent::platforms {
namespace {

constexpr std::array<PlatformInfo, 6> kCatalogue = {{
    {"shopware", "Shopware 6 Store API", 9841, "shopware.yaml"},
    {"magento", "Magento 2 (guest-cart REST, Luma HTML form)", 9842,
     "magento.yaml, magento-html.yaml"},
    {"woocommerce", "WooCommerce Store API", 9843,
     "woocommerce.yaml, woocommerce-nonce.yaml"},
    {"vendure", "Vendure shop-api (GraphQL)", 9844, "vendure.yaml, vendure-cookie.yaml"},
    {"shopify", "Shopify Online Store (theme Ajax API)", 9845, "shopify.yaml"},
    {"html", "Classic HTML shop with a CSRF form", 9846, "html.yaml"},
}};

}  // namespace

std::span<const PlatformInfo> platformCatalogue() { return kCatalogue; }

const PlatformInfo* findPlatform(std::string_view name) {
  for (const auto& p : kCatalogue) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string platformNames() {
  std::string out;
  for (const auto& p : kCatalogue) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

std::unique_ptr<PlatformFake> makePlatformFake(std::string_view platform) {
  if (platform == "shopware") return detail::makeShopwareFake();
  if (platform == "magento") return detail::makeMagentoFake();
  if (platform == "woocommerce") return detail::makeWooCommerceFake();
  if (platform == "vendure") return detail::makeVendureFake();
  if (platform == "shopify") return detail::makeShopifyFake();
  if (platform == "html") return detail::makeHtmlShopFake();
  return nullptr;
}

}  // namespace shopwatch::agent::platforms
