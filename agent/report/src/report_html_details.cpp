// The details part of reportHtml: checks, incidents, maintenance, slowest journey steps, worst
// days.
#include <algorithm>
#include <string>

#include "html_text.h"
#include "report_html_parts.h"

namespace shopwatch::agent::report::html {

namespace {

std::string cell(const std::string& text, bool number = false) {
  return std::string(number ? "<td class=\"num\">" : "<td>") + escape(text) + "</td>";
}

std::string opt(const std::optional<core::Micros>& v) { return v ? latency(*v) : "-"; }

std::string ticketCell(const std::string& ticket, const std::string& url) {
  if (ticket.empty()) return "<td class=\"muted\">none</td>";
  if (!isLinkable(url)) return cell(ticket);
  return "<td><a class=\"ticket\" href=\"" + escape(url) + "\" rel=\"noreferrer\">" +
         escape(ticket) + "</a></td>";
}

/// Availability figures per check (what the SLA is about), then speed figures (what users feel).
std::string checksTable(const ShopReport& shop) {
  std::string s =
      "<div class=\"scroll\"><table class=\"checks\"><thead><tr><th>Check</th><th "
      "class=\"num\">Availability</th>"
      "<th class=\"num\">Downtime</th><th class=\"num\">Maintenance</th><th "
      "class=\"num\">Unmonitored</th>"
      "<th class=\"num\">Runs</th><th class=\"num\">Failed</th><th class=\"num\">Error budget "
      "used</th>"
      "<th class=\"num\">MTTR</th></tr></thead><tbody>";
  std::string speed =
      "<div class=\"scroll\"><table class=\"speed\"><thead><tr><th>Check</th><th "
      "class=\"num\">p50</th>"
      "<th class=\"num\">p95</th><th class=\"num\">p99</th><th "
      "class=\"num\">Apdex</th></tr></thead><tbody>";
  for (const CheckReport& c : shop.checks) {
    const std::string name =
        c.check + (c.journey ? " (journey)" : "") + (shop.sla && !c.in_sla ? " (not in SLA)" : "");
    s += "<tr>" + cell(name);
    s += cell(c.availability ? percentDown(*c.availability) + " %" : "-", true);
    s += cell(humanDuration(c.downtime), true) + cell(humanDuration(c.maintenance), true) +
         cell(humanDuration(c.unmonitored), true);
    s += cell(std::to_string(c.runs), true) + cell(std::to_string(c.failed_runs), true);
    s += cell(c.error_budget_used ? fixed(*c.error_budget_used * 100, 0) + " %" : "-", true);
    s += cell(c.mttr ? humanDuration(*c.mttr) : "-", true) + "</tr>";
    speed += "<tr>" + cell(name) + cell(opt(c.p50), true) + cell(opt(c.p95), true) +
             cell(opt(c.p99), true) + cell(c.apdex ? fixed(*c.apdex, 2) : "-", true) + "</tr>";
  }
  return s + "</tbody></table></div><h4>Speed (passing requests)</h4>" + speed +
         "</tbody></table></div>";
}

std::string incidentsTable(const MonthReport& report, const ShopReport& shop) {
  std::string rows;
  for (const CheckReport& c : shop.checks) {
    for (const ReportIncident& i : c.incidents) {
      rows += "<tr>" + cell(c.check) + cell(i.rule) + cell(i.severity) +
              cell(localTime(i.start, report.timezone)) +
              cell(i.end ? localTime(*i.end, report.timezone) : "still open") +
              cell(humanDuration(i.duration), true) + ticketCell(i.ticket, i.ticket_url) + "</tr>";
    }
  }
  if (rows.empty()) return "<p>No incidents.</p>";
  return "<div class=\"scroll\"><table class=\"incidents\"><thead><tr><th>Check</th><th>Rule</th>"
         "<th>Severity</th><th>Start</th><th>End</th><th "
         "class=\"num\">Duration</th><th>Ticket</th></tr>"
         "</thead><tbody>" +
         rows + "</tbody></table></div>";
}

std::string stepsTables(const ShopReport& shop) {
  std::string s;
  for (const CheckReport& c : shop.checks) {
    if (!c.journey || c.steps.empty()) continue;
    s += "<h4>Slowest steps of " + escape(c.check) +
         "</h4><div class=\"scroll\"><table class=\"steps\"><thead><tr><th>Step</th><th "
         "class=\"num\">Runs</th>"
         "<th class=\"num\">Failed</th><th class=\"num\">p50</th><th "
         "class=\"num\">p95</th></tr></thead><tbody>";
    for (const StepFigures& st : c.steps)
      s += "<tr>" + cell(st.step) + cell(std::to_string(st.runs), true) +
           cell(std::to_string(st.failed_runs), true) + cell(opt(st.p50), true) +
           cell(opt(st.p95), true) + "</tr>";
    s += "</tbody></table></div>";
  }
  return s;
}

std::string worstDays(const ShopReport& shop) {
  if (shop.worst_days.empty()) return "<p>No day had downtime.</p>";
  std::string s = "<ol class=\"worst-days\">";
  for (const std::string& date : shop.worst_days) {
    core::Micros down{0};
    for (const CheckReport& c : shop.checks) {
      if (shop.sla && !c.in_sla) continue;
      for (const DayFigures& d : c.days)
        if (d.date == date) down += d.downtime;
    }
    s += "<li>" + escape(date) + ": " + humanDuration(down) + " of downtime</li>";
  }
  return s + "</ol>";
}

std::string maintenanceTable(const MonthReport& report) {
  if (report.maintenance.empty()) return "<p>No maintenance this month.</p>";
  std::string s =
      "<div class=\"scroll\"><table "
      "class=\"maintenance\"><thead><tr><th>Window</th><th>Shops</th><th>Start</th>"
      "<th>End</th><th class=\"num\">Duration</th><th>Reason</th><th>Announced "
      "by</th></tr></thead><tbody>";
  for (const ReportMaintenance& m : report.maintenance) {
    std::string shops;
    for (const auto& sh : m.shops) shops += (shops.empty() ? "" : ", ") + sh;
    s += "<tr>" + cell(m.name) + cell(shops.empty() ? "all shops" : shops) +
         cell(localTime(m.start, report.timezone)) + cell(localTime(m.end, report.timezone)) +
         cell(humanDuration(m.end - m.start), true) + cell(m.reason) +
         "<td class=\"announced-by\">" +
         escape(m.announced_by == "config" ? "config file" : m.announced_by) + "</td></tr>";
  }
  return s + "</tbody></table></div>";
}

}  // namespace

std::string detailsSection(const MonthReport& report) {
  std::string s = "<section id=\"details\"><h2>Details</h2>";
  for (const ShopReport& shop : report.shops) {
    s += "<h3>" + escape(shopTitle(shop)) + "</h3>";
    if (shop.sla) {
      std::string checks;
      for (const auto& c : shop.sla->checks) checks += (checks.empty() ? "" : ", ") + c;
      s += "<p class=\"muted\">SLA target " + escape(shop.sla->target_text) + " over " +
           escape(checks.empty() ? "all checks" : checks) + ".</p>";
    }
    s += "<h4>Checks</h4>" + checksTable(shop);
    s += "<h4>Incidents</h4>" + incidentsTable(report, shop);
    s += stepsTables(shop);
    s += "<h4>Worst days</h4>" + worstDays(shop);
  }
  s += "<h3>Maintenance</h3>" + maintenanceTable(report);
  return s + "</section>";
}

}  // namespace shopwatch::agent::report::html
