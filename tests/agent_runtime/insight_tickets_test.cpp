// Findings filed into the backlog ([F]): InsightTickets over a real store in a temp dir, the real
// BacklogRuntime (planner + outbox worker + Jira sink) and the DemoBacklog fake Jira on loopback,
// all on one FakeClock — days pass without sleeping.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backlog_runtime.h"
#include "insight_tickets.h"
#include "shopwatch/agent/backlog/incident.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using namespace shopwatch;
using agent::AgentConfig;
using agent::JiraSettings;
using agent::insights::Finding;
using agent::runtime::BacklogRuntime;
using agent::runtime::DemoBacklog;
using agent::runtime::DemoBacklogOptions;
using agent::runtime::DemoIssue;
using agent::runtime::InsightTickets;
using agent::runtime::InsightTicketsSettings;
using rules::Severity;

namespace {

constexpr auto kDay = std::chrono::hours{24};

Finding slowTtfb(Severity priority = Severity::Warning) {
  Finding f;
  f.key = core::CheckKey{"webshop", "production", "checkout"};
  f.step = "cart";
  f.finding = "slow-ttfb";
  f.summary = "server time is 82% of checkout/cart p95 (1.42 s)";
  f.saving_seconds = 0.6;
  f.evidence = {{"p95_ms", 1420},
                {"ttfb_share", 0.82},
                {"samples", 288},
                {"urls", {"https://webshop.example/checkout/cart"}}};
  f.score = 1.8;
  f.priority = priority;
  return f;
}

Finding noCompression(Severity priority) {
  Finding f;
  f.key = core::CheckKey{"webshop", "production", "home"};
  f.finding = "slow-transfer";
  f.summary = "the home page transfer takes 300 ms";
  f.saving_seconds = 0.1;
  f.saving_bytes = 120'000;
  f.priority = priority;
  return f;
}

std::string fingerprintOf(const Finding& f) {
  return agent::backlog::incidentFingerprint("acme", "insights/" + f.finding,
                                             rules::Target{f.key, f.step});
}

bool hasLabel(const DemoIssue& issue, const std::string& label) {
  return std::find(issue.labels.begin(), issue.labels.end(), label) != issue.labels.end();
}

// A fake Jira, and an agent's backlog pipeline that can be stopped and started again over the same
// database (a restart).
class World {
 public:
  explicit World(std::string insights_backlog = "jira") {
    DemoBacklogOptions o;
    o.issue_types = {"Incident", "Improvement", "Task"};
    o.clock = &clock;
    jira = std::make_unique<DemoBacklog>(o);
    REQUIRE(jira->start().ok());
    config.agent.client = "acme";
    JiraSettings j;
    j.url = jira->baseUrl();
    j.flavor = JiraSettings::Flavor::Cloud;
    j.email = o.email;
    j.token = o.token;
    j.project = "SHOP";
    j.issue_type = "Incident";
    config.backlog.jira = j;
    settings.backlog = std::move(insights_backlog);
    settings.issue_type = "Improvement";
    settings.min_priority = Severity::Warning;
    settings.close_after = 7 * kDay;
    settings.configured_sinks = config.backlog.sinkNames();
    start();
  }
  ~World() { stop(); }

  void start() {
    storage::StoreOptions o;
    o.path = dir.path() / "agent.db";
    o.components = {agent::backlog::incidentsComponent(), agent::runtime::insightTicketsComponent()};
    o.clock = &clock;
    auto opened = storage::SqliteResultStore::open(o);
    REQUIRE(opened);
    store = std::move(*opened);
    backlog = std::make_unique<BacklogRuntime>(clock, *store, states, board, "http://127.0.0.1:9");
    backlog->configure(config);
    tickets = std::make_unique<InsightTickets>(*store, *backlog);
    tickets->configure(settings);
  }

  void stop() {
    tickets.reset();
    if (backlog) backlog->stop();
    backlog.reset();
    if (store) store->stop();
    store.reset();
  }

  void restart() {
    stop();
    start();
  }

  /// One insights pass at the clock's time, written and delivered.
  void pass(const std::vector<Finding>& findings) {
    tickets->reconcile(findings, clock.now());
    REQUIRE(store->flush());
    backlog->committed();  // the clock may have moved: let the worker look now
    REQUIRE(backlog->waitIdle(20s));
  }

  std::vector<agent::backlog::Incident> incidents() {
    std::vector<agent::backlog::Incident> out;
    REQUIRE(store->read([&](storage::Db& db) -> core::Status {
      auto loaded = agent::backlog::loadIncidents(db, true);
      if (!loaded) return loaded.error();
      out = std::move(*loaded);
      return {};
    }));
    return out;
  }

  core::FakeClock clock;
  testing::TempDir dir{"shopwatch-insight-tickets"};
  std::unique_ptr<DemoBacklog> jira;
  AgentConfig config;
  InsightTicketsSettings settings;
  agent::status::CheckStateTable states;
  agent::status::AlertBoard board;
  std::unique_ptr<storage::SqliteResultStore> store;
  std::unique_ptr<BacklogRuntime> backlog;
  std::unique_ptr<InsightTickets> tickets;
};

}  // namespace

