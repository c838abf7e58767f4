#include "shopwatch/agent/backlog/jira_sink.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "jira_sink_impl.h"
#include "jira_transitions.h"
#include "tracker_send.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent::backlog {

JiraSink::Impl::Impl(JiraSettings s, std::string c, std::unique_ptr<HttpClient> h,
                     const core::Clock* k)
    : settings(std::move(s)),
      client(std::move(c)),
      http(h ? std::move(h) : std::make_unique<HttpClient>()),
      clock(k != nullptr ? *k : core::SystemClock::instance()),
      api(settings, *http) {}

JiraSink::JiraSink(JiraSettings settings, std::string client, std::unique_ptr<HttpClient> http,
                   const core::Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(client), std::move(http), clock)) {}

JiraSink::~JiraSink() = default;

SendResult JiraSink::send(const OutboxAction& action, const IncidentFacts& facts,
                          const std::optional<Ticket>& ticket, bool outcome_unknown) {
  return detail::trackerSend(
      impl_->api, "jira", "Jira", action, facts, ticket,
      ticket && !(ticket->id.empty() && ticket->key.empty()),
      [&] { return impl_->open(action, facts, ticket, outcome_unknown); },
      [&](const Ticket& t) {
        if (t.episode == facts.episode) return impl_->update(action, facts, t);
        // The episode's Open respected a won't-fix resolution: leave that issue alone until the next.
        spdlog::info("jira: {} of {} skipped: {} was not opened for episode {}",
                     actionKindName(action.kind), facts.fingerprint, t.key, facts.episode);
        SendResult skipped;
        skipped.error = t.key + " was not reopened for this episode (won't fix): nothing to update";
        return skipped;
      });
}

