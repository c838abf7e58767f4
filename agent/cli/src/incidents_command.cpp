// `shopwatch incidents -c FILE [--all] [--json]`: the incidents in the agent's database with their
// tickets per sink and the outbox actions still to deliver. Read-only: safe while the agent runs.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "command_config.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::cli {
namespace {

namespace backlog = agent::backlog;

struct IncidentRow {
  backlog::Incident incident;
  std::vector<backlog::IncidentTicket> tickets;  ///< ordered by sink
  std::int64_t pending = 0;                      ///< outbox actions not yet delivered
};

struct Listing {
  std::vector<IncidentRow> rows;
  backlog::OutboxCounts counts;
  bool no_tables = false;  ///< a database from before incidents existed
};

core::Status readListing(storage::Db& db, bool all, Listing& out) {
  auto incidents = backlog::loadIncidents(db, all);
  if (!incidents) {
    // A database the agent wrote before [D] has no incident tables: nothing was ever filed.
    if (incidents.error().message.find("no such table") != std::string::npos) {
      out.no_tables = true;
      return {};
    }
    return incidents.error();
  }
  auto tickets = backlog::loadTickets(db);
  if (!tickets) return tickets.error();
  auto pending = backlog::loadPendingActions(db);
  if (!pending) return pending.error();
  auto counts = backlog::countOutbox(db);
  if (!counts) return counts.error();
  std::map<std::int64_t, std::size_t> index;
  for (auto& incident : *incidents) {
    index[incident.id] = out.rows.size();
    out.rows.push_back(IncidentRow{std::move(incident), {}, 0});
  }
  for (auto& ticket : *tickets) {
    if (auto it = index.find(ticket.incident_id); it != index.end())
      out.rows[it->second].tickets.push_back(std::move(ticket));
  }
  for (const auto& action : *pending) {
    if (auto it = index.find(action.incident_id); it != index.end()) ++out.rows[it->second].pending;
  }
  out.counts = *counts;
  return {};
}

std::string shortFingerprint(const std::string& fingerprint) {
  constexpr std::string_view kPrefix = "shopwatch-";
  std::string hex = fingerprint.starts_with(kPrefix) ? fingerprint.substr(kPrefix.size()) : fingerprint;
  return hex.substr(0, 8);
}

std::string targetText(const rules::Target& target) {
  return target.str() + " (" + target.key.env + ")";
}

std::string ticketsText(const IncidentRow& row) {
  std::string out;
  for (const auto& t : row.tickets) {
    if (!out.empty()) out += ", ";
    out += t.sink + (t.ticket.key.empty() ? "" : " " + t.ticket.key);
  }
  return out.empty() ? "-" : out;
}

nlohmann::json toJson(const IncidentRow& row) {
  const backlog::Incident& inc = row.incident;
  nlohmann::json tickets = nlohmann::json::object();
  for (const auto& t : row.tickets) {
    tickets[t.sink] = {{"key", t.ticket.key},
                       {"id", t.ticket.id},
                       {"url", t.ticket.url},
                       {"episode", t.ticket.episode}};
  }
  nlohmann::json j = {
      {"fingerprint", inc.fingerprint},
      {"rule", inc.rule},
      {"shop", inc.target.key.shop},
      {"env", inc.target.key.env},
      {"check", inc.target.key.check},
      {"step", inc.target.step.empty() ? nlohmann::json(nullptr) : nlohmann::json(inc.target.step)},
      {"target", inc.target.str()},
      {"severity", std::string(rules::severityName(inc.severity))},
      {"state", std::string(backlog::incidentStateName(inc.state))},
      {"episode", inc.episode},
      {"opened_at", core::formatRfc3339(inc.opened_at)},
      {"resolved_at",
       inc.resolved_at ? nlohmann::json(core::formatRfc3339(*inc.resolved_at)) : nlohmann::json(nullptr)},
      {"peak", inc.peak ? nlohmann::json(*inc.peak) : nlohmann::json(nullptr)},
      {"expr", inc.expr},
      {"threshold", inc.threshold},
      {"sinks", inc.sinks},
      {"tickets", tickets},
      {"outbox_pending", row.pending},
  };
  return j;
}

void printTable(const Listing& listing, bool all) {
  const std::vector<std::string> header = {"FINGERPRINT", "RULE",    "TARGET", "SEVERITY", "STATE",
                                           "EPISODE",     "SINCE",   "TICKETS", "PENDING"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : listing.rows) {
    const backlog::Incident& inc = row.incident;
    cells.push_back({shortFingerprint(inc.fingerprint), inc.rule, targetText(inc.target),
                     std::string(rules::severityName(inc.severity)),
                     std::string(backlog::incidentStateName(inc.state)), std::to_string(inc.episode),
                     core::formatRfc3339(inc.opened_at), ticketsText(row), std::to_string(row.pending)});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& line : cells) width[c] = std::max(width[c], line[c].size());
  }
  auto print = [&](const std::vector<std::string>& line) {
    std::string text;
    for (std::size_t c = 0; c < line.size(); ++c) {
      text += line[c];
      if (c + 1 < line.size()) text += std::string(width[c] - line[c].size() + 2, ' ');
    }
    std::printf("%s\n", text.c_str());
  };
  if (!cells.empty()) {
    print(header);
    for (const auto& line : cells) print(line);
  } else {
    std::printf("%s\n", all ? "no incidents" : "no open incidents");
  }
  std::printf("%lld open; outbox: %lld pending, %lld dead\n",
              static_cast<long long>(listing.counts.incidents_open),
              static_cast<long long>(listing.counts.pending),
              static_cast<long long>(listing.counts.dead));
}

}  // namespace

int incidentsCommand(const std::string& config_path, bool all, bool json) {
  auto config = loadCommandConfig(config_path);
  if (!config) return kExitFailed;
  const std::string& database = config->agent.database;
  std::error_code ec;
  if (!std::filesystem::exists(database, ec)) {
    std::fprintf(stderr,
                 "shopwatch: no database at %s (agent.database): the agent has not run with this "
                 "config yet, or runs in another directory\n",
                 database.c_str());
    return kExitFailed;
  }
  auto store = storage::SqliteResultStore::openReadOnly(database);
  if (!store) {
    std::fprintf(stderr, "shopwatch: cannot open %s: %s\n", database.c_str(),
                 store.error().message.c_str());
    return kExitFailed;
  }
  Listing listing;
  if (auto st = (*store)->read([&](storage::Db& db) { return readListing(db, all, listing); }); !st) {
    std::fprintf(stderr, "shopwatch: cannot read incidents from %s: %s\n", database.c_str(),
                 st.error().message.c_str());
    return kExitFailed;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : listing.rows) out.push_back(toJson(row));
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  if (listing.no_tables) {
    std::printf("no incidents: %s has no incident tables yet (nothing was ever filed)\n",
                database.c_str());
    return kExitOk;
  }
  printTable(listing, all);
  return kExitOk;
}

}  // namespace shopwatch::cli
