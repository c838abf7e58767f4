// reportText(): the report for a terminal or an e-mail — header, per shop the SLA line and a table
// of checks, incidents with their ticket keys, the maintenance windows and who announced them.
// Availability shows 4 decimals ROUNDED DOWN (never overstated); MET/MISSED is the exact figure's.
#include <algorithm>
#include <cstdio>

#include "report_improvements.h"
#include "report_numbers.h"
#include "shopwatch/agent/report/report_calendar.h"
#include "shopwatch/agent/report/report_formats.h"

namespace shopwatch::agent::report {
namespace {

using Table = std::vector<std::vector<std::string>>;

/// "3d 4h 05m", "1h 02m 03s", "45s", "0s" (whole seconds).
std::string humanDuration(core::Micros d) {
  std::int64_t s = d.count() / 1000000;
  if (s <= 0) return d.count() > 0 ? "<1s" : "0s";
  const std::int64_t days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60, secs = s % 60;
  char buf[64];
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lldd %lldh %02lldm", static_cast<long long>(days),
                  static_cast<long long>(hours), static_cast<long long>(minutes));
  } else if (hours > 0) {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(hours),
                  static_cast<long long>(minutes), static_cast<long long>(secs));
  } else if (minutes > 0) {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(minutes), static_cast<long long>(secs));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(secs));
  }
  return buf;
}

/// A latency: "123 ms" (µs rounded to ms), "-" when missing.
std::string latency(const std::optional<core::Micros>& us) {
  if (!us) return "-";
  return std::to_string((us->count() + 500) / 1000) + " ms";
}

std::string availability(const std::optional<double>& ratio) {
  return ratio ? detail::percentFloor4(*ratio) + " %" : std::string("-");
}

void printTable(std::string& out, const std::string& indent, const Table& table) {
  if (table.empty()) return;
  std::vector<std::size_t> width(table.front().size(), 0);
  for (const auto& line : table)
    for (std::size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  for (const auto& line : table) {
    std::string text = indent;
    for (std::size_t c = 0; c < line.size(); ++c) {
      text += line[c];
      if (c + 1 < line.size()) text += std::string(width[c] - line[c].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
}

std::string slaLine(const ShopReport& shop) {
  std::string line = shop.shop + " (" + shop.env + "): ";
  if (!shop.sla) return line + "no SLA terms (figures for information)";
  const SlaSummary& sla = *shop.sla;
  line += sla.availability ? detail::percentFloor4(*sla.availability) + " %" : std::string("no data");
  line += " \u2014 target " + detail::percentText(sla.target) + " % \u2014 ";
  line += sla.met ? (*sla.met ? "MET" : "MISSED") : "NO VERDICT (nothing was monitored)";
  return line;
}

void printShop(std::string& out, const MonthReport& report, const ShopReport& shop) {
  out += slaLine(shop) + "\n";
  if (shop.sla) {
    const SlaSummary& sla = *shop.sla;
    out += "  downtime " + humanDuration(sla.downtime) + ", maintenance " + humanDuration(sla.maintenance) +
           ", unmonitored " + humanDuration(sla.unmonitored);
    if (sla.error_budget_used) out += ", error budget used " + detail::percentText(*sla.error_budget_used) + " %";
    out += "\n  policies: maintenance " + sla.maintenance_policy + ", unmonitored " + sla.unmonitored_policy +
           ", apdex T " + latency(sla.apdex_t) + "\n";
  }
  Table table{{"CHECK", "SLA", "AVAILABILITY", "DOWNTIME", "MAINTENANCE", "UNMONITORED", "RUNS", "FAILED",
               "P50", "P95", "P99", "APDEX", "INCIDENTS"}};
  for (const auto& c : shop.checks) {
    char apdex[16] = "-";
    if (c.apdex) std::snprintf(apdex, sizeof apdex, "%.2f", *c.apdex);
    table.push_back({c.check + (c.journey ? " (journey)" : ""), c.in_sla ? "yes" : "no",
                     availability(c.availability), humanDuration(c.downtime), humanDuration(c.maintenance),
                     humanDuration(c.unmonitored), std::to_string(c.runs), std::to_string(c.failed_runs),
                     latency(c.p50), latency(c.p95), latency(c.p99), apdex, std::to_string(c.incidents.size())});
  }
  if (shop.checks.empty()) {
    out += "  no checks\n";
  } else {
    out += "\n";
    printTable(out, "  ", table);
  }
  Table incidents{{"CHECK", "RULE", "SEVERITY", "START", "END", "DURATION", "TICKET"}};
  for (const auto& c : shop.checks) {
    for (const auto& i : c.incidents) {
      incidents.push_back({c.check, i.rule, i.severity, localTimeText(i.start, report.timezone),
                           i.end ? localTimeText(*i.end, report.timezone) : std::string("open"),
                           humanDuration(i.duration), i.ticket.empty() ? std::string("-") : i.ticket});
    }
  }
  if (incidents.size() > 1) {
    out += "\n  Incidents:\n";
    printTable(out, "    ", incidents);
  }
  if (!shop.worst_days.empty()) {
    std::string days;
    for (const auto& d : shop.worst_days) days += (days.empty() ? "" : ", ") + d;
    out += "\n  Worst days: " + days + "\n";
  }
  out += "\n";
}

std::string shopsText(const std::vector<std::string>& shops) {
  if (shops.empty()) return "every shop";
  std::string out;
  for (const auto& s : shops) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string reportText(const MonthReport& report) {
  std::string out;
  out += "SLA report " + report.month + (report.client.empty() ? "" : " \u2014 " + report.client) + "\n";
  out += "Month:      " + report.month + " (" + report.timezone + ": " +
         localTimeText(report.from, report.timezone) + " to " + localTimeText(report.to, report.timezone) +
         ")\n";
  out += "Time zone:  " + report.timezone + "\n";
  out += "Generated:  " + localTimeText(report.generated_at, report.timezone) + "\n";
  if (report.frozen) {
    out += "FROZEN:     these figures were frozen" +
           (report.frozen_at ? " at " + localTimeText(*report.frozen_at, report.timezone) : std::string()) +
           "; later config changes or retention do not alter them\n";
  }
  out += "\n";
  if (report.shops.empty()) out += "No shops.\n\n";
  for (const auto& shop : report.shops) printShop(out, report, shop);
  if (report.maintenance.empty()) {
    out += "Maintenance: none\n";
  } else {
    out += "Maintenance:\n";
    Table table{{"NAME", "SHOPS", "START", "END", "ANNOUNCED BY", "REASON"}};
    for (const auto& m : report.maintenance) {
      table.push_back({m.name, shopsText(m.shops), localTimeText(m.start, report.timezone),
                       localTimeText(m.end, report.timezone), m.announced_by,
                       m.reason.empty() ? std::string("-") : m.reason});
    }
    printTable(out, "  ", table);
  }
  if (!report.improvements.empty()) out += "\n" + detail::improvementsText(report.improvements);
  out += "\nAvailability is rounded down to 4 decimals; MET/MISSED compares the exact figure.\n";
  return out;
}

}  // namespace shopwatch::agent::report
