# The shopware fake (research A2): routes, and the sales channel's data / cart JSON / Criteria.
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/shopware_fake.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/shopware_catalogue.cpp)
