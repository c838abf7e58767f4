#include "alert_endpoints.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api_reply.h"
#include "shopwatch/agent/http/query_string.h"
#include "shopwatch/agent/status/alert_board.h"

namespace shopwatch::agent::http::detail {

namespace {

constexpr std::array<std::string_view, 5> kApiStates = {"ok", "pending", "firing", "suppressed",
                                                        "resolved"};

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

HttpResponse alertsResponse(const status::AlertBoard* board, const HttpRequest& request) {
  const auto snapshot =
      board != nullptr ? board->current() : std::make_shared<const status::AlertSnapshot>();
  const auto query = parseQuery(request.query);
  const auto states = queryList(query, "state");
  const auto shops = queryList(query, "shop");
  for (const auto& s : states) {
    if (std::find(kApiStates.begin(), kApiStates.end(), s) == kApiStates.end()) {
      return errorReply(400, "state: unknown value \"" + s +
                                 "\" (expected ok, pending, firing, suppressed or resolved)");
    }
  }
  if (states.empty() && shops.empty()) return jsonReply(200, status::alertsJson(*snapshot));

  status::AlertSnapshot filtered;
  filtered.at = snapshot->at;
  filtered.stats = snapshot->stats;
  filtered.maintenance = snapshot->maintenance;
  for (const auto& a : snapshot->alerts) {
    if (!states.empty() && !contains(states, a.apiState())) continue;
    if (!shops.empty() && !contains(shops, a.target.key.shop)) continue;
    filtered.alerts.push_back(a);
  }
  for (const auto& s : snapshot->slos) {
    if (!shops.empty() && !contains(shops, s.target.key.shop)) continue;
    filtered.slos.push_back(s);
  }
  return jsonReply(200, status::alertsJson(filtered));
}

}  // namespace

void registerAlertRoutes(HttpServer& server, const status::AlertBoard* board) {
  server.route("GET", "/api/v1/alerts",
               [board](const HttpRequest& request) { return alertsResponse(board, request); });
}

}  // namespace shopwatch::agent::http::detail
