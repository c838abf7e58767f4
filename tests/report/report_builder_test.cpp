// buildMonthReport over synthetic months in a real store: every figure is compared with values
// computed by hand from the generated runs (interval 5 min: 288 runs a day).
#include "shopwatch/agent/report/report_builder.h"
#include "shopwatch/agent/report/report_formats.h"

#include <catch2/catch.hpp>

#include "report_test_support.h"

using namespace shopwatch;
using namespace shopwatch::report_test;
using namespace shopwatch::agent::report;

namespace {

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

const DayFigures& day(const CheckReport& c, const std::string& date) {
  for (const DayFigures& d : c.days) {
    if (d.date == date) return d;
  }
  FAIL("no day " << date);
  return c.days.front();
}

MonthReport build(const agent::AgentConfig& config, MonthStore& ms, YearMonth month,
                  core::SystemTime now) {
  auto r = buildMonthReport(config, ms.store(), ReportRequest{month, std::nullopt, now});
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.ok());
  // The CLI's parallel_reads (the hourly pass on a second read-only connection) gives the same report.
  auto parallel = buildMonthReport(config, ms.store(), ReportRequest{month, std::nullopt, now, true});
  REQUIRE(parallel.ok());
  CHECK(reportJson(*parallel) == reportJson(*r));
  return std::move(*r);
}

bool within(core::Micros got, core::Micros want, double rel) {
  return std::abs(static_cast<double>(got.count() - want.count())) <=
         rel * static_cast<double>(want.count());
}

}  // namespace

