// `shopwatch backlog check` and `shopwatch backlog rebuild` against the DemoBacklog (agent/runtime's
// fake Jira, real HTTP on loopback), a FakeHttpServer webhook and a refusing Alertmanager port.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <mutex>

#include "cli_test_util.h"
#include "closed_port.h"
#include "fake_http_server.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace shopwatch;
using namespace shopwatch::cli_test;
namespace backlog = shopwatch::agent::backlog;
using agent::JiraSettings;
using agent::runtime::DemoBacklog;
using agent::runtime::DemoBacklogOptions;

namespace {

const std::string kEnv = "JIRA_TOKEN=t0ken";

DemoBacklogOptions demoOptions() {
  DemoBacklogOptions options;
  options.flavor = JiraSettings::Flavor::Cloud;
  options.email = "ops@agency.example";
  options.token = "t0ken";
  options.projects = {"SHOP"};
  return options;
}

std::string shopAndRule(const std::string& database) {
  return "agent:\n  client: acme\n  database: " + database +
         "\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n    checks:\n"
         "      - {name: checkout, url: /checkout}\n"
         "rules:\n  - {name: checkout-down, check: acme/checkout, expr: availability < 100%, "
         "severity: critical}\n";
}

std::string jiraSection(const DemoBacklog& demo) {
  return "backlog:\n  jira:\n    url: " + demo.baseUrl() +
         "\n    flavor: cloud\n    email: ops@agency.example\n    token: ${env:JIRA_TOKEN}\n"
         "    project: SHOP\n";
}

void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// Files an issue on the demo through the real Jira sink, as the agent's outbox would.
backlog::Ticket fileIssue(const DemoBacklog& demo, const std::string& fingerprint,
                          std::int64_t episode) {
  curlOnce();
  JiraSettings settings;
  settings.url = demo.baseUrl();
  settings.flavor = JiraSettings::Flavor::Cloud;
  settings.email = "ops@agency.example";
  settings.token = "t0ken";
  settings.project = "SHOP";
  backlog::JiraSink sink(settings, "acme");
  backlog::IncidentFacts facts;
  facts.client = "acme";
  facts.fingerprint = fingerprint;
  facts.rule = "checkout-down";
  facts.shop = "acme";
  facts.env = "production";
  facts.check = "checkout";
  facts.severity = "critical";
  facts.expr = "availability < 100%";
  facts.episode = episode;
  facts.since = facts.at = core::SystemClock::instance().now();
  backlog::OutboxAction open;
  open.id = 1;
  open.incident_id = 1;
  open.sink = "jira";
  open.kind = backlog::ActionKind::Open;
  auto sent = sink.send(open, facts, std::nullopt, false);
  INFO(sent.error);
  REQUIRE(sent.status == backlog::SendStatus::Done);
  REQUIRE(sent.ticket);
  return *sent.ticket;
}

rules::Target checkout() { return rules::Target{core::CheckKey{"acme", "production", "checkout"}, ""}; }

}  // namespace

TEST_CASE("backlog check prints what is fine and exits 0 for a good Jira") {
  DemoBacklog demo(demoOptions());
  REQUIRE(demo.start().ok());
  TempDir dir;
  const std::string cfg =
      dir.write("acme.yaml", shopAndRule((dir.path() / "acme.db").string()) + jiraSection(demo));
  auto o = runShopwatch("backlog check -c " + cfg, kEnv);
  INFO(o.out);
  CHECK(o.code == 0);
  CHECK(contains(o.out, "ok       jira: credentials accepted (ops@agency.example)\n"));
  CHECK(contains(o.out, "ok       jira: project SHOP found"));
  CHECK_FALSE(contains(o.out, "problem"));
  CHECK(demo.issues().empty());  // a check creates nothing
}

TEST_CASE("backlog check names each problem and exits 1") {
  DemoBacklog demo(demoOptions());
  REQUIRE(demo.start().ok());
  testing::FakeHttpServer hooks;
  hooks.status("/shopwatch", 405);
  testing::ClosedLoopbackPort closed;
  TempDir dir;
  const std::string cfg = dir.write(
      "acme.yaml", shopAndRule((dir.path() / "acme.db").string()) + jiraSection(demo) +
                       "  webhook:\n    url: " + hooks.url("/shopwatch") +
                       "\n  alertmanager:\n    url: http://127.0.0.1:" + std::to_string(closed.port()) + "\n");
  SECTION("a refused token") {
    auto o = runShopwatch("backlog check -c " + cfg, "JIRA_TOKEN=wrong-token", true);
    INFO(o.out);
    CHECK(o.code == 1);
    CHECK(contains(o.out, "problem  jira: "));
    CHECK(contains(o.out, "ok       webhook: reachable (HEAD answered 405); payloads are unsigned"));
    CHECK(contains(o.out, "problem  alertmanager: no answer"));
    CHECK_FALSE(contains(o.out, "wrong-token"));
  }
  SECTION("a good token: only Alertmanager is wrong") {
    auto o = runShopwatch("backlog check -c " + cfg, kEnv, true);
    INFO(o.out);
    CHECK(o.code == 1);
    CHECK(contains(o.out, "ok       jira: credentials accepted"));
    CHECK(contains(o.out, "problem  alertmanager: no answer"));
    CHECK(contains(o.out, "1 problem\n"));
  }
  CHECK(hooks.requestCount("/shopwatch") >= 1);
}

