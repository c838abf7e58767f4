// reportHtml: one self-contained HTML file — summary for a non-technical reader first, then what to
// improve next (when the report has improvements), inline SVG charts, then the details (report_html_details.cpp). No script, no external resource.
#include <array>
#include <string>

#include "html_text.h"
#include "report_html_parts.h"
#include "report_improvements.h"
#include "shopwatch/agent/report/report_formats.h"
#include "svg_charts.h"

namespace shopwatch::agent::report {

namespace html {

std::string monthTitle(const std::string& month) {
  static constexpr std::array<const char*, 12> kMonths{
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  if (month.size() != 7 || month[4] != '-') return month;
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  if (m < 1 || m > 12) return month;
  return std::string(kMonths[static_cast<std::size_t>(m - 1)]) + " " + month.substr(0, 4);
}

std::string shopTitle(const ShopReport& shop) {
  if (shop.env.empty() || shop.env == "production") return shop.shop;
  return shop.shop + " (" + shop.env + ")";
}

core::Micros shopDowntime(const ShopReport& shop) {
  if (shop.sla) return shop.sla->downtime;
  core::Micros sum{0};
  for (const auto& c : shop.checks) sum += c.downtime;
  return sum;
}

}  // namespace html

namespace {

using namespace html;

std::size_t incidentCount(const ShopReport& shop) {
  std::size_t n = 0;
  for (const auto& c : shop.checks) n += c.incidents.size();
  return n;
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string summaryCard(const MonthReport& report, const ShopReport& shop) {
  const std::string month = monthTitle(report.month);
  std::string verdict_class = "unknown";
  std::string verdict = "No SLA agreed";
  std::optional<double> availability;
  if (shop.sla) {
    availability = shop.sla->availability;
    if (shop.sla->met) {
      verdict_class = *shop.sla->met ? "met" : "missed";
      verdict = *shop.sla->met ? "SLA met" : "SLA missed";
    } else {
      verdict = "Not enough data";
    }
  }
  const core::Micros downtime = shopDowntime(shop);
  const std::size_t incidents = incidentCount(shop);
  std::string s = "<div class=\"card shop-summary\" data-shop=\"" + escape(shop.shop) + "\">";
  s += "<h3>" + escape(shopTitle(shop)) + "</h3>";
  s += "<p class=\"verdict " + verdict_class + "\">" +
       (verdict_class == "met"      ? "&#10004; "
        : verdict_class == "missed" ? "&#10008; "
                                    : "") +
       escape(verdict) + "</p>";
  s += "<table class=\"kpis\">";
  if (availability)
    s += "<tr><th>Availability</th><td class=\"num big availability\">" +
         percentDown(*availability) + " %</td></tr>";
  if (shop.sla)
    s += "<tr><th>Agreed target</th><td class=\"num\">" + escape(shop.sla->target_text) +
         "</td></tr>";
  s += "<tr><th>Downtime</th><td class=\"num\">" + humanDuration(downtime) + "</td></tr>";
  s += "<tr><th>Incidents</th><td class=\"num\">" + std::to_string(incidents) + "</td></tr>";
  if (shop.sla && shop.sla->error_budget_used)
    s += "<tr><th>Error budget used</th><td class=\"num\">" +
         fixed(*shop.sla->error_budget_used * 100, 0) + " %</td></tr>";
  s += "</table>";
  // Plain sentences.
  std::string p;
  if (shop.sla && availability) {
    p += "In " + month + " the shop was available " + percentDown(*availability) +
         " % of the monitored time; the agreed target is " + shop.sla->target_text + ". ";
    if (shop.sla->met) p += *shop.sla->met ? "The target was met. " : "The target was not met. ";
  } else if (shop.sla) {
    p += "There was not enough monitoring data in " + month + " to compute the availability. ";
  } else {
    p += "No SLA target is configured for this shop; the figures below are for information. ";
  }
  if (downtime.count() > 0) {
    p += "It was down for " + humanDuration(downtime) + " in total";
    p += incidents > 0 ? ", with " + plural(incidents, "incident", "incidents") + ". " : ". ";
  } else {
    p += "It had no downtime. ";
  }
  // Maintenance and unmonitored time of the checks the SLA counts (the SLA figure's sums).
  core::Micros maintenance{0};
  core::Micros unmonitored{0};
  for (const CheckReport& c : shop.checks) {
    if (shop.sla && !c.in_sla) continue;
    maintenance += c.maintenance;
    unmonitored += c.unmonitored;
  }
  if (maintenance.count() > 0)
    p += "Announced maintenance took " + humanDuration(maintenance) + " (see Maintenance below). ";
  if (unmonitored.count() > 0)
    p += "For " + humanDuration(unmonitored) +
         " the monitoring itself was not running (unmonitored time). ";
  s += "<p class=\"sentence\">" + escape(p) + "</p></div>";
  return s;
}

std::string chartsSection(const MonthReport& report) {
  std::string s = "<section id=\"charts\"><h2>Charts</h2>";
  for (const ShopReport& shop : report.shops) {
    const std::string title = shopTitle(shop);
    s += "<h3>" + escape(title) + "</h3>";
    const std::optional<double> target =
        shop.sla ? std::optional<double>(shop.sla->target) : std::nullopt;
    for (const CheckReport& c : shop.checks) {
      s += "<h4>" + escape(c.check) + (c.journey ? " (journey)" : "") +
           "</h4><div class=\"scroll\">";
      s += dailyAvailabilityChart(c, target, "Daily availability of " + title + "/" + c.check);
      s += latencyPercentilesChart(c,
                                   "Latency p50, p95 and p99 per day of " + title + "/" + c.check);
      s += "</div>";
    }
    std::vector<PhaseRow> phases;
    std::vector<TimelineRow> timeline;
    for (const CheckReport& c : shop.checks) {
      phases.push_back(PhaseRow{c.check, &c.phases});
      if (!c.incidents.empty()) timeline.push_back(TimelineRow{c.check, &c.incidents});
    }
    s += "<h4>Where the time goes (mean per request)</h4><div class=\"scroll\">" +
         phaseBreakdownChart(phases, "Phase breakdown per check of " + title) + "</div>";
    s += "<h4>Incident timeline</h4><div class=\"scroll\">" +
         incidentTimelineChart(
             report.from, report.to, std::min(report.generated_at, report.to), timeline,
             report.timezone, "Incident timeline of " + title + " in " + monthTitle(report.month)) +
         "</div>";
  }
  return s + "</section>";
}

}  // namespace

std::string reportHtml(const MonthReport& report) {
  const std::string month = monthTitle(report.month);
  const std::string zone = report.timezone.empty() ? "UTC" : report.timezone;
  std::string title =
      "Service report " + month + (report.client.empty() ? "" : " — " + report.client);
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"shopwatch\"><title>" +
      escape(title) + "</title><style>" + std::string(baseCss()) +
      "h4{margin:.8em 0 .2em;font-size:1em}</style></head><body><main>";
  s += "<header><h1>" + escape(title) +
       "</h1><p class=\"muted\">Period: " + escape(localTime(report.from, zone, "%d %b %Y")) +
       " – " + escape(localTime(report.to - std::chrono::seconds{1}, zone, "%d %b %Y")) + " (" +
       escape(zone) + " time). Generated " + escape(localTime(report.generated_at, zone)) + ".";
  if (report.frozen)
    s += " These figures were frozen" +
         (report.frozen_at ? " on " + escape(localTime(*report.frozen_at, zone)) : "") +
         " and do not change any more.";
  s += "</p></header>";
  s += "<section id=\"summary\"><h2>Summary</h2>";
  if (report.shops.empty()) s += "<p>No shop has data for this month.</p>";
  s += "<div class=\"cards\">";
  for (const ShopReport& shop : report.shops) s += summaryCard(report, shop);
  s += "</div><p class=\"muted\">Availability is the share of the monitored time in which the shop "
       "answered correctly, rounded down. Downtime counts only failures confirmed by a second "
       "check.</p>"
       "</section>";
  s += detail::improvementsHtml(report.improvements);
  s += chartsSection(report);
  s += detailsSection(report);
  s += "</main></body></html>\n";
  return s;
}

}  // namespace shopwatch::agent::report