// November 2026 (UTC, 30 days = 2,592,000 s, 8,640 runs). Runs 696..707 (3 Nov 10:00–11:00) fail
// and their confirms fail: 12 × 300 s = 3,600 s downtime. Runs 2000 and 5000 fail but their
// confirms pass: failed, not down. Passing durations by index % 100: < 90 → 100 ms, < 98 → 300 ms,
// else 800 ms.
TEST_CASE("UTC November: downtime, availability, runs and percentiles match the hand count",
          "[report][builder]") {
  const core::SystemTime from = utc(2026, 11, 1), to = utc(2026, 12, 1);
  MonthStore ms(to);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = from;
  m.to = to;
  m.shape = [](const SyntheticSeries&, core::SystemTime, std::int64_t i) {
    RunShape s;
    s.duration = i % 100 < 90 ? 100ms : i % 100 < 98 ? 300ms : 800ms;
    if (i >= 696 && i < 708) s.success = false;
    if (i == 2000 || i == 5000) {
      s.success = false;
      s.confirmed = false;
    }
    return s;
  };
  auto filled = fillMonth(ms.store(), m);
  REQUIRE(filled.ok());
  CHECK(*filled == 8640);

  agent::AgentConfig config = baseConfig();
  config.sla.push_back(slaFor("acme", 0.999, "99.9%"));
  const MonthReport r = build(config, ms, YearMonth{2026, 11}, to);
  CHECK(r.month == "2026-11");
  CHECK(r.from == from);
  CHECK(r.to == to);
  CHECK(r.client == "acme-agency");
  const CheckReport* c = findCheck(r, "acme", "home");
  REQUIRE(c != nullptr);
  CHECK(c->covered == secs(2'592'000));
  CHECK(c->downtime == secs(3'600));
  CHECK(c->maintenance == secs(0));
  CHECK(c->unmonitored == secs(0));
  CHECK(c->runs == 8640);
  CHECK(c->failed_runs == 14);
  REQUIRE(c->availability);
  // 2,588,400 / 2,592,000 = 0.998611… (99.8611 %)
  CHECK(*c->availability == Approx(2'588'400.0 / 2'592'000.0).epsilon(1e-9));
  CHECK(std::llround(*c->availability * 1e6) == 998611);
  REQUIRE(c->p50);
  REQUIRE(c->p95);
  REQUIRE(c->p99);
  CHECK(within(*c->p50, 100ms, 0.02));
  CHECK(within(*c->p95, 300ms, 0.02));
  CHECK(within(*c->p99, 800ms, 0.02));
  // Apdex, T = 500 ms, 8,626 passing runs: 172 indices with i % 100 ≥ 98, minus 698 and 699
  // (failed) = 170 tolerating (800 ms ≤ 4T), 8,456 satisfied: (8456 + 85) / 8626.
  REQUIRE(c->apdex);
  CHECK(*c->apdex == Approx(8541.0 / 8626.0).epsilon(1e-9));
  // Error budget: 3,600 / (0.001 × 2,592,000) = 1.3888…
  REQUIRE(c->error_budget_used);
  CHECK(*c->error_budget_used == Approx(3600.0 / 2592.0).epsilon(1e-9));
  CHECK(c->in_sla);
  CHECK_FALSE(c->journey);
  // Every passing run has phases 1 / 2 / 3 / d÷2 / 4 ms.
  CHECK(c->phases.samples == 8626);
  CHECK(c->phases.resolve == 1000us);
  CHECK(c->phases.connect == 2000us);
  CHECK(c->phases.tls == 3000us);
  CHECK(c->phases.transfer == 4000us);

  REQUIRE(c->days.size() == 30);
  CHECK(c->days.front().date == "2026-11-01");
  const DayFigures& d3 = day(*c, "2026-11-03");
  CHECK(d3.downtime == secs(3'600));
  CHECK(d3.runs == 288);
  CHECK(d3.failed_runs == 12);
  REQUIRE(d3.availability);
  CHECK(*d3.availability == Approx(82'800.0 / 86'400.0).epsilon(1e-9));
  const DayFigures& d2 = day(*c, "2026-11-02");
  REQUIRE(d2.availability);
  CHECK(*d2.availability == 1.0);
  REQUIRE(d2.p50);
  CHECK(within(*d2.p50, 100ms, 0.02));

  REQUIRE(r.shops.size() == 2);  // acme (data) and globex (configured, no data)
  const ShopReport& acme = r.shops[0];
  CHECK(acme.shop == "acme");
  CHECK(acme.worst_days == std::vector<std::string>{"2026-11-03"});
  REQUIRE(acme.sla);
  CHECK(acme.sla->checks == std::vector<std::string>{"acme/home"});
  REQUIRE(acme.sla->availability);
  CHECK(*acme.sla->availability == Approx(2'588'400.0 / 2'592'000.0).epsilon(1e-9));
  REQUIRE(acme.sla->met);
  CHECK_FALSE(*acme.sla->met);  // 99.8611 % < 99.9 %
  CHECK(acme.sla->downtime == secs(3'600));
  CHECK(acme.sla->maintenance_policy == "exclude");
  CHECK(acme.sla->unmonitored_policy == "exclude");
  CHECK(acme.sla->target_text == "99.9%");
  const ShopReport& globex = r.shops[1];
  CHECK(globex.shop == "globex");
  CHECK_FALSE(globex.sla);
  CHECK(globex.checks.empty());
}

// Europe/Vienna October 2026: 30 Sep 22:00 UTC .. 31 Oct 23:00 UTC = 745 h = 2,682,000 s = 8,940
// runs. 25 October is 25 h (300 runs); 6 runs from 25 Oct 01:00 UTC fail (1,800 s): the day is
// (90,000 − 1,800) / 90,000 = 0.98.
TEST_CASE("Europe/Vienna October: 745 h month, 25 h DST day", "[report][builder][dst]") {
  const core::SystemTime from = utc(2026, 9, 30, 22), to = utc(2026, 10, 31, 23);
  const core::SystemTime fail_from = utc(2026, 10, 25, 1);
  MonthStore ms(to);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = from;
  m.to = to;
  m.shape = [fail_from](const SyntheticSeries&, core::SystemTime t, std::int64_t) {
    RunShape s;
    if (t >= fail_from && t < fail_from + 30min) s.success = false;
    return s;
  };
  REQUIRE(fillMonth(ms.store(), m).ok());
  const MonthReport r = build(baseConfig("Europe/Vienna"), ms, YearMonth{2026, 10}, to);
  CHECK(r.from == from);
  CHECK(r.to == to);
  CHECK(r.timezone == "Europe/Vienna");
  const CheckReport* c = findCheck(r, "acme", "home");
  REQUIRE(c != nullptr);
  CHECK(c->covered == secs(2'682'000));
  CHECK(c->runs == 8940);
  CHECK(c->downtime == secs(1'800));
  REQUIRE(c->availability);
  CHECK(*c->availability == Approx(2'680'200.0 / 2'682'000.0).epsilon(1e-9));
  REQUIRE(c->days.size() == 31);
  const DayFigures& d25 = day(*c, "2026-10-25");
  CHECK(d25.runs == 300);
  CHECK(d25.downtime == secs(1'800));
  REQUIRE(d25.availability);
  CHECK(*d25.availability == Approx(0.98).epsilon(1e-9));
  CHECK(day(*c, "2026-10-24").runs == 288);
  CHECK(day(*c, "2026-10-01").runs == 288);  // starts at 30 Sep 22:00 UTC
}

// Europe/Vienna March 2026: 28 Feb 23:00 UTC .. 31 Mar 22:00 UTC = 743 h = 8,916 runs; 29 March
// is 23 h (276 runs).
TEST_CASE("Europe/Vienna March: 743 h month, 23 h DST day", "[report][builder][dst]") {
  const core::SystemTime from = utc(2026, 2, 28, 23), to = utc(2026, 3, 31, 22);
  MonthStore ms(to);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = from;
  m.to = to;
  REQUIRE(fillMonth(ms.store(), m).ok());
  const MonthReport r = build(baseConfig("Europe/Vienna"), ms, YearMonth{2026, 3}, to);
  CHECK(r.to - r.from == std::chrono::hours{743});
  const CheckReport* c = findCheck(r, "acme", "home");
  REQUIRE(c != nullptr);
  CHECK(c->covered == secs(743 * 3600));
  CHECK(c->runs == 8916);
  REQUIRE(c->availability);
  CHECK(*c->availability == 1.0);
  REQUIRE(c->days.size() == 31);
  CHECK(day(*c, "2026-03-29").runs == 276);
  CHECK(day(*c, "2026-03-30").runs == 288);
}

// No runs 15 Nov 00:00–06:00 UTC. The 14 Nov 23:55 run covers 2 × 5 min (to 00:05); unmonitored is
// 00:05–06:00 = 21,300 s, covered 2,592,000 − 21,300 = 2,570,700 s. Two runs fail on 20 Nov (600
// s).
TEST_CASE("An agent outage is unmonitored time, counted per the SLA policy", "[report][builder]") {
  const core::SystemTime from = utc(2026, 11, 1), to = utc(2026, 12, 1);
  const core::SystemTime gap = utc(2026, 11, 15), fail = utc(2026, 11, 20, 12);
  MonthStore ms(to);
  SyntheticMonth m;
  m.series = {series("home")};
  m.from = from;
  m.to = to;
  m.shape = [gap, fail](const SyntheticSeries&, core::SystemTime t, std::int64_t) {
    RunShape s;
    s.skip = t >= gap && t < gap + 6h;
    s.success = !(t >= fail && t < fail + 10min);
    return s;
  };
  REQUIRE(fillMonth(ms.store(), m).ok());

  struct Case {
    agent::SlaUnmonitored policy;
    double availability;
  };
  const Case cases[] = {
      {agent::SlaUnmonitored::Exclude, 2'570'100.0 / 2'570'700.0},  // (covered − down) / covered
      {agent::SlaUnmonitored::Up, 2'591'400.0 / 2'592'000.0},       // unmonitored counts as up
      {agent::SlaUnmonitored::Down, 2'570'100.0 / 2'592'000.0},     // … as down
  };
  for (const Case& k : cases) {
    agent::AgentConfig config = baseConfig();
    config.sla.push_back(slaFor("acme", 0.99, "99%"));
    config.sla.back().unmonitored = k.policy;
    const MonthReport r = build(config, ms, YearMonth{2026, 11}, to);
    const CheckReport* c = findCheck(r, "acme", "home");
    REQUIRE(c != nullptr);
    CHECK(c->unmonitored == secs(21'300));
    CHECK(c->covered == secs(2'570'700));
    CHECK(c->downtime == secs(600));
    CHECK(c->runs == 8640 - 72);
    REQUIRE(c->availability);
    CHECK(*c->availability == Approx(k.availability).epsilon(1e-9));
    REQUIRE(r.shops.front().sla);
    REQUIRE(r.shops.front().sla->availability);
    CHECK(*r.shops.front().sla->availability == Approx(k.availability).epsilon(1e-9));
    CHECK(r.shops.front().sla->unmonitored == secs(21'300));
    const DayFigures& d15 = day(*c, "2026-11-15");
    CHECK(d15.runs == 288 - 72);
    CHECK(d15.unmonitored == secs(21'300));
    if (k.policy == agent::SlaUnmonitored::Exclude) {
      REQUIRE(c->error_budget_used);
      CHECK(*c->error_budget_used == Approx(600.0 / 25'707.0).epsilon(1e-9));
      CHECK(r.shops.front().sla->unmonitored_policy == "exclude");
    }
    if (k.policy == agent::SlaUnmonitored::Down) {
      CHECK(r.shops.front().sla->unmonitored_policy == "down");
      REQUIRE(c->error_budget_used);  // (600 + 21,300) / (0.01 × 2,592,000)
      CHECK(*c->error_budget_used == Approx(21'900.0 / 25'920.0).epsilon(1e-9));
    }
  }
}

// Two checks, the SLA over `acme/home` only (target 99 %, apdex_t 200 ms). home: 288 failures on
// 5 Nov (86,400 s down) → (2,592,000 − 86,400) / 2,592,000 = 0.96667 < 99 %; api (not in the SLA)
// passes always. Passing home runs take 300 ms: tolerating under T = 200 ms → Apdex 0.5.
TEST_CASE("The SLA figure covers its checks only and uses its apdex_t", "[report][builder]") {
  const core::SystemTime from = utc(2026, 11, 1), to = utc(2026, 12, 1);
  const core::SystemTime bad = utc(2026, 11, 5);
  MonthStore ms(to);
  SyntheticMonth m;
  m.series = {series("home"), series("api")};
  m.from = from;
  m.to = to;
  m.shape = [bad](const SyntheticSeries& s, core::SystemTime t, std::int64_t) {
    RunShape r;
    r.duration = 300ms;
    if (s.key.check == "home" && t >= bad && t < bad + 24h) r.success = false;
    return r;
  };
  REQUIRE(fillMonth(ms.store(), m).ok());
  agent::AgentConfig config = baseConfig();
  config.sla.push_back(slaFor("acme", 0.99, "99%"));
  config.sla.back().checks = {"acme/home"};
  config.sla.back().apdex_t = 200ms;
  const MonthReport r = build(config, ms, YearMonth{2026, 11}, to);
  const ShopReport& acme = r.shops.front();
  REQUIRE(acme.sla);
  CHECK(acme.sla->checks == std::vector<std::string>{"acme/home"});
  CHECK(acme.sla->downtime == secs(86'400));
  REQUIRE(acme.sla->availability);
  CHECK(*acme.sla->availability == Approx(2'505'600.0 / 2'592'000.0).epsilon(1e-9));
  REQUIRE(acme.sla->met);
  CHECK_FALSE(*acme.sla->met);
  REQUIRE(acme.sla->error_budget_used);  // 86,400 / (0.01 × 2,592,000) = 3.333…
  CHECK(*acme.sla->error_budget_used == Approx(86'400.0 / 25'920.0).epsilon(1e-9));
  CHECK(acme.sla->apdex_t == 200ms);
  const CheckReport* api = findCheck(r, "acme", "api");
  REQUIRE(api != nullptr);
  CHECK_FALSE(api->in_sla);
  REQUIRE(api->availability);
  CHECK(*api->availability == 1.0);
  REQUIRE(api->apdex);
  CHECK(*api->apdex == Approx(0.5).epsilon(1e-9));
  const CheckReport* home = findCheck(r, "acme", "home");
  REQUIRE(home != nullptr);
  CHECK(home->in_sla);
  CHECK(acme.worst_days == std::vector<std::string>{"2026-11-05"});
  REQUIRE(day(*home, "2026-11-05").availability);
  CHECK(*day(*home, "2026-11-05").availability == 0.0);
  CHECK_FALSE(day(*home, "2026-11-05").p50);  // no passing run that day
}
