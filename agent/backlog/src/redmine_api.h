#pragma once
/// Private: the Redmine REST request layer shared by the sink, the check and the rebuild — JSON calls
/// with the key in X-Redmine-API-Key, every status recorded, and failed answers mapped to
/// SendResults (Redmine's 422 `errors` array in the words).

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

namespace shopwatch::agent::backlog::redmine {

/// One Redmine as configured: the JSON request layer (json_rest.h) with the key in
/// X-Redmine-API-Key. Not thread-safe (the outbox thread only). Holds references: `settings` and
/// `http` must outlive it.
class RedmineApi : public detail::JsonRest {
 public:
  RedmineApi(const RedmineSettings& settings, HttpClient& http);

  const RedmineSettings& settings() const { return settings_; }
  /// `<url>/issues/<id>`.
  std::string issueUrl(std::string_view id) const;

 private:
  const RedmineSettings& settings_;
};

using detail::ok;
using detail::parseBody;

/// Redmine's `errors` (["Subject cannot be blank", …]) joined with "; "; "" when none.
std::string errorText(const HttpReply& r);

/// "HTTP 422: Subject cannot be blank" / "no answer (…)" — for check findings and logs.
std::string answerText(const HttpReply& r);

/// The SendResult for a failed reply (not 2xx): no answer, 409, 429 and 5xx → Retry (Retry-After);
/// 401/403 → Pause; 422 and other refusals → Dead. `what` names the request ("create an issue in
/// shop"). Never includes request bodies or the key.
SendResult failureResult(const HttpReply& r, std::string_view what);

/// A Dead result with `error` (a configuration or workflow problem no retry fixes).
SendResult deadResult(std::string error);

/// The configured project identifiers: `project` first, then the per-env ones, without duplicates.
inline std::vector<std::string> configuredProjects(const RedmineSettings& settings) {
  return detail::projectList(settings.project, settings.projects);
}

using detail::percentEncode;

/// Whether `text` is non-empty and all ASCII digits (a configured name given as an id).
bool allDigits(std::string_view text);

/// A JSON value as an id text: 42 → "42", "42" → "42", anything else "".
std::string idText(const nlohmann::json& j);

}  // namespace shopwatch::agent::backlog::redmine
