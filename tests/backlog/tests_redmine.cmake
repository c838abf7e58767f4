# The Redmine sink ([D2]) against the REAL Redmine of the `redmine` fixture (tests/redmine/), one
# test at a time: lifecycle, faults, `backlog check` / `backlog rebuild`.
shopwatch_add_test(backlog_redmine_tests
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/redmine_sink_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/redmine_check_test.cpp
  LIBS shopwatch::agent_backlog shopwatch_redmine_support shopwatch_test_tools CURL::libcurl
       nlohmann_json::nlohmann_json
  PROPERTIES FIXTURES_REQUIRED redmine RESOURCE_LOCK redmine LABELS redmine)