SendResult JiraSink::Impl::update(const OutboxAction& action, const IncidentFacts& facts,
                                  const Ticket& ticket) {
  const std::string ref = ticketRef(ticket);
  const bool look_first = action.attempts > 0;
  SendResult done;
  done.ticket = ticket;
  // A deleted (or hidden) issue has nothing left to update; the next Open searches again.
  auto gone = [&](SendResult failed) {
    if (failed.http_code != 404) return failed;
    spdlog::info("jira: {} no longer exists; {} for {} dropped", ticket.key,
                 actionKindName(action.kind), facts.fingerprint);
    done.error = ticket.key + " no longer exists in Jira";
    return done;
  };
  switch (action.kind) {
    case ActionKind::Escalate: {
      if (auto failed = postComment(ref, detail::escalateComment(facts, action),
                                    detail::commentTrailer(facts, action), look_first)) {
        return gone(*failed);
      }
      const std::string priority = priorityFor(facts.severity);
      if (priority.empty()) return done;
      HttpReply r = api.put(api.path("issue/" + detail::percentEncode(ref)),
                            {{"fields", {{"priority", {{"name", priority}}}}}});
      if (!detail::ok(r) && r.status != 404) {
        SendResult failed = detail::failureResult(r, "set priority of " + ticket.key);
        if (failed.status != SendStatus::Dead) return failed;  // the comment's trailer guards a retry
        spdlog::warn("jira: {}", failed.error);
      }
      return done;
    }
    case ActionKind::Digest:
      if (auto failed = postComment(ref, detail::digestComment(facts, action),
                                    detail::commentTrailer(facts, action), look_first)) {
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

SendResult JiraSink::Impl::resolve(const OutboxAction& action, const IncidentFacts& facts,
                                   const Ticket& ticket, bool retired) {
  const std::string ref = ticketRef(ticket);
  SendResult done;
  done.ticket = ticket;
  detail::IssueRead read = detail::getIssue(api, ref);
  if (read.reply.status == 404) {
    spdlog::info("jira: {} no longer exists; nothing to resolve for {}", ticket.key, facts.fingerprint);
    done.error = ticket.key + " no longer exists in Jira";
    return done;
  }
  if (!read.issue) return detail::failureResult(read.reply, "read " + ticket.key);
  const detail::JiraIssue& issue = *read.issue;
  if (auto failed = postComment(ref, detail::resolveComment(facts, action, retired),
                                detail::commentTrailer(facts, action), action.attempts > 0)) {
    return *failed;
  }
  if (issue.done) return done;  // a human closed it already: the comment is all

  // Improvements close whatever auto_resolve says: `insights.close_after` is the user's word on it.
  const bool transition = settings.auto_resolve || facts.improvement();
  nlohmann::json edit = {{"fields", {{"summary", detail::issueSummary(facts, true)}}}};
  if (!transition) edit["update"] = {{"labels", {{{"add", kRecoveredLabel}}}}};
  HttpReply r = api.put(api.path("issue/" + detail::percentEncode(ref)), edit);
  if (!detail::ok(r)) {
    SendResult failed = detail::failureResult(r, "mark " + ticket.key + " resolved");
    if (failed.status != SendStatus::Dead) return failed;
    spdlog::warn("jira: {}", failed.error);
  }
  if (!transition) return done;

  detail::TransitionsRead tr = detail::listTransitions(api, ref);
  if (!detail::ok(tr.reply)) return detail::failureResult(tr.reply, "list transitions of " + ticket.key);
  const auto pick = detail::pickTransition(tr.transitions, settings.resolve_transition, true);
  if (!pick) {
    SendResult dead;
    dead.status = SendStatus::Dead;
    dead.ticket = ticket;
    dead.error = "cannot resolve " + ticket.key + ": no transition named \"" +
                 settings.resolve_transition +
                 "\" and not exactly one transition into a done status (available: " +
                 detail::describeTransitions(tr.transitions) + ")";
    return dead;
  }
  HttpReply applied = detail::applyTransition(api, ref, *pick);
  if (!detail::ok(applied)) {
    return detail::failureResult(applied, "apply transition \"" + pick->name + "\" to " + ticket.key);
  }
  return done;
}

std::optional<SendResult> JiraSink::Impl::postComment(const std::string& ref,
                                                      const detail::TextDoc& doc,
                                                      const std::string& trailer, bool look_first) {
  const std::string path = api.path("issue/" + detail::percentEncode(ref) + "/comment");
  if (look_first || unanswered_comments.count(trailer) > 0) {
    HttpReply r = api.get(path + "?orderBy=-created&maxResults=20");
    if (!detail::ok(r)) return detail::failureResult(r, "read the comments of " + ref);
    const nlohmann::json j = detail::parseBody(r);
    if (j.is_object() && j.contains("comments") && j["comments"].is_array()) {
      for (const auto& c : j["comments"]) {
        if (c.is_object() && c.contains("body") && c["body"].dump().find(trailer) != std::string::npos) {
          unanswered_comments.erase(trailer);
          return std::nullopt;  // posted by an earlier attempt whose answer was lost
        }
      }
    }
  }
  HttpReply r = api.post(path, {{"body", detail::renderBody(doc, api.cloud())}});
  if (detail::ok(r)) {
    unanswered_comments.erase(trailer);
    return std::nullopt;
  }
  if (r.status == 0 && r.sent) unanswered_comments.insert(trailer);
  return detail::failureResult(r, "comment on " + ref);
}

std::string JiraSink::Impl::priorityFor(const std::string& severity) const {
  const auto s = rules::parseSeverity(severity);
  if (!s) return {};
  auto it = settings.priority.find(*s);
  return it == settings.priority.end() ? std::string{} : it->second;
}

Ticket JiraSink::Impl::ticketOf(const detail::JiraIssue& issue, std::int64_t episode) const {
  Ticket t;
  t.key = issue.key;
  t.id = issue.id;
  t.url = api.browseUrl(issue.key);
  t.episode = episode;
  return t;
}

nlohmann::json JiraSink::Impl::propertyValue(const IncidentFacts& facts) const {
  return {{"fingerprint", facts.fingerprint},
          {"episode", facts.episode},
          {"client", client},
          {"rule", facts.rule}};
}

}  // namespace shopwatch::agent::backlog
