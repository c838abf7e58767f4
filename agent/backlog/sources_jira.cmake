# The Jira sink (Cloud and Data Center): request layer, texts (ADF / wiki), search, transitions, the
# Open decisions, the updates, and `backlog check` / `backlog rebuild`.
list(APPEND SHOPWATCH_BACKLOG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_api.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_text.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_search.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_transitions.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_open.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_sink.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/jira_check.cpp)
