// renderStatusPage: the live status page at `GET /` — self-contained, refreshing, phone-friendly.
// Sections: open incidents, checks, what to improve next (when given), maintenance.
#include "shopwatch/agent/report/status_page.h"

#include <algorithm>
#include <string>

#include "html_text.h"
#include "svg_charts.h"

namespace shopwatch::agent::report {

namespace {

using namespace html;

/// Label and symbol for a state; the colour comes from the badge class (never colour alone).
std::string badge(const std::string& state) {
  std::string cls = state;
  std::string label;
  if (state == "up") {
    label = "&#10004; Up";
  } else if (state == "down") {
    label = "&#10008; Down";
  } else if (state == "maintenance") {
    label = "&#9881; Maintenance";
  } else {
    cls = "pending";
    label = "&#8230; Pending";
  }
  return "<span class=\"badge " + cls + " state\" data-state=\"" + escape(cls) + "\">" + label +
         "</span>";
}

std::string headline(const StatusPage& page) {
  std::size_t down = 0;
  std::size_t maint = 0;
  for (const auto& c : page.checks) {
    if (c.state == "down") ++down;
    if (c.state == "maintenance") ++maint;
  }
  if (page.checks.empty()) return "<p class=\"verdict unknown\">No checks configured</p>";
  if (down > 0)
    return "<p class=\"verdict missed\">&#10008; " + std::to_string(down) +
           (down == 1 ? " check is" : " checks are") + " down</p>";
  if (maint > 0)
    return "<p class=\"verdict state-maintenance\">&#9881; Maintenance in progress</p>";
  return "<p class=\"verdict met\">&#10004; All checks are up</p>";
}

std::string checkRow(const StatusPage& page, const StatusCheck& c) {
  const std::string name =
      c.shop + (c.env.empty() || c.env == "production" ? "" : " (" + c.env + ")") + "/" + c.check;
  std::string s = "<tr class=\"check state-row-" + escape(c.state) + "\"><td><strong>" +
                  escape(c.check) + "</strong>" +
                  (c.journey ? " <span class=\"muted\">journey</span>" : "") + "</td><td>" +
                  badge(c.state);
  if (!c.failure.empty()) s += "<div class=\"failure\">" + escape(c.failure) + "</div>";
  s += "</td><td class=\"num\">";
  if (c.last_run) {
    const bool today =
        localTime(*c.last_run, page.timezone, "%F") == localTime(page.now, page.timezone, "%F");
    s += escape(localTime(*c.last_run, page.timezone, today ? "%H:%M:%S" : "%Y-%m-%d %H:%M"));
  }
  if (c.last_duration_seconds)
    s +=
        "<br><span class=\"muted\">" + escape(latencySeconds(*c.last_duration_seconds)) + "</span>";
  s +=
      "</td><td class=\"num\" data-label=\"24 h\">" +
      (c.availability_24h ? percentShort(*c.availability_24h, 2) + " %" : std::string("-")) +
      "</td><td class=\"spark\">" +
      hourlyAvailabilityStrip(c.hours, page.timezone, "Availability per hour, last 24 h, " + name) +
      p95Sparkline(c.hours, "p95 latency per hour, last 24 h, " + name) + "</td></tr>";
  return s;
}

std::string checksSection(const StatusPage& page) {
  std::string s = "<section id=\"checks\"><h2>Checks</h2>";
  std::string group;
  bool open = false;
  for (const StatusCheck& c : page.checks) {
    const std::string g = c.shop + "\n" + c.env;
    if (g != group || !open) {
      if (open) s += "</tbody></table></div>";
      group = g;
      open = true;
      s += "<h3 class=\"shop\">" + escape(c.shop) +
           (c.env.empty() || c.env == "production"
                ? ""
                : " <span class=\"muted\">(" + escape(c.env) + ")</span>") +
           "</h3><div class=\"scroll\"><table "
           "class=\"status\"><thead><tr><th>Check</th><th>State</th>"
           "<th class=\"num\">Last run</th><th class=\"num\">24 h</th><th>Last 24 h (availability, "
           "p95)</th>"
           "</tr></thead><tbody>";
    }
    s += checkRow(page, c);
  }
  if (open) s += "</tbody></table></div>";
  if (page.checks.empty()) s += "<p>No checks are configured.</p>";
  return s + "</section>";
}

std::string incidentsSection(const StatusPage& page) {
  std::string s = "<section id=\"incidents\"><h2>Open incidents</h2>";
  if (page.incidents.empty()) return s + "<p>No open incidents.</p></section>";
  s += "<div class=\"scroll\"><table class=\"incidents "
       "stack\"><thead><tr><th>Check</th><th>Rule</th><th>Severity</th>"
       "<th>Since</th><th>Ticket</th></tr></thead><tbody>";
  for (const StatusIncident& i : page.incidents) {
    s += "<tr><td><strong>" + escape(i.shop + "/" + i.check) +
         "</strong></td><td data-label=\"Rule\">" + escape(i.rule) +
         "</td><td data-label=\"Severity\">" + escape(i.severity) +
         "</td><td data-label=\"Since\">" + escape(localTime(i.start, page.timezone)) +
         " <span class=\"muted\">(" + escape(humanDuration(page.now - i.start)) +
         ")</span></td><td data-label=\"Ticket\">";
    if (i.ticket.empty()) {
      s += "<span class=\"muted\">none</span>";
    } else if (isLinkable(i.ticket_url)) {
      s += "<a class=\"ticket\" href=\"" + escape(i.ticket_url) + "\" rel=\"noreferrer\">" +
           escape(i.ticket) + "</a>";
    } else {
      s += escape(i.ticket);
    }
    s += "</td></tr>";
  }
  return s + "</tbody></table></div></section>";
}

std::string maintenanceSection(const StatusPage& page) {
  std::string s = "<section id=\"maintenance\"><h2>Maintenance</h2>";
  if (page.maintenance.empty())
    return s + "<p>No maintenance is active or planned for the next 7 days.</p></section>";
  s += "<div class=\"scroll\"><table class=\"maintenance "
       "stack\"><thead><tr><th></th><th>Window</th><th>Shops</th>"
       "<th>From</th><th>Until</th><th>Reason</th></tr></thead><tbody>";
  for (const StatusMaintenance& m : page.maintenance) {
    std::string shops;
    for (const auto& sh : m.shops) shops += (shops.empty() ? "" : ", ") + sh;
    s +=
        "<tr><td>" +
        std::string(m.active ? "<span class=\"badge maintenance\">active now</span>" : "upcoming") +
        "</td><td data-label=\"Window\">" + escape(m.name) + "</td><td data-label=\"Shops\">" +
        escape(shops.empty() ? "all shops" : shops) + "</td><td data-label=\"From\">" +
        escape(localTime(m.start, page.timezone)) + "</td><td data-label=\"Until\">" +
        escape(localTime(m.end, page.timezone)) + "</td><td data-label=\"Reason\">" +
        escape(m.reason) + "</td></tr>";
  }
  return s + "</tbody></table></div></section>";
}

}  // namespace

std::string renderStatusPage(const StatusPage& page) {
  const std::string title =
      (page.client.empty() ? std::string("shopwatch") : page.client) + " status";
  const int refresh = std::max(page.refresh_seconds, 5);
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"refresh\" content=\"" +
      std::to_string(refresh) + "\"><title>" + escape(title) + "</title><style>" +
      std::string(baseCss()) +
      "td.spark{min-width:180px}td.spark svg.chart{margin:2px 0;max-width:240px}"
      ".failure{font-size:.85em;color:#c62828;max-width:28em;overflow-wrap:anywhere}"
      // Phones: each check is a small card (name | state, last run | 24 h, charts), the
      // other tables stack their cells with the column name in front.
      "@media (max-width:600px){table.status thead,table.stack thead{display:none}"
      "table.status tr{display:grid;grid-template-columns:1fr auto;gap:0 8px;"
      "border-bottom:1px solid var(--line);padding:6px 0}"
      "table.status td{border:0;padding:2px 4px}table.status td.num{text-align:left}"
      "table.status td.spark{grid-column:1/-1;min-width:0}"
      "table.stack tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}"
      "table.stack td{display:block;border:0;padding:1px 4px}"
      "table.stack td[data-label]::before,table.status "
      "td[data-label]::before{content:attr(data-label) \": \";color:var(--muted)}}"
      "</style></head><body><main>";
  s += "<header><h1>" + escape(title) + "</h1>" + headline(page) +
       "<p class=\"muted updated\">updated " +
       escape(localTime(page.now, page.timezone, "%Y-%m-%d %H:%M:%S %Z")) +
       " &middot; refreshes every " + std::to_string(refresh) + " s</p></header>";
  s += incidentsSection(page);
  s += checksSection(page);
  s += page.improve_next_html;
  s += maintenanceSection(page);
  s += "</main></body></html>\n";
  return s;
}

}  // namespace shopwatch::agent::report
