# The magento fake: guest-cart REST (magento_fake.cpp) and the Luma storefront (magento_storefront.cpp).
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/magento_fake.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/magento_storefront.cpp)
