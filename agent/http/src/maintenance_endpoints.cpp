#include "maintenance_endpoints.h"

#include <charconv>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "api_reply.h"
#include "bearer_auth.h"
#include "maintenance_request.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::http::detail {

namespace {

using nlohmann::json;

constexpr std::string_view kItemPrefix = "/api/v1/maintenance/";

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json windowObject(const rules::AdHocWindow& w) {
  json shops = json::array();
  for (const auto& s : w.shops) shops.push_back(s);
  if (shops.empty()) shops.push_back("all");
  return {{"id", w.id},
          {"source", "api"},
          {"name", "api-" + std::to_string(w.id)},
          {"shops", std::move(shops)},
          {"start", core::formatRfc3339(w.start)},
          {"end", core::formatRfc3339(w.end)},
          {"reason", w.reason},
          {"created_by", w.created_by}};
}

json configWindowObject(const rules::MaintenanceOccurrence& m) {
  return {{"id", nullptr},
          {"source", "config"},
          {"name", m.name},
          {"shops", nullptr},
          {"start", core::formatRfc3339(m.start)},
          {"end", core::formatRfc3339(m.end)},
          {"reason", m.reason},
          {"created_by", nullptr}};
}

std::string currentToken(const MaintenanceRoutes& routes) {
  return routes.api_token ? routes.api_token() : std::string{};
}

/// A positive decimal id, nothing else (no sign, no spaces, no trailing slash).
std::optional<std::int64_t> parseId(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t id = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

HttpResponse listWindows(const MaintenanceRoutes& routes) {
  json windows = json::array();
  for (const auto& w : routes.service->windows()) windows.push_back(windowObject(w));
  if (routes.board != nullptr) {
    const auto snapshot = routes.board->current();
    for (const auto& m : snapshot->maintenance) {
      if (m.id == 0) windows.push_back(configWindowObject(m));  // API windows came from the service
    }
  }
  return jsonReply(200, dump(json{{"windows", std::move(windows)}}));
}

HttpResponse announce(const MaintenanceRoutes& routes, const HttpRequest& request) {
  if (auto denied = authorizeWrite(request, currentToken(routes))) return std::move(*denied);
  auto parsed = parseMaintenanceBody(request.body, core::SystemClock::instance().now());
  if (!parsed) return errorReply(400, parsed.error().message);
  auto& req = *parsed;
  req.actor = requestActor(request);
  req.remote = request.remote;
  const auto window = routes.service->announce(req);
  if (!window) return errorReply(window.error());
  auto res = jsonReply(201, dump(windowObject(*window)));
  res.headers.emplace_back("Location", std::string(kItemPrefix) + std::to_string(window->id));
  return res;
}

HttpResponse cancel(const MaintenanceRoutes& routes, const HttpRequest& request) {
  if (auto denied = authorizeWrite(request, currentToken(routes))) return std::move(*denied);
  const auto text = std::string_view(request.path).substr(kItemPrefix.size());
  const auto id = parseId(text);
  if (!id)
    return errorReply(400, "id: \"" + std::string(text) + "\" is not a maintenance window id");
  const auto status = routes.service->cancel(*id, requestActor(request), request.remote);
  if (!status) return errorReply(status.error());
  return jsonReply(200, dump(json{{"id", *id}, {"cancelled", true}}));
}

}  // namespace

void registerMaintenanceRoutes(HttpServer& server, MaintenanceRoutes routes) {
  auto shared = std::make_shared<const MaintenanceRoutes>(std::move(routes));
  server.route("GET", "/api/v1/maintenance",
               [shared](const HttpRequest&) { return listWindows(*shared); });
  server.route("POST", "/api/v1/maintenance",
               [shared](const HttpRequest& request) { return announce(*shared, request); });
  server.routePrefix("DELETE", std::string(kItemPrefix),
                     [shared](const HttpRequest& request) { return cancel(*shared, request); });
}

}  // namespace shopwatch::agent::http::detail
