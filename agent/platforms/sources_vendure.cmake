# The vendure fake: the HTTP side and sessions, the GraphQL reader, the shop's resolvers.
list(APPEND SHOPWATCH_PLATFORM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/vendure_fake.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/vendure_graphql.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/vendure_shop.cpp)
