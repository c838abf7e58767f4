# The demo backlog (agent/runtime's fake Jira): real HTTP against a running DemoBacklog, both flavors.
shopwatch_add_test(backlog_demo_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/demo_backlog_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/demo_backlog_faults_test.cpp
  LIBS shopwatch::agent_runtime shopwatch::agent_config CURL::libcurl nlohmann_json::nlohmann_json)
