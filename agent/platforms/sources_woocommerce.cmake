# The woocommerce fake (research A4): routes and sessions, and the cart JSON.
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/woocommerce_fake.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/woocommerce_cart.cpp)
