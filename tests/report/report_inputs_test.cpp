// buildMonthReport's maintenance (runs in maintenance, config and API windows), incidents with
// tickets, journeys with steps and the shop filter, over synthetic months in a real store.
#include <catch2/catch.hpp>

#include "report_test_support.h"
#include "shopwatch/agent/report/report_builder.h"
#include "shopwatch/rules/maintenance.h"

using namespace shopwatch;
using namespace shopwatch::report_test;
using namespace shopwatch::agent::report;
namespace backlog = shopwatch::agent::backlog;

namespace {

const core::SystemTime kFrom = utc(2026, 11, 1), kTo = utc(2026, 12, 1);

const CheckReport* findCheck(const MonthReport& r, const std::string& shop,
                             const std::string& check) {
  for (const ShopReport& s : r.shops) {
    if (s.shop != shop) continue;
    for (const CheckReport& c : s.checks) {
      if (c.check == check) return &c;
    }
  }
  return nullptr;
}

MonthReport build(const agent::AgentConfig& config, MonthStore& ms,
                  std::optional<std::string> shop = std::nullopt) {
  auto r = buildMonthReport(config, ms.store(),
                            ReportRequest{YearMonth{2026, 11}, std::move(shop), kTo});
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return std::move(*r);
}

rules::MaintenanceSpec sundayWindow(const std::string& name, std::vector<std::string> shops) {
  rules::MaintenanceSpec spec;
  spec.name = name;
  spec.shops = std::move(shops);
  auto every = rules::parseRecurrence("sunday 02:00");
  REQUIRE(every.ok());
  spec.every = *every;
  spec.duration = 2h;
  spec.timezone = "UTC";
  spec.reason = "database upkeep";
  return spec;
}

backlog::Incident incident(const std::string& rule, const std::string& check,
                           const std::string& step, core::SystemTime opened,
                           std::optional<core::SystemTime> resolved) {
  backlog::Incident i;
  i.rule = rule;
  i.target = rules::Target{core::CheckKey{"acme", "production", check}, step};
  i.fingerprint = backlog::incidentFingerprint("acme-agency", rule, i.target);
  i.severity = rules::Severity::Critical;
  i.state = resolved ? backlog::IncidentState::Resolved : backlog::IncidentState::Open;
  i.opened_at = opened;
  i.resolved_at = resolved;
  i.expr = "availability < 100%";
  i.threshold = 1;
  i.sinks = {"jira"};
  return i;
}

core::Status addTicket(storage::Db& db, std::int64_t incident_id, const std::string& sink,
                       const std::string& key, const std::string& url) {
  auto s = db.statement(
      "INSERT INTO incident_ticket(incident_id,sink,ticket_key,ticket_id,url,episode) "
      "VALUES(?1,?2,?3,'1',?4,1)");
  if (!s) return s.error();
  (*s)->bind(1, incident_id).bind(2, sink).bind(3, key).bind(4, url);
  return (*s)->run();
}

}  // namespace

