# Incidents, the outbox worker and backlog metrics: a real store in a temp dir, hand-built alert
# transitions, a scripted fake sink, a fake clock.
shopwatch_add_test(backlog_outbox_tests
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/incident_planner_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/outbox_worker_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/outbox_pause_test.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/backlog_metrics_test.cpp
  LIBS shopwatch::agent_backlog shopwatch::agent_persistence shopwatch::storage shopwatch_test_tools)
# retry_backoff.h (the pure retry-delay function) is private to the library: reached from here only.
target_include_directories(backlog_outbox_tests PRIVATE ${PROJECT_SOURCE_DIR}/agent/backlog/src)
