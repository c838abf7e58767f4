// `shopwatch backlog check` and `shopwatch backlog rebuild` for Redmine: read-only questions, answered
// in plain words (check) or as the issues shopwatch filed (rebuild). Neither creates anything.
#include <algorithm>

#include "redmine_api.h"
#include "redmine_lookup.h"
#include "redmine_search.h"
#include "shopwatch/agent/backlog/redmine_sink.h"

namespace shopwatch::agent::backlog {
namespace {

using nlohmann::json;
using redmine::RedmineApi;

/// The statuses: closed_status exists and is a closed one, reopen_status exists and is not.
void checkStatuses(RedmineApi& api, redmine::RedmineIds& ids, SinkCheckReport& report) {
  const RedmineSettings& s = api.settings();
  std::optional<std::vector<redmine::Named>> cache;
  HttpReply failure;
  const auto& statuses = ids.list(cache, "/issue_statuses.json", "issue_statuses", failure);
  if (!cache) {
    report.problems.push_back("cannot read the issue statuses (" + redmine::answerText(failure) + ")");
    return;
  }
  auto find = [&statuses](const std::string& name) -> const redmine::Named* {
    for (const auto& st : statuses) {
      if (st.name == name || st.id == name) return &st;
    }
    return nullptr;
  };
  const std::string have = " (have: " + redmine::namesOf(statuses) + ")";
  if (const auto* closed = find(s.closed_status); closed == nullptr) {
    report.problems.push_back("closed_status \"" + s.closed_status + "\" is not an issue status" + have);
  } else if (!closed->closed) {
    report.problems.push_back("closed_status \"" + s.closed_status +
                              "\" is not a closed status in Redmine: issues set to it stay open (mark "
                              "it \"Issue closed\" or name a closed one)");
  } else {
    report.ok.push_back("closed_status \"" + s.closed_status + "\" exists and closes issues");
  }
  if (const auto* reopen = find(s.reopen_status); reopen == nullptr) {
    report.problems.push_back("reopen_status \"" + s.reopen_status + "\" is not an issue status" + have);
  } else if (reopen->closed) {
    report.problems.push_back("reopen_status \"" + s.reopen_status +
                              "\" is a closed status: a reopened issue would stay closed");
  } else {
    report.ok.push_back("reopen_status \"" + s.reopen_status + "\" exists");
  }
}

void checkPriorities(RedmineApi& api, redmine::RedmineIds& ids, SinkCheckReport& report) {
  std::optional<std::vector<redmine::Named>> cache;
  HttpReply failure;
  const auto& priorities = ids.list(cache, "/enumerations/issue_priorities.json", "issue_priorities", failure);
  if (!cache) {
    report.problems.push_back("cannot read the issue priorities (" + redmine::answerText(failure) + ")");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& entry : api.settings().priority) {
    const bool known = std::any_of(priorities.begin(), priorities.end(), [&entry](const auto& p) {
      return p.name == entry.second || p.id == entry.second;
    });
    if (!known) missing.push_back(entry.second);
  }
  if (missing.empty()) {
    report.ok.push_back("the priorities exist");
  }
  for (const auto& name : missing) {
    report.problems.push_back("priority \"" + name + "\" does not exist (have: " +
                              redmine::namesOf(priorities) + ")");
  }
}

/// The project, its tracker, and the fingerprint field: visible, and honoured as a filter.
void checkProject(RedmineApi& api, redmine::RedmineIds& ids, const std::string& project,
                  bool tracker_exists, SinkCheckReport& report) {
  const RedmineSettings& s = api.settings();
  HttpReply p = api.get("/projects/" + redmine::percentEncode(project) + ".json?include=trackers,issue_custom_fields");
  if (p.status == 404 || p.status == 403) {
    report.problems.push_back("project \"" + project +
                              "\" does not exist, or the key's user is not a member of it");
    return;
  }
  if (!redmine::ok(p)) {
    report.problems.push_back("cannot read project " + project + " (" + redmine::answerText(p) + ")");
    return;
  }
  const json pj = redmine::parseBody(p);
  const json proj = pj.is_object() ? pj.value("project", json::object()) : json::object();
  report.ok.push_back("project " + project + " found (" + proj.value("name", project) + ")");
  const auto trackers = redmine::parseNamed(proj.value("trackers", json::array()));
  const bool has_tracker = std::any_of(trackers.begin(), trackers.end(), [&s](const auto& t) {
    return t.name == s.tracker || t.id == s.tracker;
  });
  if (has_tracker) {
    report.ok.push_back("tracker \"" + s.tracker + "\" is enabled in " + project);
  } else if (tracker_exists) {
    report.problems.push_back("tracker \"" + s.tracker + "\" is not enabled in " + project + " (have: " +
                              redmine::namesOf(trackers) + "); Redmine would file under another one");
  }

  redmine::Lookup field = ids.fingerprintField(project);
  if (!field.ok()) {
    report.problems.push_back(field.failure.error);
    return;
  }
  report.ok.push_back("fingerprint field \"" + s.fingerprint_field + "\" (id " + field.found->id +
                      ") is visible in " + project);
  // Redmine ignores a filter on a field that is not "used as a filter": then a value no issue has
  // matches every issue.
  const std::string base = "/issues.json?project_id=" + redmine::percentEncode(project) + "&status_id=*&limit=1";
  HttpReply all = api.get(base);
  HttpReply none = api.get(base + "&cf_" + field.found->id + "=shopwatch-check-no-such-value");
  if (!redmine::ok(all) || !redmine::ok(none)) {
    report.problems.push_back("cannot search the issues of " + project + " (" +
                              redmine::answerText(redmine::ok(all) ? none : all) + ")");
    return;
  }
  const std::size_t total = redmine::parseBody(all).value("total_count", std::size_t{0});
  const std::size_t filtered = redmine::parseBody(none).value("total_count", std::size_t{0});
  if (total == 0) {
    report.ok.push_back("cannot verify that the fingerprint field is a filter: " + project +
                        " has no issues yet");
  } else if (filtered != 0) {
    report.problems.push_back("the fingerprint field \"" + s.fingerprint_field +
                              "\" is not \"used as a filter\": Redmine ignores searches by it, and "
                              "shopwatch could not find its issues again (an admin ticks \"Used as a "
                              "filter\" on the custom field)");
  } else {
    report.ok.push_back("the fingerprint field is usable as a search filter");
  }
}

}  // namespace

SinkCheckReport checkRedmine(const RedmineSettings& settings, HttpClient& http) {
  SinkCheckReport report;
  RedmineApi api(settings, http);
  redmine::RedmineIds ids(api);
  HttpReply me = api.get("/users/current.json");
  if (me.status == 0) {
    report.problems.push_back("cannot reach Redmine at " + settings.url + ": " +
                              (me.error.empty() ? std::string("no answer") : me.error));
    return report;
  }
  if (me.status == 401 || me.status == 403) {
    report.problems.push_back("Redmine refused the API key (HTTP " + std::to_string(me.status) +
                              "): check backlog.redmine.api_key, and that the REST API is enabled "
                              "(Administration → Settings → API)");
    return report;
  }
  if (!redmine::ok(me)) {
    report.problems.push_back("cannot read the key's user from " + settings.url + " (" +
                              redmine::answerText(me) + "); is backlog.redmine.url a Redmine?");
    return report;
  }
  const json who = redmine::parseBody(me);
  const json user = who.is_object() ? who.value("user", json::object()) : json::object();
  report.ok.push_back("API key accepted (user " + user.value("login", std::string("?")) + ")");

  std::optional<std::vector<redmine::Named>> trackers;
  HttpReply failure;
  const auto& all_trackers = ids.list(trackers, "/trackers.json", "trackers", failure);
  const bool tracker_exists =
      !trackers || std::any_of(all_trackers.begin(), all_trackers.end(), [&settings](const auto& t) {
        return t.name == settings.tracker || t.id == settings.tracker;
      });
  if (!tracker_exists) {
    report.problems.push_back("tracker \"" + settings.tracker + "\" does not exist (have: " +
                              redmine::namesOf(all_trackers) + ")");
  }
  checkStatuses(api, ids, report);
  checkPriorities(api, ids, report);
  const auto projects = redmine::configuredProjects(settings);
  if (projects.empty()) report.problems.push_back("no project configured (backlog.redmine.project)");
  for (const auto& project : projects) checkProject(api, ids, project, tracker_exists, report);
  return report;
}

core::Result<std::vector<FoundTicket>> findRedmineTickets(const RedmineSettings& settings, HttpClient& http) {
  RedmineApi api(settings, http);
  redmine::RedmineIds ids(api);
  if (redmine::configuredProjects(settings).empty()) {
    return core::makeError(core::ErrorCode::Invalid, "no Redmine project configured");
  }
  std::vector<redmine::RedmineIssue> issues;
  constexpr std::size_t kMaxIssues = 100000;
  if (auto failed = redmine::searchFingerprint(api, ids, "", kMaxIssues, issues)) {
    return core::makeError(failed->http_code == 0 ? core::ErrorCode::Unavailable : core::ErrorCode::Invalid,
                           "searching Redmine for shopwatch issues failed: " + failed->error);
  }
  std::vector<FoundTicket> out;
  for (const auto& issue : issues) {
    std::string fingerprint;
    for (const auto& entry : issue.custom_fields) {
      const std::string& v = entry.second;
      constexpr std::string_view kPrefix = "shopwatch-";
      if (v.size() == kPrefix.size() + 32 && v.starts_with(kPrefix) &&
          std::all_of(v.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), v.end(),
                      [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
        fingerprint = v;
      }
    }
    if (fingerprint.empty()) continue;
    FoundTicket t;
    t.fingerprint = fingerprint;
    t.ticket.key = "#" + issue.id;
    t.ticket.id = issue.id;
    t.ticket.url = api.issueUrl(issue.id);
    t.ticket.episode = redmine::issueEpisode(issue, fingerprint);
    t.done = issue.closed;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace shopwatch::agent::backlog
