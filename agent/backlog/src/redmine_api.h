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
#include "tracker_projects.h"
#include "url_text.h"

namespace shopwatch::agent::backlog::redmine {

/// One Redmine as configured. Not thread-safe (the outbox thread only). Holds references: `settings`
/// and `http` must outlive it.
class RedmineApi {
 public:
  RedmineApi(const RedmineSettings& settings, HttpClient& http);

  const RedmineSettings& settings() const { return settings_; }
  /// `<url>/issues/<id>`.
  std::string issueUrl(std::string_view id) const;

  /// Sends one request to `<url><path>` (path starts with '/'); `body` is JSON text or empty. The
  /// status (0: no answer) is appended to codes().
  HttpReply call(std::string_view method, const std::string& path, const std::string& body = {});
  HttpReply get(const std::string& path) { return call("GET", path); }
  HttpReply post(const std::string& path, const nlohmann::json& body) {
    return call("POST", path, body.dump());
  }
  HttpReply put(const std::string& path, const nlohmann::json& body) {
    return call("PUT", path, body.dump());
  }

  /// The statuses recorded since the last take (for shopwatch_backlog_requests_total).
  std::vector<int> takeCodes();

 private:
  const RedmineSettings& settings_;
  HttpClient& http_;
  std::string base_;
  std::vector<int> codes_;
};

/// Whether the status is 2xx.
inline bool ok(const HttpReply& r) { return r.status >= 200 && r.status < 300; }

/// A reply body as JSON; a null json when it is empty or not JSON.
nlohmann::json parseBody(const HttpReply& r);

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
