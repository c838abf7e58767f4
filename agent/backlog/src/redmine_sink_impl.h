#pragma once
/// Private: RedmineSink's state and steps. Open (adopt, reopen, create) lives in redmine_open.cpp;
/// the updates of a firing or resolving incident (escalate, digest, resolve, retire) and the note
/// guard in redmine_sink.cpp.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "redmine_api.h"
#include "redmine_lookup.h"
#include "redmine_search.h"
#include "redmine_text.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

struct RedmineSink::Impl {
  Impl(RedmineSettings s, std::string c, std::unique_ptr<HttpClient> h, const core::Clock* k);

  RedmineSettings settings;
  std::string client;
  std::unique_ptr<HttpClient> http;
  const core::Clock& clock;
  redmine::RedmineApi api;
  redmine::RedmineIds ids;
  /// Creates sent without an answer, by fingerprint:episode → when (an empty search right after
  /// one may precede the server's commit of it).
  std::map<std::string, core::SteadyTime> unanswered_creates;
  /// Trailers of notes sent without an answer: look before posting them again.
  std::set<std::string> unanswered_notes;
  /// Warned once per sink: the workflow did not apply closed_status / the tracker was replaced.
  bool warned_close_refused = false;
  bool warned_tracker_replaced = false;

  SendResult open(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown);
  SendResult update(const OutboxAction& action, const IncidentFacts& facts, const Ticket& ticket);

  // --- Open's steps (redmine_open.cpp) ---
  SendResult openBySearch(const OutboxAction& action, const IncidentFacts& facts,
                          const std::optional<Ticket>& previous, bool outcome_unknown);
  SendResult decide(const OutboxAction& action, const IncidentFacts& facts,
                    const redmine::RedmineIssue& issue, std::int64_t episode);
  SendResult adopt(const OutboxAction& action, const IncidentFacts& facts,
                   const redmine::RedmineIssue& issue);
  /// reopen_status, verified; a workflow that refuses it gets a new related issue instead.
  SendResult reopen(const OutboxAction& action, const IncidentFacts& facts,
                    const redmine::RedmineIssue& issue, std::int64_t episode);
  SendResult create(const OutboxAction& action, const IncidentFacts& facts,
                    const std::optional<Ticket>& previous);

  // --- Update steps (redmine_sink.cpp) ---
  SendResult resolve(const OutboxAction& action, const IncidentFacts& facts, const Ticket& ticket,
                     bool retired);
  /// PUTs `doc` as a note (with `extra` issue attributes in the same request) unless, when
  /// `look_first` or an earlier attempt of it got no answer, a journal already holds `trailer`.
  /// Empty on success.
  std::optional<SendResult> postNote(const std::string& id, const redmine::TextDoc& doc,
                                     const std::string& trailer, bool look_first,
                                     nlohmann::json extra = nlohmann::json::object());

  /// The priority id for a severity text ("" when not configured); a failed look-up in `failure`.
  std::string priorityFor(const std::string& severity, std::optional<SendResult>& failure);
  std::string projectFor(const IncidentFacts& facts) const { return settings.projectFor(facts.env); }
  Ticket ticketOf(const std::string& id, std::int64_t episode) const;
};

/// How long after a create that got no answer an empty fingerprint search is not trusted: the
/// request may still be in the server's hands.
inline constexpr core::Micros kRedmineCreateSettle = std::chrono::seconds{10};

}  // namespace shopwatch::agent::backlog