TEST_CASE("a warning finding becomes one Jira improvement that closes 7 days after the finding is gone") {
  World w;
  const Finding finding = slowTtfb();
  const std::string fp = fingerprintOf(finding);
  w.pass({finding});

  auto issues = w.jira->issues();
  REQUIRE(issues.size() == 1);
  const DemoIssue first = issues[0];
  CHECK(first.issue_type == "Improvement");
  CHECK(hasLabel(first, fp));
  CHECK(first.summary ==
        "[IMPROVEMENT] webshop/checkout/cart (production): server time is 82% of checkout/cart p95 "
        "(1.42 s)");
  CHECK(first.priority == "Medium");  // warning
  CHECK(first.description.find("Finding: slow-ttfb (priority warning)") != std::string::npos);
  CHECK(first.description.find("Estimated saving: about 600 ms per page view") != std::string::npos);
  CHECK(first.description.find("p95_ms: 1420") != std::string::npos);
  CHECK(first.description.find("urls: https://webshop.example/checkout/cart") != std::string::npos);
  CHECK(first.description.find("gone for 7 days") != std::string::npos);
  auto incidents = w.incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].rule == "insights/slow-ttfb");
  CHECK(incidents[0].fingerprint == fp);
  CHECK(incidents[0].sinks == std::vector<std::string>{"jira"});

  // Seen again, then again after a restart: no second issue, no comment.
  w.clock.advance(1h);
  w.pass({finding});
  w.restart();
  w.clock.advance(1h);
  w.pass({finding});
  CHECK(w.jira->counters().creates == 1);
  CHECK(w.jira->issue(first.key)->comments.empty());

  // Gone for 6 days (with a restart in between): still open.
  w.clock.advance(3 * kDay);
  w.pass({});
  w.restart();
  w.clock.advance(3 * kDay);
  w.pass({});
  CHECK(w.jira->issue(first.key)->status_category != "done");
  CHECK(w.incidents()[0].state == agent::backlog::IncidentState::Open);

  // Gone for 7 days: resolved in Jira, with a comment saying why.
  w.clock.advance(kDay);
  w.pass({});
  const auto closed = *w.jira->issue(first.key);
  CHECK(closed.status_category == "done");
  CHECK(closed.summary.rfind("[RESOLVED] webshop/checkout/cart (production): server time", 0) == 0);
  REQUIRE(closed.comments.size() == 1);
  CHECK(closed.comments[0].body.find("Resolved: the finding slow-ttfb is gone") != std::string::npos);
  CHECK(closed.comments[0].body.find("has not come back for 7 days") != std::string::npos);
  CHECK(w.incidents()[0].state == agent::backlog::IncidentState::Resolved);

  // Nothing more while it stays gone.
  w.clock.advance(kDay);
  w.pass({});
  CHECK(w.jira->counters().creates == 1);
  CHECK(w.jira->issue(first.key)->comments.size() == 1);

  // It comes back (later than Jira's 24 h reopen window): a new episode, filed once as a new issue
  // linked to the closed one.
  w.clock.advance(kDay);
  w.pass({finding});
  w.clock.advance(1h);
  w.pass({finding});
  issues = w.jira->issues();
  REQUIRE(issues.size() == 2);
  CHECK(issues[1].issue_type == "Improvement");
  CHECK(hasLabel(issues[1], fp));
  CHECK(issues[1].status_category != "done");
  bool linked = false;
  for (const auto& l : issues[1].links) linked = linked || l.outward == first.key || l.inward == first.key;
  CHECK(linked);
  incidents = w.incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].episode == 2);
  CHECK(incidents[0].state == agent::backlog::IncidentState::Open);
}

TEST_CASE("a finding that comes back within the reopen window reopens its closed issue") {
  World w;
  w.config.backlog.jira->reopen_window = core::Micros{0};  // always reopen
  w.restart();
  const Finding finding = slowTtfb();
  w.pass({finding});
  w.clock.advance(7 * kDay);
  w.pass({});
  REQUIRE(w.jira->issues().size() == 1);
  CHECK(w.jira->issues()[0].status_category == "done");
  w.clock.advance(30 * kDay);
  w.pass({finding});
  const auto issues = w.jira->issues();
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].status_category != "done");
  REQUIRE(issues[0].comments.size() == 2);
  CHECK(issues[0].comments[1].body.find("Reopened: the finding slow-ttfb is back") != std::string::npos);
}

TEST_CASE("findings below min_priority are not filed but an open item stays open while reported") {
  World w;
  w.pass({noCompression(Severity::Info)});
  CHECK(w.jira->issues().empty());
  CHECK(w.incidents().empty());

  // It rises to warning: filed, with its byte saving.
  w.clock.advance(1h);
  w.pass({noCompression(Severity::Warning)});
  REQUIRE(w.jira->issues().size() == 1);
  CHECK(w.jira->issues()[0].description.find("about 100 ms, 120 KB less per page view") !=
        std::string::npos);
  CHECK(hasLabel(w.jira->issues()[0], fingerprintOf(noCompression(Severity::Warning))));

  // Back to info but still reported for 8 days: not gone, so not closed.
  for (int day = 0; day < 8; ++day) {
    w.clock.advance(kDay);
    w.pass({noCompression(Severity::Info)});
  }
  CHECK(w.jira->issues()[0].status_category != "done");
  CHECK(w.jira->counters().creates == 1);
}

TEST_CASE("without insights backlog or with an unconfigured sink nothing is filed") {
  SECTION("insights.backlog unset") {
    World w("");
    w.pass({slowTtfb(Severity::Critical)});
    CHECK(w.jira->issues().empty());
    CHECK(w.incidents().empty());
  }
  SECTION("insights.backlog names a sink that is not configured") {
    World w("redmine");
    w.pass({slowTtfb(Severity::Critical)});
    w.pass({slowTtfb(Severity::Critical)});
    CHECK(w.jira->issues().empty());
    CHECK(w.incidents().empty());
  }
}

TEST_CASE("improvements get no digest comments while open") {
  World w;
  w.pass({slowTtfb()});
  for (int i = 0; i < 3; ++i) {
    w.clock.advance(5h);  // past the 4 h comment_interval
    w.pass({slowTtfb()});
  }
  REQUIRE(w.jira->issues().size() == 1);
  CHECK(w.jira->issues()[0].comments.empty());
}
