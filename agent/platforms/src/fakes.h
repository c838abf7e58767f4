#pragma once
// The factories of the platform fakes (one file each; platform_registry.cpp maps names to them).

#include <memory>

#include "shopwatch/agent/platforms/platform_fake.h"

namespace shopwatch::agent::platforms::detail {

std::unique_ptr<PlatformFake> makeShopwareFake();     // shopware_fake.cpp
std::unique_ptr<PlatformFake> makeMagentoFake();      // magento_fake.cpp (REST and HTML)
std::unique_ptr<PlatformFake> makeWooCommerceFake();  // woocommerce_fake.cpp
std::unique_ptr<PlatformFake> makeVendureFake();      // vendure_fake.cpp
std::unique_ptr<PlatformFake> makeShopifyFake();      // shopify_fake.cpp
std::unique_ptr<PlatformFake> makeHtmlShopFake();     // html_shop_fake.cpp

}  // namespace shopwatch::agent::platforms::detail
