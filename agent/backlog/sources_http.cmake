# The blocking HTTP client (libcurl easy) and the sinks that need nothing but it: webhook, Alertmanager.
list(APPEND SHOPWATCH_BACKLOG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http_client.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/webhook_sink.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/alertmanager_sink.cpp)
