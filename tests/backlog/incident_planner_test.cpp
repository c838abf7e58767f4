// IncidentPlanner: alert transitions become incident rows and outbox actions in the transaction
// that writes the transitions — one incident per rule and target, episodes, and notify's sink
// choice.
#include "shopwatch/agent/backlog/incident_planner.h"

#include <catch2/catch.hpp>

#include "outbox_test_support.h"

using namespace shopwatch;
using namespace shopwatch::backlog_test;
using agent::backlog::Incident;
using agent::backlog::IncidentState;
using agent::backlog::PlannerConfig;

namespace {

PlannerConfig config(std::vector<std::string> sinks = {"jira", "webhook"},
                     std::map<std::string, std::vector<std::string>> notify = {}) {
  PlannerConfig c;
  c.client = "acme-client";
  c.sinks = std::move(sinks);
  c.notify = std::move(notify);
  return c;
}

// Evidence as the agent's check state table would give it.
void evidence(const AlertRecord&, IncidentFacts& f) {
  f.failure = "http_status";
  f.status_code = 503;
  f.status_url = "http://127.0.0.1:9115/api/v1/checks/acme/production/" + f.check;
}

}  // namespace

TEST_CASE("a firing alert opens one incident with an open action per configured sink") {
  Env env(config(), evidence);
  REQUIRE(env.commit({fire("availability", "home", kT0)}));

  const auto incidents = env.incidents();
  REQUIRE(incidents.size() == 1);
  const auto& inc = incidents[0];
  CHECK(inc.fingerprint ==
        agent::backlog::incidentFingerprint("acme-client", "availability", target("home")));
  CHECK(inc.fingerprint.size() == 10 + 32);
  CHECK(inc.state == IncidentState::Open);
  CHECK(inc.episode == 1);
  CHECK(inc.opened_at == kT0);
  CHECK_FALSE(inc.resolved_at);
  CHECK(inc.severity == Severity::Warning);
  CHECK(inc.sinks == std::vector<std::string>{"jira", "webhook"});
  CHECK(inc.expr == "availability < 99%");

  const auto actions = env.pending();
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].sink == "jira");
  CHECK(actions[1].sink == "webhook");
  for (const auto& a : actions) {
    CHECK(a.kind == ActionKind::Open);
    CHECK(a.incident_id == inc.id);
    CHECK(a.attempts == 0);
    CHECK(a.created_at == kT0);
    CHECK(a.next_attempt_at == kT0);
    CHECK_FALSE(a.outcome_unknown);
    const auto f = factsOf(a);
    CHECK(f.client == "acme-client");
    CHECK(f.fingerprint == inc.fingerprint);
    CHECK(f.rule == "availability");
    CHECK(f.shop == "acme");
    CHECK(f.env == "production");
    CHECK(f.check == "home");
    CHECK(f.severity == "warning");
    CHECK(f.value_text == "90%");
    CHECK(f.threshold_text == "99%");
    CHECK(f.peak_text == "90%");
    CHECK(f.episode == 1);
    CHECK(f.since == kT0);
    CHECK(f.at == kT0);
    CHECK(f.failure == "http_status");
    CHECK(f.status_code == 503);
    CHECK(f.status_url == "http://127.0.0.1:9115/api/v1/checks/acme/production/home");
  }
  // The alert rows were written by the same job.
  REQUIRE(env.alerts().size() == 1);
}

