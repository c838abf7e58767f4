# The Jira sink (Cloud and Data Center) against the DemoBacklog fake Jira over real HTTP, and
# `backlog check` / `backlog rebuild`. The text tests reach the sink's private jira_text.h.
shopwatch_add_test(backlog_jira_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/jira_sink_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/jira_sink_faults_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/jira_sink_check_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/jira_sink_duplicates_test.cpp
  LIBS shopwatch::agent_backlog shopwatch::agent_runtime shopwatch_test_support CURL::libcurl
       nlohmann_json::nlohmann_json)
target_include_directories(backlog_jira_tests PRIVATE ${PROJECT_SOURCE_DIR}/agent/backlog/src)
