# The backlog's HTTP client and the webhook and Alertmanager sinks, against FakeHttpServer and a real
# prometheus-alertmanager started on loopback.
shopwatch_add_test(backlog_http_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/http_client_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/webhook_sink_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/alertmanager_sink_test.cpp
  LIBS shopwatch::agent_backlog shopwatch_test_support CURL::libcurl OpenSSL::Crypto
       nlohmann_json::nlohmann_json)
