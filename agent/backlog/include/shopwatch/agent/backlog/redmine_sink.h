#pragma once
/// The Redmine sink ([D2]): Redmine's REST API in JSON (tested against Redmine 5.0.4), the key sent
/// as X-Redmine-API-Key. Same lifecycle as the Jira sink, through the same outbox: Open creates one
/// issue (subject with the fingerprint, description with the evidence in the server's text format,
/// priority by severity, the fingerprint in `fingerprint_field`), or reopens the episode's issue
/// (`reopen_status` + a note, within reopen_window), or creates a new one related ("relates") to the
/// previous. Escalate / Digest / Resolve / Retire add one note each (Resolve and Retire then set
/// `closed_status`). Every note ends with the trailer `shopwatch:<fingerprint>:<episode>:<kind>:<action
/// id>`; a retried action (attempts > 0) looks for it in the journals first, so a note is
/// never added twice. Searches by fingerprint always ask for `status_id=*` (closed issues included)
/// and check the field's value in the answer (Redmine silently ignores a filter on a field that is
/// not "used as a filter"). Statuses: 2xx Done; no answer, 409, 429, 5xx Retry (Retry-After);
/// 401/403 Pause; 404 on the recorded issue → search / create; 422 Dead with Redmine's `errors`.
/// Not thread-safe: one outbox thread calls it. Never logs the key or request bodies.

#include <memory>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

class RedmineSink final : public BacklogSink {
 public:
  /// `http`: null → a client of its own. `clock`: null → the system clock; must outlive the sink.
  RedmineSink(RedmineSettings settings, std::string client, std::unique_ptr<HttpClient> http = nullptr,
              const core::Clock* clock = nullptr);
  ~RedmineSink() override;
  RedmineSink(const RedmineSink&) = delete;
  RedmineSink& operator=(const RedmineSink&) = delete;
  RedmineSink(RedmineSink&&) = delete;
  RedmineSink& operator=(RedmineSink&&) = delete;

  std::string_view name() const override { return "redmine"; }
  SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// `shopwatch backlog check` for Redmine: the key (GET /users/current.json), each configured
/// project, the tracker enabled in it, the closed and reopen statuses, the priorities, and that the
/// fingerprint field exists, is visible to the key and is filterable — each finding in plain words.
/// Creates nothing.
SinkCheckReport checkRedmine(const RedmineSettings& settings, HttpClient& http);

/// `shopwatch backlog rebuild` for Redmine: every issue of the configured projects whose fingerprint
/// field holds a shopwatch-<hash> (all statuses, all pages), newest first.
core::Result<std::vector<FoundTicket>> findRedmineTickets(const RedmineSettings& settings,
                                                          HttpClient& http);

}  // namespace shopwatch::agent::backlog
