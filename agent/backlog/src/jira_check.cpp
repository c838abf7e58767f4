// `shopwatch backlog check` and `shopwatch backlog rebuild`: read-only questions to Jira, answered in
// plain words (check) or as the issues shopwatch filed (rebuild). Neither creates anything.
#include <algorithm>
#include <set>

#include "jira_api.h"
#include "jira_search.h"
#include "jira_transitions.h"
#include "shopwatch/agent/backlog/jira_sink.h"

namespace shopwatch::agent::backlog {
namespace {

using detail::JiraApi;
using nlohmann::json;

std::string answerText(const HttpReply& r) {
  if (r.status == 0) return "no answer (" + (r.error.empty() ? std::string("no response") : r.error) + ")";
  std::string out = "HTTP " + std::to_string(r.status);
  const std::string detail = detail::jiraErrorText(r);
  if (!detail.empty()) out += ": " + detail;
  return out;
}

/// Cloud's `issueTypes`, Data Center's `values`.
const json* listOf(const json& j, const char* cloud_key) {
  if (!j.is_object()) return nullptr;
  for (const char* k : {cloud_key, "values"}) {
    auto it = j.find(k);
    if (it != j.end() && it->is_array()) return &*it;
  }
  return nullptr;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

/// Issue type, screen fields and required fields of one project.
void checkCreateScreen(JiraApi& api, const JiraSettings& s, const std::string& project,
                       JiraCheckReport& report) {
  HttpReply types = api.get(api.path("issue/createmeta/" + detail::percentEncode(project) + "/issuetypes"));
  if (!detail::ok(types)) {
    report.problems.push_back("cannot read the issue types of " + project + " (" + answerText(types) + ")");
    return;
  }
  std::string type_id;
  std::vector<std::string> type_names;
  const json types_body = detail::parseBody(types);
  if (const json* list = listOf(types_body, "issueTypes")) {
    for (const auto& t : *list) {
      const std::string name = t.value("name", std::string{});
      type_names.push_back(name);
      if (name == s.issue_type) type_id = t.value("id", std::string{});
    }
  }
  if (type_id.empty()) {
    report.problems.push_back("issue type \"" + s.issue_type + "\" does not exist in " + project +
                              " (have: " + joinNames(type_names) + ")");
    return;
  }
  report.ok.push_back("issue type \"" + s.issue_type + "\" exists in " + project);

  HttpReply meta = api.get(api.path("issue/createmeta/" + detail::percentEncode(project) +
                                    "/issuetypes/" + detail::percentEncode(type_id)));
  if (!detail::ok(meta)) {
    report.problems.push_back("cannot read the create screen of " + project + "/" + s.issue_type +
                              " (" + answerText(meta) + ")");
    return;
  }
  std::set<std::string> on_screen;
  std::vector<std::pair<std::string, std::string>> required;  // id, name
  const json meta_body = detail::parseBody(meta);
  if (const json* list = listOf(meta_body, "fields")) {
    for (const auto& f : *list) {
      const std::string id = f.value("fieldId", f.value("key", std::string{}));
      on_screen.insert(id);
      if (f.value("required", false) && !f.value("hasDefaultValue", false)) {
        required.emplace_back(id, f.value("name", id));
      }
    }
  }
  const std::string where = " on the create screen of " + project + "/" + s.issue_type;
  if (on_screen.count("labels") > 0) {
    report.ok.push_back("the labels field is settable" + where);
  } else {
    report.problems.push_back("the labels field is not" + where +
                              ": shopwatch cannot label its issues and would not find them again "
                              "(add Labels to that screen)");
  }
  if (on_screen.count("priority") == 0) {
    report.problems.push_back("the priority field is not" + where +
                              ": issues would be filed without a priority (add Priority to that "
                              "screen, or expect the retry without it)");
  }
  std::set<std::string> ours{"project", "issuetype", "summary", "description", "labels", "priority"};
  const json extra = json::parse(s.fields_json, nullptr, false);
  if (extra.is_object()) {
    for (const auto& [name, value] : extra.items()) {
      ours.insert(name);
      if (on_screen.count(name) == 0) {
        report.problems.push_back("field " + name + " from backlog.jira.fields is not" + where +
                                  " (Jira would refuse it; shopwatch then files without it)");
      }
    }
  }
  for (const auto& [id, name] : required) {
    if (ours.count(id) == 0) {
      report.problems.push_back("field \"" + name + "\" (" + id + ") is required" + where +
                                " but shopwatch does not set it: add it under backlog.jira.fields");
    }
  }
}

/// What the newest issue's workflow tells about the configured transitions.
void checkTransitions(JiraApi& api, const JiraSettings& s, const std::string& project,
                      JiraCheckReport& report) {
  std::vector<detail::JiraIssue> newest;
  HttpReply failure;
  if (!detail::searchIssues(api, "project = " + detail::jqlQuote(project) + " ORDER BY created DESC",
                            1, newest, failure)) {
    report.problems.push_back("cannot search " + project + " (" + answerText(failure) + ")");
    return;
  }
  if (newest.empty()) {
    report.ok.push_back("cannot verify transitions: the project " + project + " has no issues yet");
    return;
  }
  const detail::JiraIssue& issue = newest.front();
  detail::TransitionsRead tr = detail::listTransitions(api, issue.id.empty() ? issue.key : issue.id);
  if (!detail::ok(tr.reply)) {
    report.problems.push_back("cannot list the transitions of " + issue.key + " (" +
                              answerText(tr.reply) + ")");
    return;
  }
  const bool done = issue.done;
  const std::string& name = done ? s.reopen_transition : s.resolve_transition;
  const std::string what = done ? "reopen" : "resolve";
  const std::string from = " from " + issue.key + "'s status \"" + issue.status + "\"";
  const auto pick = detail::pickTransition(tr.transitions, name, !done);
  if (!pick) {
    report.problems.push_back("no " + what + " transition" + from + ": none is named \"" + name +
                              "\" and there is not exactly one " +
                              (done ? "out of" : "into") + " a done status (available: " +
                              detail::describeTransitions(tr.transitions) + ")");
  } else if (pick->name == name) {
    report.ok.push_back(what + " transition \"" + name + "\" exists" + from);
  } else {
    report.ok.push_back("no transition named \"" + name + "\"" + from + "; shopwatch will " + what +
                        " with \"" + pick->name + "\" (the only one " + (done ? "out of" : "into") +
                        " a done status)");
  }
  report.ok.push_back("the " + std::string(done ? "resolve" : "reopen") +
                      " transition cannot be checked" + from + " (it starts from the other side "
                      "of the workflow)");
}

}  // namespace

JiraCheckReport checkJira(const JiraSettings& settings, HttpClient& http) {
  JiraCheckReport report;
  JiraApi api(settings, http);
  HttpReply me = api.get(api.path("myself"));
  if (me.status == 0) {
    report.problems.push_back("cannot reach Jira at " + settings.url + ": " +
                              (me.error.empty() ? std::string("no answer") : me.error));
    return report;
  }
  if (me.status == 401 || me.status == 403) {
    report.problems.push_back(std::string("Jira refused the credentials (HTTP ") +
                              std::to_string(me.status) + "): check " +
                              (api.cloud() ? "backlog.jira.email and the API token"
                                           : "the personal access token (backlog.jira.token)"));
    return report;
  }
  if (!detail::ok(me)) {
    report.problems.push_back("cannot read the account from " + settings.url + " (" +
                              answerText(me) + "); is backlog.jira.url a Jira site, and the "
                              "flavor right?");
    return report;
  }
  const json who = detail::parseBody(me);
  std::string account = who.is_object() ? who.value("emailAddress", std::string{}) : std::string{};
  if (account.empty() && who.is_object()) account = who.value("name", who.value("displayName", ""));
  report.ok.push_back("credentials accepted (" + (account.empty() ? std::string("account") : account) +
                      ")");

  const auto projects = detail::configuredProjects(settings);
  if (projects.empty()) report.problems.push_back("no project configured (backlog.jira.project)");
  for (const auto& project : projects) {
    HttpReply p = api.get(api.path("project/" + detail::percentEncode(project)));
    if (p.status == 404) {
      report.problems.push_back("project " + project +
                                " does not exist, or this account cannot see it");
      continue;
    }
    if (!detail::ok(p)) {
      report.problems.push_back("cannot read project " + project + " (" + answerText(p) + ")");
      continue;
    }
    const json pj = detail::parseBody(p);
    const std::string name = pj.is_object() ? pj.value("name", project) : project;
    report.ok.push_back("project " + project + " found (" + name + ")");
    checkCreateScreen(api, settings, project, report);
    checkTransitions(api, settings, project, report);
  }
  return report;
}

core::Result<std::vector<FoundTicket>> findShopwatchTickets(const JiraSettings& settings,
                                                            HttpClient& http) {
  JiraApi api(settings, http);
  std::string projects;
  for (const auto& p : detail::configuredProjects(settings)) {
    projects += (projects.empty() ? "" : ", ") + detail::jqlQuote(p);
  }
  if (projects.empty()) return core::makeError(core::ErrorCode::Invalid, "no Jira project configured");
  const std::string marker = settings.labels.empty() ? std::string("shopwatch") : settings.labels.front();
  const std::string jql = "labels = " + detail::jqlQuote(marker) + " AND project in (" + projects +
                          ") ORDER BY created DESC";
  std::vector<detail::JiraIssue> issues;
  HttpReply failure;
  constexpr std::size_t kMaxIssues = 100000;
  if (!detail::searchIssues(api, jql, kMaxIssues, issues, failure)) {
    return core::makeError(failure.status == 0 ? core::ErrorCode::Unavailable : core::ErrorCode::Invalid,
                           "searching Jira for shopwatch issues failed: " + answerText(failure));
  }
  std::vector<FoundTicket> out;
  for (const auto& issue : issues) {
    auto label = std::find_if(issue.labels.begin(), issue.labels.end(), [](const std::string& l) {
      constexpr std::string_view kPrefix = "shopwatch-";
      if (l.size() != kPrefix.size() + 32 || l.compare(0, kPrefix.size(), kPrefix) != 0) return false;
      return std::all_of(l.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), l.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      });
    });
    if (label == issue.labels.end()) continue;
    FoundTicket t;
    t.fingerprint = *label;
    t.ticket.key = issue.key;
    t.ticket.id = issue.id;
    t.ticket.url = api.browseUrl(issue.key);
    t.ticket.episode = issue.property_episode;
    t.done = issue.done;
    t.property_json = issue.property_json;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace shopwatch::agent::backlog
