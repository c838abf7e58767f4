#pragma once
/// Private: the Jira REST request layer shared by the sink, the check and the rebuild. Builds calls with
/// the flavor's API version, auth and headers, records every status, and maps answers to SendResults.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "json_rest.h"
#include "tracker_projects.h"
#include "url_text.h"

namespace shopwatch::agent::backlog::detail {

/// One Jira site as configured: the JSON request layer (json_rest.h) with the flavor's
/// Authorization. Not thread-safe (used from the outbox thread only). Holds references: `settings`
/// and `http` must outlive it.
class JiraApi : public JsonRest {
 public:
  JiraApi(const JiraSettings& settings, HttpClient& http);

  bool cloud() const { return settings_.flavor == JiraSettings::Flavor::Cloud; }
  const JiraSettings& settings() const { return settings_; }

  /// `/rest/api/3/<rest>` (Cloud) or `/rest/api/2/<rest>` (Data Center).
  std::string path(std::string_view rest) const;
  /// `<url>/browse/<key>`.
  std::string browseUrl(std::string_view key) const;

  /// Whether searches use the `/search/jql` shape (always on Cloud; on Data Center after a 410).
  bool jqlSearch() const { return cloud() || jql_search_; }
  void switchToJqlSearch() { jql_search_ = true; }

 private:
  const JiraSettings& settings_;
  bool jql_search_ = false;
};

/// Jira's `errorMessages` and `errors` ({field: message}) joined in plain words; "" when none.
std::string jiraErrorText(const HttpReply& r);

/// The SendResult for a failed reply (not 2xx): no answer/timeout, 429, 5xx and 409 → Retry (with
/// Retry-After); 401/403 → Pause; 400/422 and other refusals → Dead. `what` names the request
/// ("create issue in SHOP") for the error text. Never includes request bodies or credentials.
SendResult failureResult(const HttpReply& r, std::string_view what);

/// Quotes a JQL string literal: "…" with `"` and `\` escaped.
std::string jqlQuote(std::string_view text);

/// The configured project keys: `project` first, then the per-env ones, without duplicates.
inline std::vector<std::string> configuredProjects(const JiraSettings& settings) {
  return projectList(settings.project, settings.projects);
}

}  // namespace shopwatch::agent::backlog::detail
