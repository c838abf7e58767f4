#include "report_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/spdlog.h>
#include <tuple>

#include "maintenance_registry.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/insights/insights_formats.h"
#include "shopwatch/agent/report/month_source.h"
#include "shopwatch/agent/report/report_calendar.h"
#include "shopwatch/agent/report/report_formats.h"
#include "shopwatch/agent/report/status_page.h"
#include "shopwatch/agent/runtime/report_improvements.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {
namespace {

http::HttpResponse plain(int status, std::string body) {
  http::HttpResponse res;
  res.status = status;
  res.body = std::move(body);
  res.body += '\n';
  return res;
}

http::HttpResponse jsonError(int status, const std::string& message) {
  http::HttpResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = nlohmann::json{{"error", message}}.dump() + "\n";
  return res;
}

/// The state a check shows: maintenance wins over the last result (a failing shop in an announced
/// window is not "down" to the client).
std::string stateOf(const status::CheckSnapshot& snap, bool in_maintenance) {
  if (in_maintenance) return "maintenance";
  if (!snap.last) return "pending";
  return snap.last->success ? "up" : "down";
}

/// Open incidents with their first ticket, from the read-only connection. A database that never held
/// incidents has none.
std::vector<report::StatusIncident> openIncidents(storage::SqliteResultStore& store) {
  std::vector<report::StatusIncident> out;
  const auto st = store.read([&out](storage::Db& db) -> core::Status {
    auto incidents = backlog::loadIncidents(db, false);
    if (!incidents) return incidents.error();
    auto tickets = backlog::loadTickets(db);
    if (!tickets) return tickets.error();
    std::map<std::int64_t, const backlog::IncidentTicket*> first;
    for (const auto& t : *tickets) {
      if (t.ticket.key.empty()) continue;
      auto [it, inserted] = first.try_emplace(t.incident_id, &t);
      if (!inserted && t.sink == "jira") it->second = &t;
    }
    for (const auto& i : *incidents) {
      report::StatusIncident s;
      s.shop = i.target.key.shop;
      s.env = i.target.key.env;
      s.check = i.target.step.empty() ? i.target.key.check : i.target.key.check + "/" + i.target.step;
      s.rule = i.rule;
      s.severity = std::string(rules::severityName(i.severity));
      s.start = i.opened_at;
      if (auto it = first.find(i.id); it != first.end()) {
        s.ticket = it->second->ticket.key;
        s.ticket_url = it->second->ticket.url;
      }
      out.push_back(std::move(s));
    }
    return {};
  });
  if (!st && st.error().code != core::ErrorCode::NotFound) {
    spdlog::debug("status page: incidents not shown: {}", st.error().message);
  }
  return out;
}

}  // namespace

ReportService::ReportService(const core::Clock& clock, ConfigSource config,
                             const status::CheckStateTable& states, const MaintenanceRegistry& maintenance)
    : clock_(clock), config_(std::move(config)), states_(states), maintenance_(maintenance) {}

void ReportService::setImprovements(ImprovementSource source) {
  std::lock_guard lock(improvements_mu_);
  improvements_ = std::move(source);
}

ReportService::ImprovementSource ReportService::improvementSource() const {
  std::lock_guard lock(improvements_mu_);
  return improvements_;
}

