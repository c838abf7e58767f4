#pragma once
/// The agent's standard routes on an HttpServer: GET /metrics, /healthz, /readyz, /api/v1/checks.

#include <functional>
#include <map>
#include <string>

#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/http/maintenance_service.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::status {
class CheckStateTable;
class AgentMetrics;
class AlertBoard;
}  // namespace shopwatch::agent::status

namespace shopwatch::agent::http {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct AgentEndpoints {
  /// Per-check state (required). Must outlive the server's stop().
  const status::CheckStateTable* checks = nullptr;
  /// The agent's own metrics, appended after the per-check families (optional). Must outlive stop().
  const status::AgentMetrics* metrics = nullptr;
  /// Readiness: ok → 200 "ready"; an Error → 503 "not ready: <message>". Empty: always ready.
  /// Called on the server's io thread; must be thread-safe and quick.
  std::function<core::Status()> ready;
  /// Alert and SLO snapshot for /metrics and GET /api/v1/alerts (optional: without it the route answers
  /// an empty list). Must outlive stop().
  const status::AlertBoard* alerts = nullptr;
  /// Write side of /api/v1/maintenance (optional: without it those routes answer 404).
  MaintenanceService* maintenance = nullptr;
  /// The current `agent.api_token` (reload may change it); "" disables the write routes (403).
  std::function<std::string()> api_token;
  /// Appends more families to /metrics (the backlog's outbox and sink metrics); optional.
  std::function<void(std::string&)> extra_metrics;
  /// GET /api/v1/incidents (`?all` includes resolved ones): a JSON document; optional (no route).
  std::function<std::string(bool all)> incidents_json;
  /// GET / — the status page ([E]). Runs as HttpResponse::deferred work (off the io threads: it
  /// reads the database). Optional (no route without it).
  std::function<HttpResponse()> status_page;
  /// GET /api/v1/report?month=YYYY-MM[&shop=NAME][&format=json|csv|html] — a month's report, as
  /// deferred work; arguments percent-decoded ("" when absent; a missing month is answered 400
  /// before this runs). Optional (no route).
  std::function<HttpResponse(const std::string& month, const std::string& shop, const std::string& format)>
      report;
  /// GET /api/v1/insights[?shop=NAME][&format=json|text|html] — the latest ranked performance
  /// findings ([F]); answered from a snapshot (quick, on the io thread). Optional (no route).
  std::function<HttpResponse(const std::string& shop, const std::string& format)> insights;
  /// `web.basic_auth_users` (user → bcrypt hash): when set, every route but /healthz needs basic
  /// credentials (401 `WWW-Authenticate: Basic realm="shopwatch"`); the maintenance write routes
  /// take the bearer token instead (docs/security.md). Verified credentials are cached.
  std::map<std::string, std::string> basic_auth_users;
};

/// Registers (call before server.start()):
///   GET /metrics        per-check families + AgentMetrics, "text/plain; version=0.0.4; charset=utf-8",
///                       gzip-compressed when the request's Accept-Encoding asks for it
///   GET /healthz        200 "ok"
///   GET /readyz         200 "ready" / 503 "not ready: …"
///   GET /api/v1/checks  status::checksJson, "application/json"
///   GET /api/v1/alerts  status::alertsJson
///   GET /               the status page (when status_page is set; deferred)
///   GET /api/v1/report  a month's report (when report is set; deferred)
///   GET /api/v1/insights  the ranked performance findings (when insights is set)
///   GET /api/v1/maintenance, POST /api/v1/maintenance, DELETE /api/v1/maintenance/{id}
///                       (writes need `Authorization: Bearer <agent.api_token>`)
/// HEAD works on each (HttpServer).
void registerAgentEndpoints(HttpServer& server, AgentEndpoints endpoints);

}  // namespace shopwatch::agent::http
