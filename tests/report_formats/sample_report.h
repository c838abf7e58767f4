#pragma once
// A rich MonthReport built by hand (every field set, open and resolved incidents, a shop without SLA
// terms) for the format tests.

#include <chrono>

#include "shopwatch/agent/report/month_report.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::report_test {

inline core::SystemTime at(const char* rfc3339) { return *core::parseRfc3339(rfc3339); }

inline agent::report::MonthReport sampleReport() {
  using namespace std::chrono;
  using namespace agent::report;
  MonthReport r;
  r.month = "2026-11";
  r.timezone = "Europe/Vienna";
  r.client = "ACME Handels GmbH";
  r.from = at("2026-10-31T23:00:00Z");
  r.to = at("2026-11-30T23:00:00Z");
  r.generated_at = at("2026-12-01T07:30:00.250000Z");

  ShopReport acme;
  acme.shop = "acme";
  acme.env = "production";
  SlaSummary sla;
  sla.target = 0.999;
  sla.target_text = "99.9%";
  sla.maintenance_policy = "exclude";
  sla.unmonitored_policy = "exclude";
  sla.checks = {"acme/checkout", "acme/home"};
  sla.availability = 0.999312;
  sla.met = true;
  sla.downtime = seconds{1783};
  sla.maintenance = hours{2};
  sla.unmonitored = microseconds{12'500'000};
  sla.error_budget_used = 0.68777;
  sla.apdex_t = milliseconds{500};
  acme.sla = sla;

  CheckReport checkout;
  checkout.check = "checkout";
  checkout.journey = true;
  checkout.in_sla = true;
  checkout.availability = 0.9989996;
  checkout.covered = hours{720};
  checkout.downtime = seconds{1500};
  checkout.maintenance = hours{2};
  checkout.unmonitored = microseconds{12'500'000};
  checkout.runs = 43200;
  checkout.failed_runs = 25;
  checkout.p50 = microseconds{412'345};
  checkout.p95 = milliseconds{980};
  checkout.p99 = microseconds{1'450'001};
  checkout.apdex = 0.9375;
  checkout.error_budget_used = 1.25;
  ReportIncident resolved{"checkout-down", "critical", at("2026-11-03T13:05:00Z"),
                          at("2026-11-03T13:30:00Z"), minutes{25}, "OPS-123",
                          "https://jira.example.com/browse/OPS-123"};
  ReportIncident open{"checkout-slow", "warning", at("2026-11-30T22:00:00Z"), std::nullopt, minutes{30},
                      "", ""};
  checkout.incidents = {resolved, open};
  checkout.mttr = minutes{25};
  DayFigures d1{"2026-11-01", 1.0, {}, {}, {}, 1440, 0, milliseconds{400}, milliseconds{900}, milliseconds{1200}};
  DayFigures d2{"2026-11-03", 0.98958333, seconds{1500}, hours{2}, seconds{12}, 1440, 25,
                microseconds{420'001}, std::nullopt, std::nullopt};
  DayFigures d3{"2026-11-04", std::nullopt, {}, {}, hours{24}, 0, 0, std::nullopt, std::nullopt, std::nullopt};
  checkout.days = {d1, d2, d3};
  checkout.phases = PhaseBreakdown{43175, microseconds{1'200}, microseconds{8'000}, microseconds{22'000},
                                   microseconds{350'000}, microseconds{31'145}};
  checkout.steps = {StepFigures{"pay", 43200, 20, milliseconds{300}, milliseconds{700}},
                    StepFigures{"cart", 43200, 5, milliseconds{80}, std::nullopt}};

  CheckReport home;
  home.check = "home";
  home.in_sla = true;
  home.availability = 1.0;
  home.covered = hours{720};
  home.runs = 43200;
  acme.checks = {checkout, home};
  acme.worst_days = {"2026-11-03"};

  ShopReport beta;
  beta.shop = "beta, the \"new\" one";
  beta.env = "staging";
  CheckReport empty;
  empty.check = "api";
  beta.checks = {empty};

  r.shops = {acme, beta};
  r.maintenance = {ReportMaintenance{"nightly", {"acme"}, at("2026-11-03T01:00:00Z"),
                                     at("2026-11-03T03:00:00Z"), "database upgrade", "config"},
                   ReportMaintenance{"api-7", {}, at("2026-11-20T10:00:00Z"), at("2026-11-20T10:30:00Z"),
                                     "", "ops@acme"}};
  return r;
}

/// Two improvements (a journey step's with a byte saving, a check's on staging), most important first.
inline std::vector<agent::report::ReportImprovement> sampleImprovements() {
  using agent::report::ReportImprovement;
  return {ReportImprovement{"acme", "production", "checkout", "cart", "slow-ttfb", "warning",
                            "server time is 82% of acme/checkout/cart p95 (1.42 s)", 1.17, 0},
          ReportImprovement{"beta, the \"new\" one", "staging", "api", "", "no-compression", "info",
                            "responses are sent <uncompressed> & big", 0.19, 296960}};
}

}  // namespace shopwatch::report_test
