#pragma once
/// Private: reading issues — the strongly consistent GET of one issue and the (eventually consistent)
/// JQL search, in both flavors' shapes: Cloud `POST /rest/api/3/search/jql` paged by nextPageToken,
/// Data Center `POST /rest/api/2/search` paged by startAt (a 410 there switches to `/search/jql`).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jira_api.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog::detail {

/// The fields of an issue the sink decides on.
struct JiraIssue {
  std::string id;
  std::string key;
  std::string status;             ///< status name
  bool done = false;              ///< status category `done`
  std::string resolution;         ///< resolution name, "" when unresolved
  std::optional<core::SystemTime> resolved_at;
  std::optional<core::SystemTime> created;
  std::vector<std::string> labels;
  std::string property_json;      ///< the `shopwatch` issue property's value, "" when absent
  std::int64_t property_episode = 0;  ///< its `episode`, 0 when absent
};

/// Reads one issue object of a GET or search answer.
JiraIssue parseIssue(const nlohmann::json& issue);

/// Jira's "2025-05-01T10:00:00.000+0000" (or RFC 3339); empty when unreadable.
std::optional<core::SystemTime> parseJiraTime(const std::string& text);

/// The query string of every issue read: the decision fields and the `shopwatch` property.
inline constexpr const char* kIssueFields = "status,resolution,resolutiondate,created,labels";

/// GET issue/{idOrKey}: the reply (for its status) and, on 2xx, the issue.
struct IssueRead {
  HttpReply reply;
  std::optional<JiraIssue> issue;
};
IssueRead getIssue(JiraApi& api, const std::string& id_or_key);

/// Runs `jql` and collects at most `limit` issues (all pages up to it). On a non-2xx answer returns
/// false and leaves that reply in `failure`.
bool searchIssues(JiraApi& api, const std::string& jql, std::size_t limit,
                  std::vector<JiraIssue>& out, HttpReply& failure);

/// `project in (…) AND labels = "<fingerprint>" ORDER BY created DESC`.
std::string fingerprintJql(const JiraSettings& settings, const std::string& fingerprint);

}  // namespace shopwatch::agent::backlog::detail
