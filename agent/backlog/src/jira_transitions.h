#pragma once
/// Private: workflow transitions — listing an issue's available transitions and picking one by name,
/// else the single one into (resolve) or out of (reopen) the `done` status category
/// (research/ticketing-slo.md §2: avoids depending on localised or customised names).

#include <optional>
#include <string>
#include <vector>

#include "jira_api.h"

namespace shopwatch::agent::backlog::detail {

struct JiraTransition {
  std::string id;
  std::string name;
  std::string to_status;  ///< target status name
  bool to_done = false;   ///< target status category is `done`
};

/// GET issue/{key}/transitions: the reply and, on 2xx, the transitions.
struct TransitionsRead {
  HttpReply reply;
  std::vector<JiraTransition> transitions;
};
TransitionsRead listTransitions(JiraApi& api, const std::string& id_or_key);

/// The transition named `name` (case-insensitive), else the single one whose target is (`into_done`)
/// or is not (`!into_done`) in the done category; empty when there is no match or several candidates.
std::optional<JiraTransition> pickTransition(const std::vector<JiraTransition>& transitions,
                                             const std::string& name, bool into_done);

/// "Done (→ Done), Reopen (→ To Do)" for messages; "none" when empty.
std::string describeTransitions(const std::vector<JiraTransition>& transitions);

/// POST issue/{key}/transitions {"transition":{"id":…}}.
HttpReply applyTransition(JiraApi& api, const std::string& id_or_key, const JiraTransition& t);

}  // namespace shopwatch::agent::backlog::detail