TEST_CASE("escalation, resolve, re-fire and removal each queue their action on the same incident") {
  Env env(config({"jira"}));
  const auto t_fire = kT0;
  const auto t_esc = kT0 + 5min;
  const auto t_res = kT0 + 20min;
  const auto t_refire = kT0 + 1h;
  const auto t_gone = kT0 + 2h;
  REQUIRE(env.commit({fire("availability", "home", t_fire)}));
  REQUIRE(env.commit(
      {escalate("availability", "home", t_fire, t_esc, Severity::Warning, Severity::Critical)}));
  {
    const auto inc = env.incidents().at(0);
    CHECK(inc.severity == Severity::Critical);
    CHECK(inc.peak == Approx(0.6));
  }
  REQUIRE(env.commit({resolve("availability", "home", t_fire, t_res, 0.5, Severity::Critical)}));
  {
    const auto incidents = env.incidents();
    REQUIRE(incidents.size() == 1);
    CHECK(incidents[0].state == IncidentState::Resolved);
    CHECK(incidents[0].resolved_at == t_res);
    CHECK(incidents[0].peak == Approx(0.5));
    CHECK(env.incidents(false).empty());
  }
  const auto refire =
      fire("availability", "home", t_refire, Severity::Warning, AlertState::Pending);
  REQUIRE(env.commit({refire}));
  {
    const auto incidents = env.incidents();
    REQUIRE(incidents.size() == 1);
    CHECK(incidents[0].state == IncidentState::Open);
    CHECK(incidents[0].episode == 2);
    CHECK(incidents[0].opened_at == t_refire);
    CHECK_FALSE(incidents[0].resolved_at);
    CHECK(incidents[0].severity == Severity::Warning);
  }
  REQUIRE(env.commit({removed(refire, t_gone)}));

  const auto actions = env.pending();
  REQUIRE(kinds(actions) == std::vector<ActionKind>{ActionKind::Open, ActionKind::Escalate,
                                                    ActionKind::Resolve, ActionKind::Open,
                                                    ActionKind::Retire});
  const auto esc = factsOf(actions[1]);
  CHECK(esc.severity == "critical");
  CHECK(esc.previous_severity == "warning");
  CHECK(esc.value_text == "60%");
  CHECK(esc.episode == 1);
  CHECK(esc.since == t_fire);
  CHECK(esc.at == t_esc);
  const auto res = factsOf(actions[2]);
  CHECK(res.resolved_at == t_res);
  CHECK(res.peak_text == "50%");
  CHECK(res.episode == 1);
  const auto reopen = factsOf(actions[3]);
  CHECK(reopen.episode == 2);
  CHECK(reopen.since == t_refire);
  const auto retire = factsOf(actions[4]);
  CHECK(retire.episode == 2);
  CHECK(retire.resolved_at == t_gone);

  const auto inc = env.incidents().at(0);
  CHECK(inc.state == IncidentState::Resolved);
  CHECK(inc.resolved_at == t_gone);
  for (const auto& a : actions) CHECK(a.incident_id == inc.id);
}

TEST_CASE("pending, suppressed and repeated transitions file nothing") {
  Env env(config({"jira"}));
  AlertTransition pending;
  pending.alert = record("availability", "home", AlertState::Pending, Severity::Warning, kT0);
  pending.alert.fired_at.reset();
  pending.from = AlertState::Ok;
  pending.at = kT0;
  AlertTransition suppressed = pending;
  suppressed.alert.state = AlertState::Suppressed;
  suppressed.from = AlertState::Pending;
  REQUIRE(env.commit({pending, suppressed}));
  CHECK(env.incidents().empty());
  CHECK(env.pending().empty());

  // A resolve with no open incident, then the same firing transition twice (a replay).
  REQUIRE(env.commit({resolve("availability", "home", kT0 - 1h, kT0, 0.5)}));
  CHECK(env.incidents().empty());
  const auto t =
      fire("availability", "home", kT0 + 1min, Severity::Warning, AlertState::Suppressed);
  REQUIRE(env.commit({t}));
  REQUIRE(env.commit({t}));
  CHECK(kinds(env.pending()) == std::vector<ActionKind>{ActionKind::Open});
  CHECK(env.incidents().at(0).episode == 1);
  // Firing → firing without a severity change: nothing either.
  REQUIRE(env.commit({escalate("availability", "home", kT0 + 1min, kT0 + 2min, Severity::Warning,
                               Severity::Warning)}));
  CHECK(env.pending().size() == 1);
}

