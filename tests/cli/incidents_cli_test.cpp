// `shopwatch incidents -c FILE [--all] [--json]` against a database prepared through the store (the
// incident component's own writes), as the agent leaves it.
#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/storage/sqlite_result_store.h"

using namespace shopwatch;
using namespace shopwatch::cli_test;
namespace backlog = shopwatch::agent::backlog;

namespace {

// 2027-01-15T08:00:00Z
const core::SystemTime kOpened{std::chrono::seconds{1'800'000'000}};

class FnJob final : public storage::WriteJob {
 public:
  explicit FnJob(std::function<core::Status(storage::Db&)> fn) : fn_(std::move(fn)) {}
  core::Status apply(storage::Db& db) override { return fn_(db); }
  void done(const core::Status& outcome) override { promise_.set_value(outcome); }
  std::future<core::Status> result() { return promise_.get_future(); }

 private:
  std::function<core::Status(storage::Db&)> fn_;
  std::promise<core::Status> promise_;
};

void submitAndWait(storage::SqliteResultStore& store, std::unique_ptr<storage::WriteJob> job,
                   std::future<core::Status> result) {
  REQUIRE(store.submit(std::move(job)));
  const core::Status st = result.get();
  INFO((st ? std::string() : st.error().message));
  REQUIRE(st.ok());
}

void run(storage::SqliteResultStore& store, std::function<core::Status(storage::Db&)> fn) {
  auto job = std::make_unique<FnJob>(std::move(fn));
  auto result = job->result();
  submitAndWait(store, std::move(job), std::move(result));
}

rules::Target checkout(const std::string& env = "production") {
  return rules::Target{core::CheckKey{"acme", env, "checkout"}, ""};
}

// An open incident (episode 2, a Jira ticket, one pending and one dead webhook action) and a
// resolved one, written as the planner and the outbox worker write them.
void prepare(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  options.components = {agent::persistence::alertStateComponent(),
                        agent::persistence::maintenanceComponent(), backlog::incidentsComponent()};
  auto store = storage::SqliteResultStore::open(std::move(options));
  REQUIRE(store.ok());
  std::int64_t open_id = 0, action_done = 0, action_dead = 0;
  run(**store, [&](storage::Db& db) -> core::Status {
    backlog::Incident open;
    open.fingerprint = backlog::incidentFingerprint("acme", "checkout-down", checkout());
    open.rule = "checkout-down";
    open.target = checkout();
    open.severity = rules::Severity::Critical;
    open.episode = 2;
    open.opened_at = kOpened;
    open.peak = 0.5;
    open.expr = "availability < 100%";
    open.threshold = 1;
    open.sinks = {"jira", "webhook"};
    auto id = backlog::saveIncident(db, open);
    if (!id) return id.error();
    open_id = *id;
    backlog::Incident resolved = open;
    resolved.fingerprint = backlog::incidentFingerprint("acme", "checkout-down", checkout("staging"));
    resolved.target = checkout("staging");
    resolved.severity = rules::Severity::Warning;
    resolved.state = backlog::IncidentState::Resolved;
    resolved.episode = 1;
    resolved.resolved_at = kOpened + std::chrono::minutes{30};
    resolved.peak.reset();
    resolved.sinks = {"jira"};
    if (auto r = backlog::saveIncident(db, resolved); !r) return r.error();
    backlog::OutboxAction a;
    a.incident_id = *id;
    a.facts_json = "{}";
    a.created_at = a.next_attempt_at = kOpened;
    a.sink = "jira";
    auto done = backlog::appendAction(db, a);
    if (!done) return done.error();
    action_done = *done;
    a.sink = "webhook";
    auto dead = backlog::appendAction(db, a);
    if (!dead) return dead.error();
    action_dead = *dead;
    a.kind = backlog::ActionKind::Escalate;
    if (auto pending = backlog::appendAction(db, a); !pending) return pending.error();
    return {};
  });
  {
    std::promise<core::Status> p;
    auto f = p.get_future();
    submitAndWait(**store,
                  backlog::makeMarkDoneJob(
                      action_done, open_id, "jira",
                      backlog::Ticket{"SHOP-42", "10042", "https://acme.atlassian.net/browse/SHOP-42", 2}, "",
                      [&p](const core::Status& st) { p.set_value(st); }),
                  std::move(f));
  }
  {
    std::promise<core::Status> p;
    auto f = p.get_future();
    submitAndWait(**store,
                  backlog::makeMarkDeadJob(action_dead, "400: bad payload",
                                           [&p](const core::Status& st) { p.set_value(st); }),
                  std::move(f));
  }
  (*store)->stop();
}

std::string config(const std::string& database) {
  return "agent:\n  client: acme\n  database: " + database +
         "\nshops:\n  - name: acme\n    base_url: https://shop.acme.example\n    checks:\n"
         "      - {name: checkout, url: /checkout}\n"
         "  - name: acme\n    env: staging\n    base_url: https://staging.acme.example\n    checks:\n"
         "      - {name: checkout, url: /checkout}\n"
         "rules:\n  - {name: checkout-down, check: acme/checkout, expr: availability < 100%}\n";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("incidents lists the open incidents with their tickets and outbox state") {
  TempDir dir;
  const std::string db = (dir.path() / "acme.db").string();
  prepare(db);
  const std::string cfg = dir.write("acme.yaml", config(db));
  const std::string short_fp =
      backlog::incidentFingerprint("acme", "checkout-down", checkout()).substr(10, 8);
  const std::string short_staging =
      backlog::incidentFingerprint("acme", "checkout-down", checkout("staging")).substr(10, 8);

  auto o = runShopwatch("incidents -c " + cfg);
  INFO(o.out);
  REQUIRE(o.code == 0);
  auto out = lines(o.out);
  REQUIRE(out.size() == 3);
  CHECK(words(out[0]) == Words{"FINGERPRINT", "RULE", "TARGET", "SEVERITY", "STATE", "EPISODE",
                               "SINCE", "TICKETS", "PENDING"});
  CHECK(words(out[1]) == Words{short_fp, "checkout-down", "acme/checkout", "(production)", "critical",
                               "open", "2", "2027-01-15T08:00:00Z", "jira", "SHOP-42", "1"});
  // Columns line up: each row's TARGET starts where the header's does.
  CHECK(out[1].find("acme/checkout") == out[0].find("TARGET"));
  CHECK(out[2] == "1 open; outbox: 1 pending, 1 dead");

  auto all = runShopwatch("incidents --all -c " + cfg);
  REQUIRE(all.code == 0);
  out = lines(all.out);
  REQUIRE(out.size() == 4);
  CHECK(words(out[2]) == Words{short_staging, "checkout-down", "acme/checkout", "(staging)", "warning",
                               "resolved", "1", "2027-01-15T08:00:00Z", "-", "0"});
}

TEST_CASE("incidents --json prints one object per incident") {
  TempDir dir;
  const std::string db = (dir.path() / "acme.db").string();
  prepare(db);
  const std::string cfg = dir.write("acme.yaml", config(db));
  auto o = runShopwatch("incidents --all --json -c " + cfg);
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 2);
  const auto& open = j[0];
  CHECK(open["fingerprint"] == backlog::incidentFingerprint("acme", "checkout-down", checkout()));
  CHECK(open["rule"] == "checkout-down");
  CHECK(open["shop"] == "acme");
  CHECK(open["env"] == "production");
  CHECK(open["check"] == "checkout");
  CHECK(open["step"].is_null());
  CHECK(open["target"] == "acme/checkout");
  CHECK(open["severity"] == "critical");
  CHECK(open["state"] == "open");
  CHECK(open["episode"] == 2);
  CHECK(open["opened_at"] == "2027-01-15T08:00:00Z");
  CHECK(open["resolved_at"].is_null());
  CHECK(open["peak"] == 0.5);
  CHECK(open["expr"] == "availability < 100%");
  CHECK(open["threshold"] == 1.0);
  CHECK(open["sinks"] == nlohmann::json::array({"jira", "webhook"}));
  CHECK(open["tickets"]["jira"]["key"] == "SHOP-42");
  CHECK(open["tickets"]["jira"]["id"] == "10042");
  CHECK(open["tickets"]["jira"]["url"] == "https://acme.atlassian.net/browse/SHOP-42");
  CHECK(open["tickets"]["jira"]["episode"] == 2);
  CHECK_FALSE(open["tickets"].contains("webhook"));
  CHECK(open["outbox_pending"] == 1);
  CHECK(j[1]["state"] == "resolved");
  CHECK(j[1]["resolved_at"] == "2027-01-15T08:30:00Z");
  CHECK(j[1]["tickets"].empty());
  CHECK(j[1]["outbox_pending"] == 0);

  auto open_only = runShopwatch("incidents --json -c " + cfg);
  REQUIRE(open_only.code == 0);
  CHECK(nlohmann::json::parse(open_only.out).size() == 1);
}

TEST_CASE("incidents without a database exits 1 and says so") {
  TempDir dir;
  const std::string db = (dir.path() / "missing.db").string();
  const std::string cfg = dir.write("acme.yaml", config(db));
  auto o = runShopwatch("incidents -c " + cfg, "", true);
  CHECK(o.code == 1);
  CHECK(contains(o.out, "no database at " + db));
  CHECK_FALSE(std::filesystem::exists(db));  // read-only: nothing was created
}

TEST_CASE("incidents and backlog usage errors exit 2, an invalid config 1") {
  CHECK(runShopwatch("incidents").code == 2);
  CHECK(runShopwatch("incidents -c x.yaml --bogus").code == 2);
  CHECK(runShopwatch("backlog").code == 2);
  CHECK(runShopwatch("backlog check").code == 2);
  CHECK(runShopwatch("backlog rebuild").code == 2);
  CHECK(runShopwatch("backlog frobnicate -c x.yaml").code == 2);
  TempDir dir;
  const std::string bad = dir.write("bad.yaml", "agent: {client: acme}\nbacklog: {jira: {url: x}}\n");
  auto o = runShopwatch("incidents -c " + bad, "", true);
  CHECK(o.code == 1);
  CHECK(contains(o.out, "bad.yaml:2:"));
  CHECK(runShopwatch("backlog check -c " + bad).code == 1);
}