// Sunday 8 Nov 02:00–04:00: 24 runs in maintenance (7,200 s), two of them failing (maintenance, not
// downtime). 12 Nov 09:00–09:20: 4 failures = 1,200 s downtime.
TEST_CASE("Maintenance: exclude vs count_as_downtime, config and API windows listed",
          "[report][maintenance]") {
  MonthStore ms(kTo);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = kFrom;
  m.to = kTo;
  const core::SystemTime maint = utc(2026, 11, 8, 2), fail = utc(2026, 11, 12, 9);
  m.shape = [maint, fail](const SyntheticSeries&, core::SystemTime t, std::int64_t) {
    RunShape s;
    s.in_maintenance = t >= maint && t < maint + 2h;
    s.success = !(t >= maint + 30min && t < maint + 40min) && !(t >= fail && t < fail + 20min);
    return s;
  };
  REQUIRE(fillMonth(ms.store(), m).ok());
  // An API window in the month, one that ended before it.
  for (const auto& [id, start] :
       {std::pair{7, utc(2026, 11, 20, 22)}, std::pair{3, utc(2026, 10, 2, 22)}}) {
    rules::AdHocWindow w{id, {"acme"}, start, start + 1h, "release 4.2", "deploy-bot"};
    agent::persistence::MaintenanceAudit audit;
    audit.actor = "deploy-bot";
    audit.at = start - 1h;
    std::promise<core::Status> done;
    auto result = done.get_future();
    REQUIRE(ms.store().submit(agent::persistence::makeAnnounceJob(
        w, audit, [&done](const core::Status& s) { done.set_value(s); })));
    REQUIRE(result.get().ok());
  }

  agent::AgentConfig config = baseConfig();
  config.maintenance = {sundayWindow("sunday-db", {"acme"}),
                        sundayWindow("globex-only", {"globex"})};
  config.sla.push_back(slaFor("acme", 0.999, "99.9%"));

  SECTION("exclude: maintenance leaves the denominator") {
    const MonthReport r = build(config, ms);
    const CheckReport* c = findCheck(r, "acme", "home");
    REQUIRE(c != nullptr);
    CHECK(c->maintenance == secs(7'200));
    CHECK(c->downtime == secs(1'200));
    REQUIRE(c->availability);  // (2,592,000 − 7,200 − 1,200) / (2,592,000 − 7,200)
    CHECK(*c->availability == Approx(2'583'600.0 / 2'584'800.0).epsilon(1e-9));
    REQUIRE(c->error_budget_used);  // 1,200 / (0.001 × 2,584,800)
    CHECK(*c->error_budget_used == Approx(1'200.0 / 2'584.8).epsilon(1e-9));
    // Config windows: 5 Sundays × 2 (acme, globex) + api-7; the October API window is not listed.
    REQUIRE(r.maintenance.size() == 11);
    CHECK(r.maintenance.front().start == utc(2026, 11, 1, 2));
    CHECK(r.maintenance.front().end == utc(2026, 11, 1, 4));
    CHECK(r.maintenance.front().announced_by == "config");
    CHECK(r.maintenance.front().reason == "database upkeep");
    int api = 0;
    for (const ReportMaintenance& w : r.maintenance) {
      if (w.name != "api-7") continue;
      ++api;
      CHECK(w.announced_by == "deploy-bot");
      CHECK(w.start == utc(2026, 11, 20, 22));
      CHECK(w.shops == std::vector<std::string>{"acme"});
      CHECK(w.reason == "release 4.2");
    }
    CHECK(api == 1);
  }
  SECTION("count_as_downtime: maintenance is downtime") {
    config.sla.back().maintenance = agent::SlaMaintenance::CountAsDowntime;
    const MonthReport r = build(config, ms, "acme");
    const CheckReport* c = findCheck(r, "acme", "home");
    REQUIRE(c != nullptr);
    CHECK(c->maintenance == secs(7'200));
    CHECK(c->downtime == secs(8'400));
    REQUIRE(c->availability);  // (2,592,000 − 8,400) / 2,592,000
    CHECK(*c->availability == Approx(2'583'600.0 / 2'592'000.0).epsilon(1e-9));
    REQUIRE(r.shops.front().sla);
    CHECK(r.shops.front().sla->maintenance_policy == "count_as_downtime");
    CHECK(r.shops.front().sla->downtime == secs(8'400));
    // --shop acme: globex's windows are left out (5 Sundays + api-7).
    CHECK(r.maintenance.size() == 6);
    CHECK(r.shops.front().worst_days.front() == "2026-11-08");
  }
}

TEST_CASE("Incidents of a check are listed with ticket, duration and MTTR", "[report][incidents]") {
  MonthStore ms(kTo);
  SyntheticMonth m;
  m.series = {series("home"), series("checkout"), series("checkout", "pay")};
  m.from = kFrom;
  m.to = kTo;
  REQUIRE(fillMonth(ms.store(), m).ok());
  REQUIRE(
      runJob(ms.store(), [](storage::Db& db) -> core::Status {
        // home: 3 Nov 10:00–11:00 (3,600 s; Jira and Redmine tickets: Jira's key wins),
        // 31 Oct 23:00 – 1 Nov 01:00 (7,200 s, overlaps the month, no ticket),
        // 20–21 Oct (before the month: not listed).
        auto a = backlog::saveIncident(
            db, incident("home-down", "home", "", utc(2026, 11, 3, 10), utc(2026, 11, 3, 11)));
        if (!a) return a.error();
        if (auto s = addTicket(db, *a, "redmine", "#77", "https://redmine.example/issues/77"); !s)
          return s;
        if (auto s = addTicket(db, *a, "jira", "ACME-12", "https://jira.example/browse/ACME-12");
            !s)
          return s;
        auto d = backlog::saveIncident(
            db, incident("home-slow", "home", "", utc(2026, 10, 31, 23), utc(2026, 11, 1, 1)));
        if (!d) return d.error();
        auto c = backlog::saveIncident(
            db, incident("home-tls", "home", "", utc(2026, 10, 20), utc(2026, 10, 21)));
        if (!c) return c.error();
        // checkout/pay (a step: belongs to the journey): open since 29 Nov 12:00 → 36 h at
        // generation (1 Dec 00:00).
        auto b = backlog::saveIncident(
            db, incident("pay-down", "checkout", "pay", utc(2026, 11, 29, 12), std::nullopt));
        if (!b) return b.error();
        return {};
      }).ok());
  const MonthReport r = build(baseConfig(), ms);
  const CheckReport* home = findCheck(r, "acme", "home");
  REQUIRE(home != nullptr);
  REQUIRE(home->incidents.size() == 2);
  const ReportIncident& first = home->incidents[0];
  CHECK(first.rule == "home-slow");
  CHECK(first.duration == secs(7'200));
  CHECK(first.ticket.empty());
  const ReportIncident& second = home->incidents[1];
  CHECK(second.rule == "home-down");
  CHECK(second.severity == "critical");
  CHECK(second.start == utc(2026, 11, 3, 10));
  REQUIRE(second.end);
  CHECK(*second.end == utc(2026, 11, 3, 11));
  CHECK(second.duration == secs(3'600));
  CHECK(second.ticket == "ACME-12");
  CHECK(second.ticket_url == "https://jira.example/browse/ACME-12");
  REQUIRE(home->mttr);
  CHECK(*home->mttr == secs(5'400));  // (3,600 + 7,200) / 2

  const CheckReport* checkout = findCheck(r, "acme", "checkout");
  REQUIRE(checkout != nullptr);
  REQUIRE(checkout->incidents.size() == 1);
  CHECK(checkout->incidents[0].rule == "pay-down");
  CHECK_FALSE(checkout->incidents[0].end);
  CHECK(checkout->incidents[0].duration == secs(36 * 3600));
  CHECK_FALSE(checkout->mttr);  // nothing resolved
}

TEST_CASE("A database without incident and maintenance tables reports none",
          "[report][incidents]") {
  MonthStore ms(kTo, /*bare=*/true);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = kFrom;
  m.to = kTo;
  REQUIRE(fillMonth(ms.store(), m).ok());
  const MonthReport r = build(baseConfig(), ms);
  const CheckReport* home = findCheck(r, "acme", "home");
  REQUIRE(home != nullptr);
  CHECK(home->incidents.empty());
  CHECK(r.maintenance.empty());
  REQUIRE(home->availability);
  CHECK(*home->availability == 1.0);
}

// checkout is a journey: step pay 900 ms, cart 200 ms, login 50 ms (slowest first by p95).
TEST_CASE("Journey steps slowest first, the shop filter and an unknown shop", "[report][steps]") {
  MonthStore ms(kTo);
  SyntheticMonth m;
  m.series = {series("checkout"), series("checkout", "login"), series("checkout", "cart"),
              series("checkout", "pay"), series("home", "", "globex")};
  m.from = kFrom;
  m.to = kTo;
  m.shape = [](const SyntheticSeries& s, core::SystemTime, std::int64_t i) {
    RunShape r;
    r.duration = s.step == "pay"     ? 900ms
                 : s.step == "cart"  ? 200ms
                 : s.step == "login" ? 50ms
                                     : 1200ms;
    if (s.step == "cart" && i % 1000 == 0) r.success = false;  // 9 of 8,640
    return r;
  };
  REQUIRE(fillMonth(ms.store(), m).ok());
  const agent::AgentConfig config = baseConfig();
  const MonthReport all = build(config, ms);
  REQUIRE(all.shops.size() == 2);
  const CheckReport* checkout = findCheck(all, "acme", "checkout");
  REQUIRE(checkout != nullptr);
  CHECK(checkout->journey);
  REQUIRE(checkout->steps.size() == 3);
  CHECK(checkout->steps[0].step == "pay");
  CHECK(checkout->steps[1].step == "cart");
  CHECK(checkout->steps[2].step == "login");
  CHECK(checkout->steps[1].runs == 8640);
  CHECK(checkout->steps[1].failed_runs == 9);
  REQUIRE(checkout->steps[0].p95);
  CHECK(std::abs(checkout->steps[0].p95->count() - 900'000) <= 18'000);
  // Steps are not checks of their own.
  REQUIRE(all.shops[0].checks.size() == 1);
  const CheckReport* home = findCheck(all, "globex", "home");
  REQUIRE(home != nullptr);
  CHECK_FALSE(home->journey);
  CHECK(home->steps.empty());

  const MonthReport globex = build(config, ms, "globex");
  REQUIRE(globex.shops.size() == 1);
  CHECK(globex.shops[0].shop == "globex");
  const MonthReport filtered = filterShop(all, "globex");
  REQUIRE(filtered.shops.size() == 1);
  CHECK(filtered.shops[0].shop == "globex");

  auto unknown =
      buildMonthReport(config, ms.store(), ReportRequest{YearMonth{2026, 11}, "nope", kTo});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == core::ErrorCode::NotFound);
  CHECK(unknown.error().message == "no shop `nope` in the config or the store");
}

TEST_CASE("A shop only in the store (removed from the config) keeps its history",
          "[report][builder]") {
  MonthStore ms(kTo);
  SyntheticMonth m;
  m.series = {series("home", "", "initech")};
  m.from = kFrom;
  m.to = kFrom + 24h;
  REQUIRE(fillMonth(ms.store(), m).ok());
  const MonthReport r = build(baseConfig(), ms, "initech");
  REQUIRE(r.shops.size() == 1);
  CHECK(r.shops[0].shop == "initech");
  REQUIRE(r.shops[0].checks.size() == 1);
  CHECK(r.shops[0].checks[0].runs == 288);
  CHECK(r.shops[0].checks[0].unmonitored > secs(0));  // the open last run ends 10 min later
}
