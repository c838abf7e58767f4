#pragma once
/// Private: JiraSink's state and steps. Open (create, adopt, reopen) lives in jira_open.cpp; the
/// updates of a firing or resolving incident (escalate, digest, resolve, retire) and the comment guard
/// in jira_sink.cpp.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "jira_api.h"
#include "jira_search.h"
#include "jira_text.h"
#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

struct JiraSink::Impl {
  Impl(JiraSettings s, std::string c, std::unique_ptr<HttpClient> h, const core::Clock* k);

  JiraSettings settings;
  std::string client;
  std::unique_ptr<HttpClient> http;
  const core::Clock& clock;
  detail::JiraApi api;
  /// Creates sent without an answer, by fingerprint:episode → when (an empty label search before
  /// kCreateIndexLag has passed proves nothing: Jira's index lags).
  std::map<std::string, core::SteadyTime> unanswered_creates;
  /// Trailers of comments sent without an answer: look before posting them again.
  std::set<std::string> unanswered_comments;

  SendResult open(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown);
  SendResult update(const OutboxAction& action, const IncidentFacts& facts, const Ticket& ticket);

  // --- Open's steps (jira_open.cpp) ---
  /// The label search, then adopt / reopen / create; `previous` is linked from a new issue.
  SendResult openBySearch(const OutboxAction& action, const IncidentFacts& facts,
                          const std::optional<Ticket>& previous, bool outcome_unknown);
  /// What to do with a known issue of this incident; `episode` is the one it was last opened for.
  SendResult decide(const OutboxAction& action, const IncidentFacts& facts,
                    const detail::JiraIssue& issue, std::int64_t episode);
  SendResult adopt(const OutboxAction& action, const IncidentFacts& facts,
                   const detail::JiraIssue& issue);
  SendResult reopen(const OutboxAction& action, const IncidentFacts& facts,
                    const detail::JiraIssue& issue);
  SendResult create(const OutboxAction& action, const IncidentFacts& facts,
                    const std::optional<Ticket>& previous);
  /// After adopt/reopen: `[FIRING]` summary, priority, drop `shopwatch-recovered`, and the `shopwatch`
  /// property's episode. Best effort (logged).
  void refreshFiring(const IncidentFacts& facts, const std::string& ref);
  /// Several open issues carry the fingerprint (a human cloned one, or a create raced an index
  /// lag): `kept` (the newest) is used; each other open one gets kDuplicateLabel and one comment
  /// naming `kept`, once. Best effort (logged).
  void markDuplicates(const IncidentFacts& facts, const std::vector<detail::JiraIssue>& found,
                      const detail::JiraIssue& kept);

  // --- Update steps (jira_sink.cpp) ---
  SendResult resolve(const OutboxAction& action, const IncidentFacts& facts, const Ticket& ticket,
                     bool retired);
  /// Posts `doc` (ending with `trailer`) unless, when `look_first` or an earlier attempt of it got no
  /// answer, the issue's latest comments already hold the trailer. Empty on success.
  std::optional<SendResult> postComment(const std::string& ref, const detail::TextDoc& doc,
                                        const std::string& trailer, bool look_first);

  /// Priority name for a severity text ("" when not configured).
  std::string priorityFor(const std::string& severity) const;
  std::string projectFor(const IncidentFacts& facts) const { return settings.projectFor(facts.env); }
  Ticket ticketOf(const detail::JiraIssue& issue, std::int64_t episode) const;
  /// The `shopwatch` issue property value.
  nlohmann::json propertyValue(const IncidentFacts& facts) const;
};

/// How long after a create that got no answer an empty label search is trusted (Jira's index lag).
inline constexpr core::Micros kCreateIndexLag = std::chrono::seconds{10};
/// The label added when a recovered incident is left for a human to close (auto_resolve: false).
inline constexpr const char* kRecoveredLabel = "shopwatch-recovered";
/// The label of an open issue that carries an incident's fingerprint but is not the one in use.
inline constexpr const char* kDuplicateLabel = "shopwatch-duplicate";

/// id when known (stable across moves), else the key.
inline std::string ticketRef(const Ticket& t) { return t.id.empty() ? t.key : t.id; }

}  // namespace shopwatch::agent::backlog
