# The shopify fake.
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/shopify_fake.cpp)