TEST_CASE("notify picks the sinks: an empty list files nothing, a list files only with those") {
  Env env(config({"jira", "webhook", "alertmanager"},
                 {{"quiet", {}}, {"only-jira", {"jira"}}, {"not-configured", {"github"}}}));
  REQUIRE(env.commit({fire("quiet", "home", kT0), fire("only-jira", "home", kT0),
                      fire("not-configured", "home", kT0), fire("everywhere", "home", kT0)}));
  const auto incidents = env.incidents();
  REQUIRE(incidents.size() == 2);
  CHECK(incidents[0].rule == "only-jira");
  CHECK(incidents[0].sinks == std::vector<std::string>{"jira"});
  CHECK(incidents[1].rule == "everywhere");
  CHECK(incidents[1].sinks == std::vector<std::string>{"jira", "webhook", "alertmanager"});
  std::vector<std::string> sinks;
  for (const auto& a : env.pending()) sinks.push_back(a.sink + "/" + std::to_string(a.incident_id));
  const auto one = std::to_string(incidents[0].id);
  const auto two = std::to_string(incidents[1].id);
  CHECK(sinks == std::vector<std::string>{"jira/" + one, "jira/" + two, "webhook/" + two,
                                          "alertmanager/" + two});
  // The resolve of `quiet` finds no incident and files nothing.
  REQUIRE(env.commit({resolve("quiet", "home", kT0, kT0 + 10min, 0.9)}));
  CHECK(env.pending().size() == 4);
}

TEST_CASE("a failing hook rolls back the incident rows together with the alert rows") {
  Env env(config({"jira"}));
  const auto st = env.commit({fire("availability", "home", kT0)}, [](storage::Db&) -> core::Status {
    return core::makeError(core::ErrorCode::Invalid, "boom");
  });
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("boom") != std::string::npos);
  CHECK(env.alerts().empty());
  CHECK(env.incidents().empty());
  CHECK(env.pending().empty());
  // The next attempt (as the agent's retry of the job) writes everything once.
  REQUIRE(env.commit({fire("availability", "home", kT0)}));
  CHECK(env.alerts().size() == 1);
  CHECK(env.incidents().size() == 1);
  CHECK(env.pending().size() == 1);
}

TEST_CASE("an attempt rolled back and applied again writes the same rows once") {
  Env env(config({"jira"}));
  // What the writer does when a batch fails: the savepoint rolls back, apply() runs again.
  REQUIRE(env.commit({}, [&](storage::Db& db) -> core::Status {
    const std::vector<AlertTransition> ts{fire("availability", "home", kT0)};
    {
      storage::Savepoint sp(db);
      if (!sp.began()) return sp.began();
      if (auto st = env.planner().apply(db, ts); !st) return st;
    }  // rolled back (no Catch2 assertion here: this runs on the writer thread)
    return env.planner().apply(db, ts);
  }));
  CHECK(env.incidents().size() == 1);
  CHECK(env.incidents().at(0).episode == 1);
  CHECK(kinds(env.pending()) == std::vector<ActionKind>{ActionKind::Open});
}

TEST_CASE("facts survive their JSON form and fingerprints ignore values and severity") {
  IncidentFacts f;
  f.client = "acme-client";
  f.rule = "availability";
  f.shop = "acme";
  f.check = "checkout";
  f.step = "cart";
  f.severity = "critical";
  f.message = "quote \" and \xff byte";
  f.episode = 3;
  f.since = kT0;
  f.at = kT0 + 1s;
  f.resolved_at = kT0 + 2s;
  f.status_code = 502;
  auto back = agent::backlog::factsFromJson(agent::backlog::factsToJson(f));
  REQUIRE(back);
  CHECK(back->rule == f.rule);
  CHECK(back->step == "cart");
  CHECK(back->episode == 3);
  CHECK(back->since == kT0);
  CHECK(back->at == kT0 + 1s);
  CHECK(back->resolved_at == kT0 + 2s);
  CHECK(back->status_code == 502);
  CHECK(back->message.rfind("quote \" and ", 0) == 0);
  CHECK_FALSE(agent::backlog::factsFromJson("[1]"));
  CHECK_FALSE(agent::backlog::factsFromJson("{\"episode\":\"x\"}"));

  const auto a = agent::backlog::incidentFingerprint("acme-client", "availability", target("home"));
  CHECK(a == agent::backlog::incidentFingerprint("ACME-client", "availability", target("home")));
  CHECK(a != agent::backlog::incidentFingerprint("other", "availability", target("home")));
  auto staging = target("home");
  staging.key.env = "staging";
  CHECK(a != agent::backlog::incidentFingerprint("acme-client", "availability", staging));
  CHECK(a !=
        agent::backlog::incidentFingerprint("acme-client", "availability", target("home", "x")));
  CHECK(a.rfind("shopwatch-", 0) == 0);
  CHECK(a.find_first_not_of("shopwatch-0123456789abcdef") == std::string::npos);
}

