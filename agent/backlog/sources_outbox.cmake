# Incidents, the outbox and its worker, backlog metrics, and the tracker-neutral ticket texts.
list(APPEND SHOPWATCH_BACKLOG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/incident.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/incident_facts_json.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/outbox.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/incident_store.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/outbox_jobs.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/ticket_text.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/json_rest.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/incident_planner.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/outbox_worker.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/backlog_metrics.cpp)
