// RedmineSink: send() and the updates of a filed incident — escalate (note + priority), digest
// (note), resolve and retire (note, then closed_status, verified) — and the note guard: a retried
// note is looked up by its trailer in the issue's journals before it is added again.
#include "shopwatch/agent/backlog/redmine_sink.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "redmine_sink_impl.h"
#include "tracker_send.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent::backlog {
namespace {

/// The issue id of a recorded ticket ("42"; a key "#42" works too).
std::string issueId(const Ticket& t) {
  if (!t.id.empty()) return t.id;
  return t.key.starts_with("#") ? t.key.substr(1) : t.key;
}

}  // namespace

RedmineSink::Impl::Impl(RedmineSettings s, std::string c, std::unique_ptr<HttpClient> h,
                        const core::Clock* k)
    : settings(std::move(s)),
      client(std::move(c)),
      http(h ? std::move(h) : std::make_unique<HttpClient>()),
      clock(k != nullptr ? *k : core::SystemClock::instance()),
      api(settings, *http),
      ids(api) {}

RedmineSink::RedmineSink(RedmineSettings settings, std::string client, std::unique_ptr<HttpClient> http,
                         const core::Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(client), std::move(http), clock)) {}

RedmineSink::~RedmineSink() = default;

SendResult RedmineSink::send(const OutboxAction& action, const IncidentFacts& facts,
                             const std::optional<Ticket>& ticket, bool outcome_unknown) {
  return detail::trackerSend(
      impl_->api, "redmine", "Redmine", action, facts, ticket, ticket && !issueId(*ticket).empty(),
      [&] { return impl_->open(action, facts, ticket, outcome_unknown); },
      [&](const Ticket& t) { return impl_->update(action, facts, t); });
}

SendResult RedmineSink::Impl::update(const OutboxAction& action, const IncidentFacts& facts,
                                     const Ticket& ticket) {
  const std::string id = issueId(ticket);
  const bool look_first = action.attempts > 0;
  SendResult done;
  done.ticket = ticket;
  // A deleted (or hidden) issue has nothing left to update; the next Open searches again.
  auto gone = [&](SendResult failed) {
    if (failed.http_code != 404) return failed;
    spdlog::info("redmine: {} no longer exists; {} for {} dropped", ticket.key,
                 actionKindName(action.kind), facts.fingerprint);
    done.error = ticket.key + " no longer exists in Redmine";
    return done;
  };
  const std::string trailer = detail::commentTrailer(facts, action);
  switch (action.kind) {
    case ActionKind::Escalate: {
      std::optional<SendResult> lookup_failed;
      const std::string priority = priorityFor(facts.severity, lookup_failed);
      if (lookup_failed) return *lookup_failed;
      nlohmann::json extra = nlohmann::json::object();
      if (!priority.empty()) extra["priority_id"] = std::stoll(priority);
      // One request: the note and the priority land together, so the trailer guards both.
      if (auto failed = postNote(id, detail::escalateComment(facts, action), trailer, look_first, extra)) {
        return gone(*failed);
      }
      return done;
    }
    case ActionKind::Digest:
      if (auto failed = postNote(id, detail::digestComment(facts, action), trailer, look_first)) {
        return gone(*failed);
      }
      return done;
    case ActionKind::Resolve:
      return resolve(action, facts, ticket, false);
    case ActionKind::Retire:
      return resolve(action, facts, ticket, true);
    case ActionKind::Open:
      break;
  }
  return done;
}

SendResult RedmineSink::Impl::resolve(const OutboxAction& action, const IncidentFacts& facts,
                                      const Ticket& ticket, bool retired) {
  const std::string id = issueId(ticket);
  SendResult done;
  done.ticket = ticket;
  redmine::IssueRead read = redmine::getIssue(api, id);
  if (read.reply.status == 404) {
    spdlog::info("redmine: {} no longer exists; nothing to close for {}", ticket.key, facts.fingerprint);
    done.error = ticket.key + " no longer exists in Redmine";
    return done;
  }
  if (!read.issue) return redmine::failureResult(read.reply, "read " + ticket.key);
  redmine::Lookup closed = ids.status(settings.closed_status);
  if (!closed.ok()) return closed.failure;
  if (auto failed = postNote(id, detail::resolveComment(facts, action, retired),
                             detail::commentTrailer(facts, action), action.attempts > 0)) {
    return *failed;
  }
  if (read.issue->closed) return done;  // a human closed it already: the note is all

  HttpReply r = api.put("/issues/" + redmine::percentEncode(id) + ".json",
                        {{"issue", {{"status_id", std::stoll(closed.found->id)},
                                    {"subject", redmine::issueSubject(facts, true)}}}});
  if (!redmine::ok(r)) {
    SendResult failed = redmine::failureResult(r, "set " + ticket.key + " to \"" + settings.closed_status + "\"");
    if (failed.status != SendStatus::Dead) return failed;  // the note's trailer guards the retry
    spdlog::warn("redmine: {}", failed.error);
    return done;
  }
  // A workflow that does not allow the status answers 204 and leaves it: look.
  redmine::IssueRead after = redmine::getIssue(api, id);
  if (after.issue && after.issue->status_id != closed.found->id) {
    if (!warned_close_refused) {
      spdlog::warn("redmine: the workflow did not let this key set {} to \"{}\" (it stays \"{}\"); the "
                   "resolve note is there, a human closes it (allow the transition for the key's "
                   "role to let shopwatch close issues)",
                   ticket.key, settings.closed_status, after.issue->status);
      warned_close_refused = true;
    }
    done.error = ticket.key + " stays \"" + after.issue->status + "\": the workflow refused \"" +
                 settings.closed_status + "\"";
  }
  return done;
}

std::optional<SendResult> RedmineSink::Impl::postNote(const std::string& id, const redmine::TextDoc& doc,
                                                      const std::string& trailer, bool look_first,
                                                      nlohmann::json extra) {
  if (look_first || unanswered_notes.count(trailer) > 0) {
    redmine::IssueRead read = redmine::getIssue(api, id, "journals");
    if (!read.issue) return redmine::failureResult(read.reply, "read the notes of #" + id);
    for (const auto& note : read.issue->notes) {
      if (note.find(trailer) != std::string::npos) {
        unanswered_notes.erase(trailer);
        return std::nullopt;  // added by an earlier attempt whose answer was lost
      }
    }
  }
  extra["notes"] = redmine::render(doc, settings.text_format);
  HttpReply r = api.put("/issues/" + redmine::percentEncode(id) + ".json", {{"issue", extra}});
  if (redmine::ok(r)) {
    unanswered_notes.erase(trailer);
    return std::nullopt;
  }
  if (r.status == 0 && r.sent) unanswered_notes.insert(trailer);
  return redmine::failureResult(r, "add a note to #" + id);
}

std::string RedmineSink::Impl::priorityFor(const std::string& severity, std::optional<SendResult>& failure) {
  const auto s = rules::parseSeverity(severity);
  if (!s) return {};
  auto it = settings.priority.find(*s);
  if (it == settings.priority.end() || it->second.empty()) return {};
  redmine::Lookup p = ids.priority(it->second);
  if (!p.ok()) {
    failure = p.failure;
    return {};
  }
  return p.found->id;
}

Ticket RedmineSink::Impl::ticketOf(const std::string& id, std::int64_t episode) const {
  Ticket t;
  t.key = "#" + id;
  t.id = id;
  t.url = api.issueUrl(id);
  t.episode = episode;
  return t;
}

}  // namespace shopwatch::agent::backlog