http::HttpResponse ReportService::statusPage() const {
  const auto config = config_();
  if (!config) return plain(503, "no config loaded");
  auto store = storage::SqliteResultStore::openReadOnly(config->agent.database);
  report::StatusPage page;
  page.client = config->agent.client;
  page.timezone = config->agent.timezone;
  page.now = clock_.now();
  const auto calendar = maintenance_.calendar();
  for (const auto& snap : states_.snapshot()) {
    const auto& spec = *snap.meta->spec;
    report::StatusCheck c;
    c.shop = spec.key.shop;
    c.env = spec.key.env;
    c.check = spec.key.check;
    c.journey = !snap.meta->steps.empty();
    c.state = stateOf(snap, calendar->active(spec.key.shop, page.now));
    c.last_run = snap.counters.last_run;
    if (snap.last) {
      c.last_duration_seconds = std::chrono::duration<double>(snap.last->duration).count();
      if (!snap.last->success) {
        c.failure = std::string(core::toString(snap.last->failure));
        if (snap.last->status_code != 0) c.failure += " (HTTP " + std::to_string(snap.last->status_code) + ")";
      }
    }
    page.checks.push_back(std::move(c));
  }
  std::sort(page.checks.begin(), page.checks.end(), [](const auto& a, const auto& b) {
    return std::tie(a.shop, a.env, a.check) < std::tie(b.shop, b.env, b.check);
  });
  // Active windows first, then those starting within a week.
  for (const auto& o : calendar->occurrences("", page.now, page.now + std::chrono::hours{24 * 7})) {
    report::StatusMaintenance m;
    m.name = o.name;
    m.start = o.start;
    m.end = o.end;
    m.reason = o.reason;
    m.active = o.start <= page.now && page.now < o.end;
    page.maintenance.push_back(std::move(m));
  }
  std::stable_partition(page.maintenance.begin(), page.maintenance.end(),
                        [](const auto& m) { return m.active; });
  if (store) {
    if (auto st = report::fillLast24h(**store, page); !st) {
      spdlog::warn("status page: last 24 h not shown: {}", st.error().message);
    }
    page.incidents = openIncidents(**store);
  } else {
    // A fresh agent whose writer has not created the file yet, or an unreadable file: the page still
    // shows the live state.
    spdlog::debug("status page: database not readable: {}", store.error().message);
    std::vector<report::StatusHour> empty(24);
    for (auto& c : page.checks) c.hours = empty;
  }
  if (const auto source = improvementSource()) page.improve_next_html = insights::improveNextHtml(source(), 5);
  http::HttpResponse res;
  res.content_type = "text/html; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-store");
  res.compressible = true;
  res.body = report::renderStatusPage(page);
  return res;
}

http::HttpResponse ReportService::report(const std::string& month, const std::string& shop,
                                         const std::string& format) const {
  const auto config = config_();
  if (!config) return jsonError(503, "no config loaded");
  auto ym = report::parseMonth(month);
  if (!ym) return jsonError(400, "month: " + ym.error().message);
  const std::string fmt = format.empty() ? "json" : format;
  if (fmt != "json" && fmt != "csv" && fmt != "html") {
    return jsonError(400, "format: `" + fmt + "` is not one of json, csv, html");
  }
  auto store = storage::SqliteResultStore::openReadOnly(config->agent.database);
  if (!store) return jsonError(503, "database not readable: " + store.error().message);
  report::ReportRequest request;
  request.month = *ym;
  if (!shop.empty()) request.shop = shop;
  request.now = clock_.now();
  auto built = report::monthReport(*config, **store, request);
  if (!built) {
    const int status = built.error().code == core::ErrorCode::NotFound ? 404 : 503;
    return jsonError(status, built.error().message);
  }
  // What to improve next: the findings when the report is generated, as `shopwatch report` does (a
  // month is usually reported after it ended); a frozen month keeps those it was frozen with.
  if (!built->frozen) {
    if (const auto source = improvementSource(); source)
      built->improvements = reportImprovements(source(), kReportImprovements, shop);
  }
  http::HttpResponse res;
  res.compressible = true;
  if (fmt == "csv") {
    res.content_type = "text/csv; charset=utf-8";
    res.body = report::reportCsv(*built);
  } else if (fmt == "html") {
    res.content_type = "text/html; charset=utf-8";
    res.body = report::reportHtml(*built);
  } else {
    res.content_type = "application/json";
    res.body = report::reportJson(*built);
    if (res.body.empty() || res.body.back() != '\n') res.body += '\n';
  }
  return res;
}

}  // namespace shopwatch::agent::runtime
