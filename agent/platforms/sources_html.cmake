# The html fake: a classic server-rendered shop with per-form CSRF tokens (html_shop_fake.cpp).
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/html_shop_fake.cpp)
