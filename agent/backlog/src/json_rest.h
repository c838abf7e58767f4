#pragma once
/// Private: the JSON request layer the tracker sinks share (Jira, Redmine): one base URL, one
/// authentication header, JSON content types, the configured timeout, every status recorded for
/// shopwatch_backlog_requests_total — and how a tracker's failed answer is delivered.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::detail {

/// Not thread-safe (the outbox thread only). `http` must outlive it.
class JsonRest {
 public:
  /// `base_url` without trailing slashes (they are cut); `auth` the header sent with every call.
  JsonRest(std::string base_url, std::pair<std::string, std::string> auth, core::Micros timeout,
           HttpClient& http);

  const std::string& baseUrl() const { return base_; }

  /// Sends one request to `<base><path>` (path starts with '/'); `body` is JSON text or empty. Adds
  /// Content-Type/Accept application/json, Accept-Language: en and the auth header. The status (0: no
  /// answer) is appended to the codes.
  HttpReply call(std::string_view method, const std::string& path, const std::string& body = {});
  HttpReply get(const std::string& path) { return call("GET", path); }
  HttpReply post(const std::string& path, const nlohmann::json& body) {
    return call("POST", path, body.dump());
  }
  HttpReply put(const std::string& path, const nlohmann::json& body) {
    return call("PUT", path, body.dump());
  }

  /// The statuses recorded since the last take (for shopwatch_backlog_requests_total).
  std::vector<int> takeCodes() { return std::exchange(codes_, {}); }

 private:
  std::string base_;
  std::pair<std::string, std::string> auth_;
  core::Micros timeout_;
  HttpClient& http_;
  std::vector<int> codes_;
};

/// Whether the status is 2xx.
inline bool ok(const HttpReply& r) { return r.status >= 200 && r.status < 300; }

/// A reply body as JSON; a null json when it is empty or not JSON.
nlohmann::json parseBody(const HttpReply& r);

/// How a tracker's answer that is not 2xx is delivered: no answer, 409 (an edit conflict), 429 and
/// 5xx are retried; 401/403 pause the sink; anything else (400, 404, 422, a redirect) is permanent.
SendStatus trackerStatusFor(int status);

}  // namespace shopwatch::agent::backlog::detail
