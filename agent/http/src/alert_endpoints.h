#pragma once
/// GET /api/v1/alerts over the AlertBoard. Private to agent/http (registerAgentEndpoints calls it).

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::status {
class AlertBoard;
}

namespace shopwatch::agent::http::detail {

/// GET /api/v1/alerts: status::alertsJson of the board's current snapshot (an empty snapshot when
/// `board` is null), filtered by the query:
///   `state=firing` (repeatable, or a comma list; ok | pending | firing | suppressed | resolved,
///   matched against AlertRecord::apiState()) — alerts only;
///   `shop=acme` (repeatable, or a comma list) — alerts and SLOs.
/// An unknown state value is answered 400 naming it. `board` must outlive the server's stop().
void registerAlertRoutes(HttpServer& server, const status::AlertBoard* board);

}  // namespace shopwatch::agent::http::detail