TEST_CASE("backlog check and rebuild without a Jira sink exit 1 and say so") {
  TempDir dir;
  const std::string cfg = dir.write("acme.yaml", shopAndRule((dir.path() / "acme.db").string()));
  for (const char* command : {"check", "rebuild"}) {
    auto o = runShopwatch(std::string("backlog ") + command + " -c " + cfg, "", true);
    INFO(command << ": " << o.out);
    CHECK(o.code == 1);
    CHECK(contains(o.out, "no backlog.jira configured"));
  }
}

TEST_CASE("backlog rebuild restores the mapping of the config's incidents from Jira") {
  DemoBacklog demo(demoOptions());
  REQUIRE(demo.start().ok());
  const std::string ours = backlog::incidentFingerprint("acme", "checkout-down", checkout());
  const std::string foreign = "shopwatch-fedcba9876543210fedcba9876543210";
  const backlog::Ticket filed = fileIssue(demo, ours, 3);  // SHOP-1
  fileIssue(demo, foreign, 1);                             // SHOP-2
  REQUIRE(demo.humanTransition("SHOP-1", "Done").ok());

  TempDir dir;
  const std::string db = (dir.path() / "acme.db").string();
  const std::string cfg = dir.write("acme.yaml", shopAndRule(db) + jiraSection(demo));
  auto o = runShopwatch("backlog rebuild -c " + cfg, kEnv, true);
  INFO(o.out);
  REQUIRE(o.code == 0);
  CHECK(contains(o.out,
                 "restored  SHOP-1  checkout-down  acme/checkout (production)  episode 3  (done in Jira)\n"));
  CHECK(contains(o.out, "unmatched SHOP-2  " + foreign + ": no rule and target of this config"));
  CHECK(contains(o.out, "2 issues found, 1 restored, 1 not matched\n"));

  auto check = [&] {
    auto store = storage::SqliteResultStore::openReadOnly(db);
    REQUIRE(store.ok());
    std::vector<backlog::Incident> incidents;
    std::vector<backlog::IncidentTicket> tickets;
    REQUIRE((*store)
                ->read([&](storage::Db& d) -> core::Status {
                  auto i = backlog::loadIncidents(d, true);
                  if (!i) return i.error();
                  incidents = *i;
                  auto t = backlog::loadTickets(d);
                  if (!t) return t.error();
                  tickets = *t;
                  return {};
                })
                .ok());
    REQUIRE(incidents.size() == 1);
    CHECK(incidents[0].fingerprint == ours);
    CHECK(incidents[0].rule == "checkout-down");
    CHECK(incidents[0].target == checkout());
    CHECK(incidents[0].severity == rules::Severity::Critical);
    CHECK(incidents[0].state == backlog::IncidentState::Resolved);
    CHECK(incidents[0].episode == 3);
    CHECK(incidents[0].expr == "availability < 100%");
    CHECK(incidents[0].sinks == std::vector<std::string>{"jira"});
    REQUIRE(tickets.size() == 1);
    CHECK(tickets[0].incident_id == incidents[0].id);
    CHECK(tickets[0].sink == "jira");
    CHECK(tickets[0].ticket.key == "SHOP-1");
    CHECK(tickets[0].ticket.id == filed.id);
    CHECK(tickets[0].ticket.episode == 3);
  };
  check();

  // Running it again changes nothing.
  auto again = runShopwatch("backlog rebuild -c " + cfg, kEnv, true);
  INFO(again.out);
  REQUIRE(again.code == 0);
  CHECK(contains(again.out, "known     SHOP-1  checkout-down  acme/checkout (production)  already recorded\n"));
  CHECK(contains(again.out, "2 issues found, 0 restored, 1 not matched\n"));
  check();

  // And `incidents --all` shows the restored ticket.
  auto listed = runShopwatch("incidents --all -c " + cfg, kEnv);
  CHECK(listed.code == 0);
  CHECK(contains(listed.out, "jira SHOP-1"));
}

TEST_CASE("backlog rebuild exits 1 when Jira cannot be searched") {
  DemoBacklog demo(demoOptions());
  REQUIRE(demo.start().ok());
  demo.setDown(true);
  TempDir dir;
  const std::string db = (dir.path() / "acme.db").string();
  const std::string cfg = dir.write("acme.yaml", shopAndRule(db) + jiraSection(demo));
  auto o = runShopwatch("backlog rebuild -c " + cfg, kEnv, true);
  INFO(o.out);
  CHECK(o.code == 1);
  CHECK(contains(o.out, "cannot search Jira"));
  CHECK_FALSE(std::filesystem::exists(db));  // nothing written when nothing was found
}
