#pragma once
/// GET, POST /api/v1/maintenance and DELETE /api/v1/maintenance/{id}. Private to agent/http
/// (registerAgentEndpoints calls it when AgentEndpoints::maintenance is set).

#include <functional>
#include <string>

#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/http/maintenance_service.h"

namespace shopwatch::agent::status {
class AlertBoard;
}

namespace shopwatch::agent::http::detail {

struct MaintenanceRoutes {
  MaintenanceService* service = nullptr;      ///< required; must outlive the server's stop()
  const status::AlertBoard* board = nullptr;  ///< optional: config windows active now for GET
  std::function<std::string()> api_token;     ///< empty function or "": writes answer 403
};

/// Registers:
///   GET    /api/v1/maintenance       → 200 `{"windows":[...]}` (open, like every GET route): the
///          service's API windows, then the config windows the board's snapshot has active
///   POST   /api/v1/maintenance       → 201 the announced window (bearer token; 400 naming the
///   field) DELETE /api/v1/maintenance/{id}  → 200 `{"id":N,"cancelled":true}` (bearer token; 400
///   for a
///          non-numeric id, 404 unknown)
/// Service errors: Invalid 400, NotFound 404, Unavailable 503, others 500.
void registerMaintenanceRoutes(HttpServer& server, MaintenanceRoutes routes);

}  // namespace shopwatch::agent::http::detail
