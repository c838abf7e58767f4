#pragma once
// Hand-built models for the HTML tests: a November 2026 report in Europe/Vienna (an SLA met, an SLA
// missed, a journey, a hostile check name, incidents with tickets, maintenance with its announcer)
// and a status page.

#include <chrono>
#include <string>

#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/agent/report/status_page.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::report_html_test {

using namespace std::chrono_literals;
using agent::report::CheckReport;
using agent::report::DayFigures;
using agent::report::MonthReport;
using agent::report::ReportIncident;
using agent::report::ReportMaintenance;
using agent::report::ShopReport;
using agent::report::SlaSummary;

inline core::SystemTime at(const char* rfc3339) { return *core::parseRfc3339(rfc3339); }

inline const std::string kHostile = "<script>alert('x')</script> & \"co\"";

inline CheckReport checkFixture(const std::string& name, double availability, int bad_day) {
  CheckReport c;
  c.check = name;
  c.in_sla = true;
  c.availability = availability;
  c.covered = 30 * 24h;
  c.downtime = 43min;
  c.runs = 43200;
  c.failed_runs = 50;
  c.p50 = 180ms;
  c.p95 = 420ms;
  c.p99 = 900ms;
  c.apdex = 0.97;
  c.error_budget_used = 0.62;
  c.mttr = 21min;
  for (int d = 1; d <= 30; ++d) {
    DayFigures f;
    f.date = std::string("2026-11-") + (d < 10 ? "0" : "") + std::to_string(d);
    f.runs = 1440;
    if (d == 13) {  // a day the agent was not running
      f.unmonitored = 24h;
    } else {
      f.availability = d == bad_day ? 0.97 : 1.0 - 0.0001 * (d % 3);
      f.downtime = d == bad_day ? 43min : 0min;
      f.p50 = std::chrono::milliseconds{150 + d * 3};
      f.p95 = std::chrono::milliseconds{380 + d * 5};
      f.p99 = std::chrono::milliseconds{700 + d * 9};
    }
    c.days.push_back(f);
  }
  c.phases.samples = 43000;
  c.phases.resolve = 4ms;
  c.phases.connect = 12ms;
  c.phases.tls = 30ms;
  c.phases.processing = 110ms;
  c.phases.transfer = 24ms;
  return c;
}

inline MonthReport monthFixture() {
  MonthReport r;
  r.month = "2026-11";
  r.timezone = "Europe/Vienna";
  r.client = "Acme GmbH";
  r.from = at("2026-10-31T23:00:00Z");
  r.to = at("2026-11-30T23:00:00Z");
  r.generated_at = at("2026-12-01T07:30:00Z");

  ShopReport acme;
  acme.shop = "acme";
  acme.env = "production";
  SlaSummary sla;
  sla.target = 0.999;
  sla.target_text = "99.9%";
  sla.checks = {"acme/home", "acme/checkout"};
  sla.availability = 0.99912345;
  sla.met = true;
  sla.downtime = 43min;
  sla.error_budget_used = 0.62;
  acme.sla = sla;
  CheckReport home = checkFixture("home", 0.99912345, 7);
  ReportIncident inc;
  inc.rule = "home-down";
  inc.severity = "critical";
  inc.start = at("2026-11-07T09:10:00Z");
  inc.end = at("2026-11-07T09:53:00Z");
  inc.duration = 43min;
  inc.ticket = "OPS-17";
  inc.ticket_url = "https://redmine.example/issues/17";
  home.incidents.push_back(inc);
  home.maintenance = 2h;
  CheckReport checkout = checkFixture("checkout", 0.9995, 20);
  checkout.journey = true;
  checkout.steps = {{"payment", 43200, 10, 900ms, 2100ms}, {"cart", 43200, 2, 200ms, 600ms}};
  ReportIncident open;
  open.rule = "checkout-slow";
  open.severity = "warning";
  open.start = at("2026-11-29T20:00:00Z");
  open.duration = 3h;
  checkout.incidents.push_back(open);
  acme.checks = {checkout, home};
  acme.worst_days = {"2026-11-07", "2026-11-20"};
  r.shops.push_back(acme);

  ShopReport beta;
  beta.shop = "beta";
  beta.env = "staging";
  SlaSummary bsla;
  bsla.target = 0.999;
  bsla.target_text = "99.9%";
  bsla.availability = 0.995;
  bsla.met = false;
  bsla.downtime = 3h + 36min;
  beta.sla = bsla;
  CheckReport hostile = checkFixture(kHostile, 0.995, 3);
  hostile.downtime = 3h + 36min;
  beta.checks = {hostile};
  beta.worst_days = {"2026-11-03"};
  r.shops.push_back(beta);

  ReportMaintenance m;
  m.name = "db-upgrade";
  m.shops = {"acme"};
  m.start = at("2026-11-15T01:00:00Z");
  m.end = at("2026-11-15T03:00:00Z");
  m.reason = "database upgrade";
  m.announced_by = "alice@agency.example";
  r.maintenance.push_back(m);
  return r;
}

inline agent::report::StatusPage statusFixture(core::SystemTime now) {
  using namespace agent::report;
  StatusPage p;
  p.client = "Acme GmbH";
  p.timezone = "Europe/Vienna";
  p.now = now;
  StatusCheck home{"acme", "production", "home", "up", now - 20s,
                   0.182,  "",           false,  {},   std::nullopt};
  StatusCheck checkout{"acme",
                       "production",
                       "checkout",
                       "down",
                       now - 40s,
                       10.0,
                       "timeout: request timed out after 10s",
                       true,
                       {},
                       std::nullopt};
  StatusCheck hostile{"beta",       "staging", kHostile, "pending", std::nullopt,
                      std::nullopt, "",        false,    {},        std::nullopt};
  StatusCheck api{"beta", "staging", "api", "maintenance", now - 5s, 0.05,
                  "",     false,     {},    std::nullopt};
  p.checks = {checkout, home, api, hostile};
  for (auto& c : p.checks) {
    for (int h = 0; h < 24; ++h) {
      StatusHour sh;
      sh.hour = std::chrono::floor<std::chrono::hours>(now) - std::chrono::hours{23 - h};
      if (c.state != "pending") {
        sh.availability = (c.check == "checkout" && h > 20) ? 0.75 : 1.0;
        sh.p95_seconds = 0.2 + 0.01 * h;
      }
      c.hours.push_back(sh);
    }
    if (c.state != "pending") c.availability_24h = c.check == "checkout" ? 0.96875 : 1.0;
  }
  p.incidents.push_back(StatusIncident{"acme", "production", "checkout", "checkout-down",
                                       "critical", now - 3min, "OPS-42",
                                       "https://redmine.example/issues/42"});
  p.maintenance.push_back(
      StatusMaintenance{"api-7", {"beta"}, now - 10min, now + 50min, "API migration", true});
  p.maintenance.push_back(
      StatusMaintenance{"weekly", {}, now + 48h, now + 50h, "weekly window", false});
  return p;
}

}  // namespace shopwatch::report_html_test
