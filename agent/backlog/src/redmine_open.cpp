// Open: find this incident's Redmine issue and file the new episode on it — adopt an open one,
// reopen one closed within reopen_window (reopen_status, verified: a workflow may refuse it), or
// create a new issue, related ("relates") to the previous one.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "redmine_sink_impl.h"

namespace shopwatch::agent::backlog {
namespace {

constexpr std::size_t kSearchLimit = 20;

std::string episodeKey(const IncidentFacts& f) { return f.fingerprint + ":" + std::to_string(f.episode); }

/// Whether a closed issue is recent enough to reopen (0s: always; no window: never).
bool withinReopenWindow(const RedmineSettings& s, const redmine::RedmineIssue& issue,
                        const IncidentFacts& facts) {
  if (!s.reopen_window) return false;
  if (s.reopen_window->count() == 0) return true;
  if (!issue.closed_on) return false;
  return facts.since - *issue.closed_on <= *s.reopen_window;
}

}  // namespace

SendResult RedmineSink::Impl::open(const OutboxAction& action, const IncidentFacts& facts,
                                   const std::optional<Ticket>& ticket, bool outcome_unknown) {
  const bool recorded = ticket && !ticket->id.empty();
  if (!recorded || outcome_unknown) {
    return openBySearch(action, facts, recorded ? ticket : std::nullopt, outcome_unknown);
  }
  redmine::IssueRead read = redmine::getIssue(api, ticket->id);
  if (read.reply.status == 404) {
    spdlog::info("redmine: {} is gone (deleted, or no longer visible to the key); forgetting it for {}",
                 ticket->key, facts.fingerprint);
    return openBySearch(action, facts, std::nullopt, false);
  }
  if (!read.issue) return redmine::failureResult(read.reply, "read " + ticket->key);
  return decide(action, facts, *read.issue, ticket->episode);
}

SendResult RedmineSink::Impl::openBySearch(const OutboxAction& action, const IncidentFacts& facts,
                                           const std::optional<Ticket>& previous, bool outcome_unknown) {
  std::vector<redmine::RedmineIssue> found;
  if (auto failed = redmine::searchFingerprint(api, ids, facts.fingerprint, kSearchLimit, found)) {
    return *failed;
  }
  auto open_it = std::find_if(found.begin(), found.end(), [](const auto& i) { return !i.closed; });
  if (open_it == found.end() && outcome_unknown) {
    // An empty search right after an unanswered create: the create may still be committing.
    auto it = unanswered_creates.find(episodeKey(facts));
    if (found.empty() && it != unanswered_creates.end()) {
      const auto waited = std::chrono::duration_cast<core::Micros>(clock.steadyNow() - it->second);
      if (waited < kRedmineCreateSettle) {
        SendResult wait;
        wait.status = SendStatus::Retry;
        wait.retry_after = kRedmineCreateSettle - waited;
        wait.error = "waiting before deciding whether the unanswered create of " + facts.fingerprint +
                     " went through";
        return wait;
      }
    }
  }
  if (found.empty()) return create(action, facts, previous);
  const redmine::RedmineIssue& pick = open_it != found.end() ? *open_it : found.front();
  if (open_it != found.end()) {
    for (const auto& other : found) {
      if (!other.closed && other.id != pick.id) {
        spdlog::warn("redmine: #{} also carries {}; the newest open issue #{} is used", other.id,
                     facts.fingerprint, pick.id);
      }
    }
  }
  unanswered_creates.erase(episodeKey(facts));
  // The episode an issue was last opened for is in the trailers of its description and notes.
  redmine::IssueRead full = redmine::getIssue(api, pick.id, "journals");
  if (!full.issue) return redmine::failureResult(full.reply, "read #" + pick.id);
  return decide(action, facts, *full.issue, redmine::issueEpisode(*full.issue, facts.fingerprint));
}

SendResult RedmineSink::Impl::decide(const OutboxAction& action, const IncidentFacts& facts,
                                     const redmine::RedmineIssue& issue, std::int64_t episode) {
  SendResult same;
  same.ticket = ticketOf(issue.id, episode);
  if (!issue.closed) {
    if (episode == facts.episode) return same;  // already this episode's issue (a retried Open)
    return adopt(action, facts, issue);
  }
  if (episode == facts.episode) {
    // A human closed it while this episode was still firing: respect that within the episode.
    spdlog::info("redmine: #{} was closed while {} is still firing; not reopening it in this episode",
                 issue.id, facts.fingerprint);
    return same;
  }
  if (withinReopenWindow(settings, issue, facts)) return reopen(action, facts, issue, episode);
  return create(action, facts, ticketOf(issue.id, episode));
}

SendResult RedmineSink::Impl::adopt(const OutboxAction& action, const IncidentFacts& facts,
                                    const redmine::RedmineIssue& issue) {
  std::optional<SendResult> lookup_failed;
  const std::string priority = priorityFor(facts.severity, lookup_failed);
  if (lookup_failed) return *lookup_failed;
  nlohmann::json extra = {{"subject", redmine::issueSubject(facts, false)}};
  if (!priority.empty()) extra["priority_id"] = std::stoll(priority);
  if (auto failed = postNote(issue.id, detail::reoccurredComment(facts, action, false),
                             detail::commentTrailer(facts, action), action.attempts > 0, extra)) {
    return *failed;
  }
  SendResult out;
  out.ticket = ticketOf(issue.id, facts.episode);
  return out;
}

SendResult RedmineSink::Impl::reopen(const OutboxAction& action, const IncidentFacts& facts,
                                     const redmine::RedmineIssue& issue, std::int64_t episode) {
  redmine::Lookup status = ids.status(settings.reopen_status);
  if (!status.ok()) return status.failure;
  std::optional<SendResult> lookup_failed;
  const std::string priority = priorityFor(facts.severity, lookup_failed);
  if (lookup_failed) return *lookup_failed;
  nlohmann::json edit = {{"status_id", std::stoll(status.found->id)},
                         {"subject", redmine::issueSubject(facts, false)}};
  if (!priority.empty()) edit["priority_id"] = std::stoll(priority);
  HttpReply r = api.put("/issues/" + redmine::percentEncode(issue.id) + ".json", {{"issue", edit}});
  if (!redmine::ok(r)) {
    return redmine::failureResult(r, "set #" + issue.id + " to \"" + settings.reopen_status + "\"");
  }
  // A workflow that does not allow the status answers 204 and leaves the issue closed.
  redmine::IssueRead after = redmine::getIssue(api, issue.id);
  if (!after.issue) return redmine::failureResult(after.reply, "read #" + issue.id);
  if (after.issue->closed) {
    spdlog::warn("redmine: the workflow did not let this key reopen #{} (\"{}\" → \"{}\"); filing a new "
                 "issue related to it for {}",
                 issue.id, after.issue->status, settings.reopen_status, facts.fingerprint);
    return create(action, facts, ticketOf(issue.id, episode));
  }
  // A failure from here on leaves an open issue: the retried Open adopts it with a note.
  if (auto failed = postNote(issue.id, detail::reoccurredComment(facts, action, true),
                             detail::commentTrailer(facts, action), action.attempts > 0)) {
    return *failed;
  }
  SendResult out;
  out.ticket = ticketOf(issue.id, facts.episode);
  return out;
}

SendResult RedmineSink::Impl::create(const OutboxAction& action, const IncidentFacts& facts,
                                     const std::optional<Ticket>& previous) {
  const std::string project = projectFor(facts);
  // An improvement's issue_type is its tracker (Redmine's issue type), e.g. Feature.
  const std::string& tracker_name = facts.issue_type.empty() ? settings.tracker : facts.issue_type;
  redmine::Lookup tracker = ids.tracker(tracker_name);
  if (!tracker.ok()) return tracker.failure;
  redmine::Lookup field = ids.fingerprintField(project);
  if (!field.ok()) return field.failure;
  std::optional<SendResult> lookup_failed;
  const std::string priority = priorityFor(facts.severity, lookup_failed);
  if (lookup_failed) return *lookup_failed;

  nlohmann::json issue = {
      {"project_id", project},
      {"tracker_id", std::stoll(tracker.found->id)},
      {"subject", redmine::issueSubject(facts, false)},
      {"description", redmine::render(redmine::issueDescription(facts, action), settings.text_format)},
      {"custom_fields", nlohmann::json::array({{{"id", std::stoll(field.found->id)}, {"value", facts.fingerprint}}})}};
  if (!priority.empty()) issue["priority_id"] = std::stoll(priority);
  HttpReply r = api.post("/issues.json", {{"issue", issue}});
  if (r.status == 0 && r.sent) {
    unanswered_creates[episodeKey(facts)] = clock.steadyNow();
    SendResult unknown = redmine::failureResult(r, "create an issue in " + project);
    unknown.status = SendStatus::Retry;
    unknown.sent_without_answer = true;
    return unknown;
  }
  if (!redmine::ok(r)) return redmine::failureResult(r, "create an issue in " + project);
  unanswered_creates.erase(episodeKey(facts));

  const nlohmann::json answer = redmine::parseBody(r);
  const redmine::RedmineIssue created =
      redmine::parseIssue(answer.is_object() ? answer.value("issue", nlohmann::json::object()) : nlohmann::json{});
  if (created.id.empty()) {
    return redmine::deadResult("create an issue in " + project + ": Redmine answered HTTP " +
                               std::to_string(r.status) + " without the new issue's id");
  }
  const nlohmann::json& created_json = answer["issue"];
  if (auto t = created_json.find("tracker"); t != created_json.end() && t->is_object()) {
    const std::string got = redmine::idText(t->value("id", nlohmann::json{}));
    if (got != tracker.found->id && !warned_tracker_replaced) {
      // Redmine silently files under the project's first tracker when the asked one is not enabled.
      spdlog::warn("redmine: tracker \"{}\" is not enabled in {} (or not allowed for the key's role): "
                   "Redmine filed #{} under another tracker",
                   tracker_name, project, created.id);
      warned_tracker_replaced = true;
    }
  }
  SendResult out;
  out.ticket = ticketOf(created.id, facts.episode);
  if (previous && !previous->id.empty() && previous->id != created.id) {
    HttpReply rel = api.post("/issues/" + created.id + "/relations.json",
                             {{"relation", {{"issue_to_id", std::stoll(previous->id)},
                                            {"relation_type", "relates"}}}});
    // The new issue exists and must be recorded now; a missing relation is not worth a duplicate.
    if (!redmine::ok(rel)) {
      spdlog::warn("redmine: {}", redmine::failureResult(rel, "relate #" + created.id + " to #" +
                                                                  previous->id).error);
    }
  }
  return out;
}

}  // namespace shopwatch::agent::backlog
