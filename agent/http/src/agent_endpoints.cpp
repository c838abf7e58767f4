#include "shopwatch/agent/http/agent_endpoints.h"

#include <memory>

#include "alert_endpoints.h"
#include "basic_auth.h"
#include "maintenance_endpoints.h"
#include "shopwatch/agent/http/query_string.h"
#include "shopwatch/agent/status/agent_metrics.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/metrics_writer.h"
#include "shopwatch/agent/status/result_json.h"

namespace shopwatch::agent::http {

void registerAgentEndpoints(HttpServer& server, AgentEndpoints endpoints) {
  const status::CheckStateTable* checks = endpoints.checks;
  const status::AgentMetrics* metrics = endpoints.metrics;
  const status::AlertBoard* alerts = endpoints.alerts;
  if (!endpoints.basic_auth_users.empty()) {
    detail::BasicAuthOptions auth;
    auth.users = std::move(endpoints.basic_auth_users);
    server.setGate(detail::basicAuthGate(std::make_shared<detail::BasicAuthenticator>(std::move(auth))));
  }
  server.route("GET", "/metrics",
               [checks, metrics, alerts, extra = std::move(endpoints.extra_metrics)](const HttpRequest&) {
                 HttpResponse res;
                 res.content_type = kMetricsContentType;
                 res.compressible = true;
                 if (checks != nullptr) status::writeCheckMetrics(*checks, res.body);
                 if (metrics != nullptr) metrics->appendText(res.body);
                 if (alerts != nullptr) status::writeAlertMetrics(*alerts->current(), res.body);
                 if (extra) extra(res.body);
                 return res;
               });
  server.route("GET", "/healthz", [](const HttpRequest&) {
    HttpResponse res;
    res.body = "ok\n";
    return res;
  });
  server.route("GET", "/readyz", [ready = std::move(endpoints.ready)](const HttpRequest&) {
    HttpResponse res;
    if (!ready) {
      res.body = "ready\n";
      return res;
    }
    const auto status = ready();
    if (status) {
      res.body = "ready\n";
    } else {
      res.status = 503;
      res.body = "not ready: " + status.error().message + "\n";
    }
    return res;
  });
  server.route("GET", "/api/v1/checks", [checks](const HttpRequest&) {
    HttpResponse res;
    res.content_type = "application/json";
    res.body = checks != nullptr ? status::checksJson(*checks) : "[]";
    res.body += '\n';
    return res;
  });
  if (endpoints.incidents_json) {
    server.route("GET", "/api/v1/incidents", [list = std::move(endpoints.incidents_json)](const HttpRequest& req) {
      HttpResponse res;
      res.content_type = "application/json";
      res.body = list(req.query.find("all") != std::string::npos) + "\n";
      return res;
    });
  }
  if (endpoints.status_page) {
    server.route("GET", "/", [page = std::move(endpoints.status_page)](const HttpRequest&) {
      HttpResponse res;
      res.deferred = page;
      return res;
    });
  }
  if (endpoints.report) {
    server.route("GET", "/api/v1/report", [report = std::move(endpoints.report)](const HttpRequest& req) {
      const auto query = parseQuery(req.query);
      auto first = [&query](std::string_view name) {
        for (const auto& [k, v] : query) {
          if (k == name) return v;
        }
        return std::string{};
      };
      HttpResponse res;
      std::string month = first("month");
      if (month.empty()) {
        res.status = 400;
        res.content_type = "application/json";
        res.body = "{\"error\":\"the query parameter month=YYYY-MM is required\"}\n";
        return res;
      }
      res.deferred = [report, month = std::move(month), shop = first("shop"), format = first("format")] {
        return report(month, shop, format);
      };
      return res;
    });
  }
  if (endpoints.insights) {
    server.route("GET", "/api/v1/insights", [insights = std::move(endpoints.insights)](const HttpRequest& req) {
      const auto query = parseQuery(req.query);
      std::string shop, format;
      for (const auto& [k, v] : query) {
        if (k == "shop" && shop.empty()) shop = v;
        if (k == "format" && format.empty()) format = v;
      }
      return insights(shop, format);
    });
  }
  detail::registerAlertRoutes(server, alerts);
  if (endpoints.maintenance != nullptr) {
    detail::registerMaintenanceRoutes(
        server, {endpoints.maintenance, alerts, std::move(endpoints.api_token)});
  }
}

}  // namespace shopwatch::agent::http
