#pragma once
/// Private: reading Redmine issues — GET of one issue (with its journals) and the fingerprint search:
/// `GET /issues.json?project_id=…&cf_<id>=<fingerprint>&status_id=*` over every configured project,
/// each result's field value checked here (Redmine silently ignores a filter on a field that is not
/// "used as a filter"), newest first.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redmine_api.h"
#include "redmine_lookup.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog::redmine {

/// The fields of an issue the sink decides on.
struct RedmineIssue {
  std::string id;
  std::string subject;
  std::string status_id, status;
  bool closed = false;                        ///< status is_closed
  std::string priority_id;
  std::optional<core::SystemTime> closed_on;  ///< the last close (reopening keeps it)
  std::optional<core::SystemTime> created_on;
  std::map<std::string, std::string> custom_fields;  ///< id → value (string values only)
  std::string description;
  std::vector<std::string> notes;             ///< journals' notes, oldest first (when included)
  std::vector<std::string> related_ids;       ///< issues in a relation (when included)
};

RedmineIssue parseIssue(const nlohmann::json& issue);

/// The highest episode the description's and notes' trailers name for `fingerprint`; 0 when none.
std::int64_t issueEpisode(const RedmineIssue& issue, const std::string& fingerprint);

/// GET /issues/<id>.json (`include` e.g. "journals,relations"): the reply and, on 2xx, the issue.
struct IssueRead {
  HttpReply reply;
  std::optional<RedmineIssue> issue;
};
IssueRead getIssue(RedmineApi& api, const std::string& id, const std::string& include = {});

/// Every issue (all statuses, all pages up to `limit`) of the configured projects whose fingerprint
/// field holds exactly `fingerprint` (empty `fingerprint`: any value starting with `shopwatch-`),
/// newest first. On a failed request or look-up returns it as a SendResult.
std::optional<SendResult> searchFingerprint(RedmineApi& api, RedmineIds& ids, const std::string& fingerprint,
                                            std::size_t limit, std::vector<RedmineIssue>& out);

/// Redmine's "2026-12-02T14:59:58Z".
std::optional<core::SystemTime> parseRedmineTime(const nlohmann::json& value);

}  // namespace shopwatch::agent::backlog::redmine