TEST_CASE("a filing override sends an improvement to exactly its sinks with its facts") {
  Env env(config({"jira", "webhook", "alertmanager"}), evidence);
  agent::backlog::FilingOverride how;
  how.sinks = {"jira", "redmine"};  // redmine is not configured: dropped
  how.facts = [](const AlertRecord&, IncidentFacts& f) {
    f.kind = std::string(agent::backlog::kImprovementKind);
    f.issue_type = "Improvement";
    f.finding_summary = "server time is 82% of checkout p95";
  };
  auto t = fire("insights/slow-ttfb", "checkout", kT0, Severity::Warning, AlertState::Ok);
  REQUIRE(env.commit({}, [&](storage::Db& db) { return env.planner().apply(db, {t}, how); }));

  const auto incidents = env.incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].sinks == std::vector<std::string>{"jira"});
  CHECK(incidents[0].fingerprint == agent::backlog::incidentFingerprint(
                                        "acme-client", "insights/slow-ttfb", target("checkout")));
  const auto actions = env.pending();
  REQUIRE(actions.size() == 1);
  const auto f = factsOf(actions[0]);
  CHECK(f.improvement());
  CHECK(f.issue_type == "Improvement");
  CHECK(f.finding_summary == "server time is 82% of checkout p95");
  CHECK(f.failure.empty());  // the override's facts, not the planner's provider
  CHECK(f.status_code == 0);

  // The close goes to the episode's sinks with the override's facts again.
  auto ok = resolve("insights/slow-ttfb", "checkout", kT0, kT0 + 7 * 24h, 0.9);
  REQUIRE(env.commit({}, [&](storage::Db& db) { return env.planner().apply(db, {ok}, how); }));
  const auto after = env.pending();
  REQUIRE(after.size() == 2);
  CHECK(after[1].kind == ActionKind::Resolve);
  CHECK(after[1].sink == "jira");
  CHECK(factsOf(after[1]).improvement());
}

TEST_CASE("improvement facts round-trip and rows written before them read as incidents") {
  IncidentFacts f;
  f.fingerprint = "shopwatch-0123456789abcdef0123456789abcdef";
  f.rule = "insights/slow-ttfb";
  f.kind = std::string(agent::backlog::kImprovementKind);
  f.issue_type = "Improvement";
  f.finding_summary = "server time dominates";
  f.saving_text = "about 600 ms per page view";
  f.evidence_text = "p95_ms: 1420\nttfb_share: 0.82";
  f.close_after_text = "7 days";
  f.last_seen = kT0 + 5s;
  auto back = agent::backlog::factsFromJson(agent::backlog::factsToJson(f));
  REQUIRE(back);
  CHECK(back->improvement());
  CHECK(back->issue_type == "Improvement");
  CHECK(back->finding_summary == f.finding_summary);
  CHECK(back->saving_text == f.saving_text);
  CHECK(back->evidence_text == f.evidence_text);
  CHECK(back->close_after_text == "7 days");
  CHECK(back->last_seen == kT0 + 5s);

  auto old = agent::backlog::factsFromJson(
      R"({"fingerprint":"shopwatch-0123456789abcdef0123456789abcdef","rule":"availability","episode":2})");
  REQUIRE(old);
  CHECK(old->kind == "incident");
  CHECK_FALSE(old->improvement());
  CHECK(old->issue_type.empty());
  CHECK_FALSE(old->last_seen);
  CHECK_FALSE(agent::backlog::factsFromJson(R"({"last_seen":"yesterday"})"));
}
