#pragma once
/// The Jira sink (research/ticketing-slo.md §2–§5): Cloud (REST v3, ADF, POST /search/jql, basic auth
/// email + API token) and Data Center (REST v2, wiki text, POST /search, Bearer PAT). Keeps the incident →
/// issue mapping given to it (the local store is the truth; JQL label search only when that is lost or a
/// create's outcome is unknown). Transitions are picked by name, else the single one into (resolve) or
/// out of (reopen) the `done` status category.

#include <memory>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

/// Per action (send): Open finds the incident's issue (the recorded one by a strongly consistent GET;
/// else, or after a create whose answer was lost, a label search) and adopts it (comment), reopens it
/// (resolved within reopen_window, not won't-fix), respects it (won't-fix; closed by a human in this
/// episode) or creates a new one linked "Relates" to the previous. Escalate, Digest, Resolve and Retire
/// comment on the episode's issue (and set priority / summary / transition / label). Every comment ends
/// with the trailer `shopwatch:<fingerprint>:<episode>:<kind>:<action id>`; a retried action
/// (attempts > 0) looks for it among the latest comments first, so a comment is never posted twice.
/// Statuses: 2xx Done; no answer, 409, 429, 5xx Retry (Retry-After); 401/403 Pause; 400/422 Dead.
/// Not thread-safe: one outbox thread calls it. Never logs tokens or request bodies.
class JiraSink final : public BacklogSink {
 public:
  /// `http`: null → a client of its own. `clock`: measures how long ago a create went unanswered
  /// (an empty search within kCreateIndexLag = 10 s of it answers Retry instead of re-creating);
  /// null → the system clock; must outlive the sink.
  JiraSink(JiraSettings settings, std::string client, std::unique_ptr<HttpClient> http = nullptr,
           const core::Clock* clock = nullptr);
  ~JiraSink() override;
  std::string_view name() const override { return "jira"; }
  SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// `shopwatch backlog check`: credentials (GET myself), each configured project, the issue type and
/// the create screen (createmeta: labels, priority, backlog.jira.fields, required fields shopwatch
/// does not set) and, from the newest issue of each project, the resolve or reopen transition —
/// each finding in plain words. Creates nothing. Stops after a refused credential or no answer.
using JiraCheckReport = SinkCheckReport;
JiraCheckReport checkJira(const JiraSettings& settings, HttpClient& http);

/// `shopwatch backlog rebuild`: every issue carrying a `shopwatch-<hash>` label in the configured
/// projects (JQL `labels = "<first of labels>" AND project in (…)`, all pages), newest first, with the
/// `shopwatch` issue property when present. Error: the search failed (Unavailable without an answer).
core::Result<std::vector<FoundTicket>> findShopwatchTickets(const JiraSettings& settings, HttpClient& http);

}  // namespace shopwatch::agent::backlog
