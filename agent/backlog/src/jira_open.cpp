// Open: find this incident's issue and file the new episode on it — adopt an open one, reopen a
// recently resolved one, or create a new issue (linked to the previous) — research/ticketing-slo.md §3.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "jira_sink_impl.h"
#include "jira_transitions.h"

namespace shopwatch::agent::backlog {
namespace {

constexpr std::size_t kSearchLimit = 20;

std::string episodeKey(const IncidentFacts& f) {
  return f.fingerprint + ":" + std::to_string(f.episode);
}

/// Whether a resolved issue is recent enough to reopen (0s: always; no window: never).
bool withinReopenWindow(const JiraSettings& s, const detail::JiraIssue& issue,
                        const IncidentFacts& facts) {
  if (!s.reopen_window) return false;
  if (s.reopen_window->count() == 0) return true;
  if (!issue.resolved_at) return false;
  return facts.since - *issue.resolved_at <= *s.reopen_window;
}

/// The fields Jira refused as not on the screen ("Field 'x' cannot be set. It is not on the
/// appropriate screen, or unknown.").
std::vector<std::string> offScreenFields(const HttpReply& r) {
  std::vector<std::string> out;
  if (r.status != 400) return out;
  const nlohmann::json j = detail::parseBody(r);
  if (!j.is_object() || !j.contains("errors") || !j["errors"].is_object()) return out;
  for (const auto& [field, msg] : j["errors"].items()) {
    const std::string text = msg.is_string() ? msg.get<std::string>() : msg.dump();
    if (text.find("appropriate screen") != std::string::npos ||
        text.find("cannot be set") != std::string::npos) {
      out.push_back(field);
    }
  }
  return out;
}

}  // namespace

SendResult JiraSink::Impl::open(const OutboxAction& action, const IncidentFacts& facts,
                                const std::optional<Ticket>& ticket, bool outcome_unknown) {
  const bool recorded = ticket && (!ticket->id.empty() || !ticket->key.empty());
  if (!recorded || outcome_unknown) {
    return openBySearch(action, facts, recorded ? ticket : std::nullopt, outcome_unknown);
  }
  detail::IssueRead read = detail::getIssue(api, ticketRef(*ticket));
  if (read.reply.status == 404) {
    spdlog::info("jira: {} is gone (deleted or hidden); forgetting it for {}", ticket->key,
                 facts.fingerprint);
    return openBySearch(action, facts, std::nullopt, false);
  }
  if (!read.issue) return detail::failureResult(read.reply, "read " + ticket->key);
  return decide(action, facts, *read.issue, ticket->episode);
}

SendResult JiraSink::Impl::openBySearch(const OutboxAction& action, const IncidentFacts& facts,
                                        const std::optional<Ticket>& previous,
                                        bool outcome_unknown) {
  std::vector<detail::JiraIssue> found;
  HttpReply failure;
  if (!detail::searchIssues(api, detail::fingerprintJql(settings, facts.fingerprint), kSearchLimit,
                            found, failure)) {
    return detail::failureResult(failure, "search Jira for " + facts.fingerprint);
  }
  // Newest first (the JQL orders by created DESC; sort again in case a server ignores it).
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.created.value_or(core::SystemTime{}) > b.created.value_or(core::SystemTime{});
  });
  auto open_it = std::find_if(found.begin(), found.end(), [](const auto& i) { return !i.done; });
  if (open_it != found.end()) {
    markDuplicates(facts, found, *open_it);
    unanswered_creates.erase(episodeKey(facts));
    return decide(action, facts, *open_it, open_it->property_episode);
  }
  if (outcome_unknown) {
    // An empty search right after a create proves nothing: Jira's index lags behind writes.
    auto it = unanswered_creates.find(episodeKey(facts));
    if (it != unanswered_creates.end()) {
      const auto waited = std::chrono::duration_cast<core::Micros>(clock.steadyNow() - it->second);
      if (waited < kCreateIndexLag) {
        SendResult wait;
        wait.status = SendStatus::Retry;
        wait.retry_after = kCreateIndexLag - waited;
        wait.error = "waiting for Jira's search index before deciding whether the unanswered create "
                     "of " + facts.fingerprint + " went through";
        return wait;
      }
    }
  }
  if (!found.empty()) return decide(action, facts, found.front(), found.front().property_episode);
  return create(action, facts, previous);
}

