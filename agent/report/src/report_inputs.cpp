// The month's incidents (backlog's incident table) and maintenance (config calendar + API windows)
// for buildMonthReport. A database without those tables has none of them.
#include <algorithm>

#include "report_builder_parts.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::report::detail {

namespace {

/// Whether the database has table `name` (a component never migrated into it has none).
core::Result<bool> hasTable(storage::Db& db, std::string_view name) {
  auto s = db.statement("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1");
  if (!s) return s.error();
  auto& q = **s;
  storage::Statement::ResetOnExit reset(q);
  q.bind(1, name);
  auto row = q.step();
  if (!row) return row.error();
  return *row;
}

bool coversShop(const std::vector<std::string>& shops, const std::optional<std::string>& shop) {
  if (!shop || shops.empty()) return true;
  return std::find(shops.begin(), shops.end(), "all") != shops.end() ||
         std::find(shops.begin(), shops.end(), *shop) != shops.end();
}

/// `all` (or nothing) → every shop (empty).
std::vector<std::string> shopList(const std::vector<std::string>& shops) {
  if (std::find(shops.begin(), shops.end(), "all") != shops.end()) return {};
  return shops;
}

}  // namespace

core::Result<std::map<core::CheckKey, std::vector<ReportIncident>>> loadMonthIncidents(
    storage::SqliteResultStore& store, core::SystemTime from, core::SystemTime to,
    core::SystemTime now) {
  std::map<core::CheckKey, std::vector<ReportIncident>> out;
  core::Status read = store.read([&](storage::Db& db) -> core::Status {
    auto has_incidents = hasTable(db, "incident");
    if (!has_incidents) return has_incidents.error();
    if (!*has_incidents) return {};
    auto incidents = backlog::loadIncidents(db, true);
    if (!incidents) return incidents.error();
    std::map<std::int64_t, const backlog::IncidentTicket*> ticket_of;
    std::vector<backlog::IncidentTicket> tickets;
    auto has_tickets = hasTable(db, "incident_ticket");
    if (!has_tickets) return has_tickets.error();
    if (*has_tickets) {
      auto loaded = backlog::loadTickets(db);
      if (!loaded) return loaded.error();
      tickets = std::move(*loaded);
    }
    // First ticket key per incident (ordered by sink); a Jira one wins over the others.
    for (const backlog::IncidentTicket& t : tickets) {
      if (t.ticket.key.empty()) continue;
      auto [it, inserted] = ticket_of.emplace(t.incident_id, &t);
      if (!inserted && t.sink == "jira" && it->second->sink != "jira") it->second = &t;
    }
    for (const backlog::Incident& inc : *incidents) {
      const bool resolved = inc.resolved_at.has_value();
      if (inc.opened_at >= to || (resolved && *inc.resolved_at <= from)) continue;
      ReportIncident r;
      r.rule = inc.rule;
      r.severity = std::string(rules::severityName(inc.severity));
      r.start = inc.opened_at;
      r.end = inc.resolved_at;
      const core::SystemTime end = resolved ? *inc.resolved_at : std::max(now, inc.opened_at);
      r.duration = std::chrono::duration_cast<core::Micros>(end - inc.opened_at);
      if (auto t = ticket_of.find(inc.id); t != ticket_of.end()) {
        r.ticket = t->second->ticket.key;
        r.ticket_url = t->second->ticket.url;
      }
      out[inc.target.key].push_back(std::move(r));
    }
    return {};
  });
  if (!read) return read.error();
  for (auto& entry : out) {
    std::stable_sort(
        entry.second.begin(), entry.second.end(),
        [](const ReportIncident& a, const ReportIncident& b) { return a.start < b.start; });
  }
  return out;
}

core::Result<std::vector<ReportMaintenance>> loadMonthMaintenance(
    const AgentConfig& config, storage::SqliteResultStore& store, core::SystemTime from,
    core::SystemTime to, const std::optional<std::string>& shop) {
  std::vector<ReportMaintenance> out;
  for (const rules::MaintenanceSpec& spec : config.maintenance) {
    if (!coversShop(spec.shops, shop)) continue;
    const rules::MaintenanceCalendar calendar({spec}, {});
    for (const rules::MaintenanceOccurrence& o : calendar.occurrences("", from, to)) {
      out.push_back(
          ReportMaintenance{o.name, shopList(spec.shops), o.start, o.end, o.reason, "config"});
    }
  }
  core::Status read = store.read([&](storage::Db& db) -> core::Status {
    auto has = hasTable(db, "maintenance_window");
    if (!has) return has.error();
    if (!*has) return {};
    auto windows = persistence::loadWindows(db, from);
    if (!windows) return windows.error();
    for (const rules::AdHocWindow& w : *windows) {
      if (w.start >= to || w.end <= w.start || !coversShop(w.shops, shop)) continue;
      out.push_back(ReportMaintenance{"api-" + std::to_string(w.id), shopList(w.shops), w.start,
                                      w.end, w.reason, w.created_by});
    }
    return {};
  });
  if (!read) return read.error();
  std::stable_sort(out.begin(), out.end(),
                   [](const ReportMaintenance& a, const ReportMaintenance& b) {
                     return a.start != b.start ? a.start < b.start : a.name < b.name;
                   });
  return out;
}

}  // namespace shopwatch::agent::report::detail
