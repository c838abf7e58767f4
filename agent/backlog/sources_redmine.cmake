# The Redmine sink ([D2]): REST requests, texts (textile / markdown), name → id look-ups, fingerprint
# search, the Open decisions, the notes and status changes, and `backlog check` / `backlog rebuild`.
list(APPEND SHOPWATCH_BACKLOG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_api.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_text.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_lookup.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_search.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_open.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_sink.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_check.cpp)
