# The backlog sink contract ([D2]): one suite of scenarios through the real outbox (store, planner,
# worker on a FakeClock, the real sink) that the fake Jira (both flavors) and the real Redmine pass.
set(SHOPWATCH_CONTRACT_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/sink_contract_support.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/sink_contract_scenarios.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/sink_contract_kill.cpp)
shopwatch_add_test(backlog_contract_jira_tests
  SOURCES ${SHOPWATCH_CONTRACT_SOURCES} ${CMAKE_CURRENT_SOURCE_DIR}/sink_contract_jira.cpp
  LIBS shopwatch::agent_backlog shopwatch::agent_runtime shopwatch::agent_persistence
       shopwatch::storage shopwatch_test_tools CURL::libcurl)
# The same scenarios against the real Redmine of the `redmine` fixture, one at a time (429 through a
# loopback proxy in front of it: Redmine never rate-limits).
shopwatch_add_test(backlog_contract_redmine_tests
  SOURCES ${SHOPWATCH_CONTRACT_SOURCES} ${CMAKE_CURRENT_SOURCE_DIR}/sink_contract_redmine.cpp
  LIBS shopwatch::agent_backlog shopwatch::agent_persistence shopwatch::agent_http
       shopwatch::storage shopwatch_test_tools shopwatch_redmine_support CURL::libcurl
       nlohmann_json::nlohmann_json
  PROPERTIES FIXTURES_REQUIRED redmine RESOURCE_LOCK redmine LABELS redmine)