SendResult JiraSink::Impl::decide(const OutboxAction& action, const IncidentFacts& facts,
                                  const detail::JiraIssue& issue, std::int64_t episode) {
  SendResult same;
  same.ticket = ticketOf(issue, episode);
  if (!issue.done) {
    if (episode == facts.episode) return same;  // already this episode's issue (a retried Open)
    return adopt(action, facts, issue);
  }
  if (episode == facts.episode) {
    // A human closed it while this episode was still firing: respect that within the episode.
    spdlog::info("jira: {} was closed while {} is still firing; not reopening it in this episode",
                 issue.key, facts.fingerprint);
    return same;
  }
  if (withinReopenWindow(settings, issue, facts)) {
    if (!settings.wont_fix_resolution.empty() && issue.resolution == settings.wont_fix_resolution) {
      spdlog::info("jira: {} is resolved \"{}\"; respecting it: no reopen, no new issue for {}",
                   issue.key, issue.resolution, facts.fingerprint);
      same.error = issue.key + " is resolved \"" + issue.resolution + "\": not filed again";
      return same;
    }
    return reopen(action, facts, issue);
  }
  return create(action, facts, ticketOf(issue, episode));
}

SendResult JiraSink::Impl::adopt(const OutboxAction& action, const IncidentFacts& facts,
                                 const detail::JiraIssue& issue) {
  const std::string ref = issue.id.empty() ? issue.key : issue.id;
  if (auto failed = postComment(ref, detail::reoccurredComment(facts, action, false),
                                detail::commentTrailer(facts, action), action.attempts > 0)) {
    return *failed;
  }
  refreshFiring(facts, ref);
  SendResult out;
  out.ticket = ticketOf(issue, facts.episode);
  return out;
}

SendResult JiraSink::Impl::reopen(const OutboxAction& action, const IncidentFacts& facts,
                                  const detail::JiraIssue& issue) {
  const std::string ref = issue.id.empty() ? issue.key : issue.id;
  detail::TransitionsRead tr = detail::listTransitions(api, ref);
  if (!detail::ok(tr.reply)) return detail::failureResult(tr.reply, "list transitions of " + issue.key);
  const auto pick = detail::pickTransition(tr.transitions, settings.reopen_transition, false);
  if (!pick) {
    SendResult dead;
    dead.status = SendStatus::Dead;
    dead.error = "cannot reopen " + issue.key + ": no transition named \"" +
                 settings.reopen_transition +
                 "\" and not exactly one transition out of the done status (available: " +
                 detail::describeTransitions(tr.transitions) + ")";
    return dead;
  }
  HttpReply applied = detail::applyTransition(api, ref, *pick);
  if (!detail::ok(applied)) {
    return detail::failureResult(applied, "apply transition \"" + pick->name + "\" to " + issue.key);
  }
  // A failure from here on leaves an open issue: the retried Open adopts it with a comment.
  if (auto failed = postComment(ref, detail::reoccurredComment(facts, action, true),
                                detail::commentTrailer(facts, action), action.attempts > 0)) {
    return *failed;
  }
  refreshFiring(facts, ref);
  SendResult out;
  out.ticket = ticketOf(issue, facts.episode);
  return out;
}

