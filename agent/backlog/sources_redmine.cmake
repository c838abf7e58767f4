# The Redmine sink ([D2]): REST requests, texts (textile / markdown), fingerprint search, the Open
# decisions, the notes and status changes, and `backlog check` / `backlog rebuild`.
list(APPEND SHOPWATCH_BACKLOG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/redmine_sink.cpp)
