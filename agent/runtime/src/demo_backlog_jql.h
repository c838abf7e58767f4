#pragma once
/// The little JQL the demo backlog understands (what a sink sends): `project = "A"`,
/// `project in ("A","B")`, `labels = "x"`, `labels in (…)`, `key = "A-1"`, `key in (…)` joined by
/// AND, then optionally `ORDER BY created|key [ASC|DESC][, …]`. Keywords are case-insensitive;
/// values are "double" or 'single' quoted (backslash escapes) or bare words. Anything else is an
/// error worded like Jira's. Private to agent/runtime.

#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::runtime::detail {

enum class JqlField { Project, Labels, Key };

/// One `field = v` / `field in (v, …)` clause: true when the field matches any value.
struct JqlClause {
  JqlField field = JqlField::Project;
  std::vector<std::string> values;
};

struct JqlOrder {
  std::string field;  ///< "created" or "key"
  bool descending = false;
};

struct JqlQuery {
  std::vector<JqlClause> clauses;  ///< all must hold (AND)
  std::vector<JqlOrder> order;     ///< empty: by creation, newest first (Jira's default for search)
};

/// ErrorCode::Invalid with "Error in the JQL Query: … (line 1, character N)" for anything outside
/// the subset.
core::Result<JqlQuery> parseJql(std::string_view jql);

}  // namespace shopwatch::agent::runtime::detail