SendResult JiraSink::Impl::create(const OutboxAction& /*action*/, const IncidentFacts& facts,
                                  const std::optional<Ticket>& previous) {
  const std::string project = projectFor(facts);
  const std::string& issue_type = facts.issue_type.empty() ? settings.issue_type : facts.issue_type;
  std::vector<std::string> labels;
  auto add_label = [&labels](const std::string& l) {
    if (!l.empty() && std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  };
  for (const auto& l : settings.labels) add_label(l);
  add_label(facts.fingerprint);
  add_label("shop-" + facts.shop);

  nlohmann::json minimal = {{"project", {{"key", project}}},
                            {"issuetype", {{"name", issue_type}}},
                            {"summary", detail::issueSummary(facts, false)},
                            {"description", detail::renderBody(detail::issueDescription(facts),
                                                               api.cloud())},
                            {"labels", labels}};
  nlohmann::json fields = minimal;
  if (const std::string priority = priorityFor(facts.severity); !priority.empty()) {
    fields["priority"] = {{"name", priority}};
  }
  const nlohmann::json extra = nlohmann::json::parse(settings.fields_json, nullptr, false);
  if (extra.is_object()) {
    for (const auto& [name, value] : extra.items()) {
      if (!fields.contains(name)) fields[name] = value;  // ours win: shopwatch relies on them
    }
  }
  const nlohmann::json properties = nlohmann::json::array(
      {{{"key", "shopwatch"}, {"value", propertyValue(facts)}}});

  auto post = [&](const nlohmann::json& f) {
    return api.post(api.path("issue"), {{"fields", f}, {"properties", properties}});
  };
  HttpReply r = post(fields);
  if (const auto refused = offScreenFields(r); !refused.empty()) {
    if (std::find(refused.begin(), refused.end(), "labels") != refused.end()) {
      SendResult dead = detail::failureResult(r, "create issue in " + project);
      dead.status = SendStatus::Dead;
      dead.error = "cannot file incidents in " + project + ": the Labels field is not on the create " +
                   "screen of issue type \"" + issue_type +
                   "\", and shopwatch needs its labels to find its issues again (add Labels to "
                   "that screen)";
      return dead;
    }
    std::vector<std::string> dropped;
    for (const auto& [name, value] : fields.items()) {
      if (!minimal.contains(name)) dropped.push_back(name);
    }
    std::string list;
    for (const auto& d : dropped) list += (list.empty() ? "" : ", ") + d;
    spdlog::warn("jira: {} refused fields not on its create screen; filing {} without: {}", project,
                 facts.fingerprint, list);
    r = post(minimal);
  }
  if (r.status == 0 && r.sent) {
    unanswered_creates[episodeKey(facts)] = clock.steadyNow();
    SendResult unknown = detail::failureResult(r, "create issue in " + project);
    unknown.status = SendStatus::Retry;
    unknown.sent_without_answer = true;
    return unknown;
  }
  if (!detail::ok(r)) return detail::failureResult(r, "create issue in " + project);
  unanswered_creates.erase(episodeKey(facts));

  const nlohmann::json answer = detail::parseBody(r);
  detail::JiraIssue created;
  created.id = answer.is_object() ? answer.value("id", std::string{}) : std::string{};
  created.key = answer.is_object() ? answer.value("key", std::string{}) : std::string{};
  SendResult out;
  out.ticket = ticketOf(created, facts.episode);
  if (previous && !previous->key.empty() && previous->key != created.key) {
    HttpReply link = api.post(api.path("issueLink"),
                              {{"type", {{"name", "Relates"}}},
                               {"inwardIssue", {{"key", created.key}}},
                               {"outwardIssue", {{"key", previous->key}}}});
    // The new issue exists and must be recorded now; a missing link is not worth a duplicate.
    if (!detail::ok(link)) {
      spdlog::warn("jira: {}", detail::failureResult(link, "link " + created.key + " to " +
                                                               previous->key).error);
    }
  }
  return out;
}

void JiraSink::Impl::markDuplicates(const IncidentFacts& facts,
                                    const std::vector<detail::JiraIssue>& found,
                                    const detail::JiraIssue& kept) {
  for (const auto& issue : found) {
    if (issue.done || issue.key == kept.key) continue;
    if (std::find(issue.labels.begin(), issue.labels.end(), kDuplicateLabel) != issue.labels.end())
      continue;  // marked by an earlier look
    spdlog::warn("jira: {} also carries {}; {} is used, {} is labelled {} for a human to close",
                 issue.key, facts.fingerprint, kept.key, issue.key, kDuplicateLabel);
    const std::string ref = issue.id.empty() ? issue.key : issue.id;
    const nlohmann::json edit = {{"update", {{"labels", {{{"add", kDuplicateLabel}}}}}}};
    HttpReply r = api.put(api.path("issue/" + detail::percentEncode(ref)), edit);
    if (!detail::ok(r)) {
      spdlog::warn("jira: {}", detail::failureResult(r, "label " + issue.key + " a duplicate").error);
      continue;
    }
    const detail::TextDoc note = {
        {false, "shopwatch: duplicate of " + kept.key + " for the same incident (" +
                    facts.fingerprint + "); shopwatch keeps " + kept.key + " current and leaves this "
                    "issue for a human to close."}};
    HttpReply c = api.post(api.path("issue/" + detail::percentEncode(ref) + "/comment"),
                           {{"body", detail::renderBody(note, settings.flavor == JiraSettings::Flavor::Cloud)}});
    if (!detail::ok(c)) {
      spdlog::warn("jira: {}", detail::failureResult(c, "comment on duplicate " + issue.key).error);
    }
  }
}

void JiraSink::Impl::refreshFiring(const IncidentFacts& facts, const std::string& ref) {
  nlohmann::json edit_fields = {{"summary", detail::issueSummary(facts, false)}};
  if (const std::string priority = priorityFor(facts.severity); !priority.empty()) {
    edit_fields["priority"] = {{"name", priority}};
  }
  const nlohmann::json edit = {{"fields", edit_fields},
                               {"update", {{"labels", {{{"remove", kRecoveredLabel}}}}}}};
  HttpReply r = api.put(api.path("issue/" + detail::percentEncode(ref)), edit);
  if (!detail::ok(r)) {
    spdlog::warn("jira: {}", detail::failureResult(r, "refresh summary of " + ref).error);
  }
  HttpReply p = api.put(api.path("issue/" + detail::percentEncode(ref) + "/properties/shopwatch"),
                        propertyValue(facts));
  if (!detail::ok(p)) {
    spdlog::warn("jira: {}", detail::failureResult(p, "update the shopwatch property of " + ref).error);
  }
}

}  // namespace shopwatch::agent::backlog
