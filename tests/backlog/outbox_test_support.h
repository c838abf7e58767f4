#pragma once
// What the planner, worker and metrics tests share: a real store in a temp dir with the alert and
// incident components, hand-built transitions, and a scripted fake sink that records every call.

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "shopwatch/agent/backlog/incident_planner.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::backlog_test {

using namespace std::chrono_literals;
using agent::backlog::ActionKind;
using agent::backlog::ActionState;
using agent::backlog::IncidentFacts;
using agent::backlog::OutboxAction;
using agent::backlog::SendResult;
using agent::backlog::SendStatus;
using agent::backlog::Ticket;
using rules::AlertRecord;
using rules::AlertState;
using rules::AlertTransition;
using rules::Severity;

inline const core::SystemTime kT0{std::chrono::seconds{1'800'000'000}};

/// Temp directories named after this suite.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("shopwatch-outbox") {}
};

inline rules::Target target(const std::string& check, const std::string& step = "") {
  return rules::Target{core::CheckKey{"acme", "production", check}, step};
}

/// A record of `rule` on acme/<check>: availability < 99%, value 90%.
inline AlertRecord record(const std::string& rule, const std::string& check, AlertState state,
                          Severity severity, core::SystemTime fired_at) {
  AlertRecord r;
  r.rule = rule;
  r.target = target(check);
  r.severity = severity;
  r.state = state;
  r.since = fired_at;
  r.fired_at = fired_at;
  r.value = 0.9;
  r.peak = 0.9;
  r.threshold = 0.99;
  r.expr = "availability < 99%";
  return r;
}

inline AlertTransition fire(const std::string& rule, const std::string& check, core::SystemTime at,
                            Severity severity = Severity::Warning,
                            AlertState from = AlertState::Pending) {
  AlertTransition t;
  t.alert = record(rule, check, AlertState::Firing, severity, at);
  t.from = from;
  t.from_severity = severity;
  t.at = at;
  return t;
}

inline AlertTransition escalate(const std::string& rule, const std::string& check,
                                core::SystemTime fired_at, core::SystemTime at, Severity from,
                                Severity to) {
  AlertTransition t;
  t.alert = record(rule, check, AlertState::Firing, to, fired_at);
  t.alert.since = at;
  t.alert.value = 0.6;
  t.alert.peak = 0.6;
  t.from = AlertState::Firing;
  t.from_severity = from;
  t.at = at;
  return t;
}

inline AlertTransition resolve(const std::string& rule, const std::string& check,
                               core::SystemTime fired_at, core::SystemTime at, double peak,
                               Severity severity = Severity::Warning) {
  AlertTransition t;
  t.alert = record(rule, check, AlertState::Ok, severity, fired_at);
  t.alert.since = at;
  t.alert.resolved_at = at;
  t.alert.value = 1.0;
  t.alert.peak = peak;
  t.from = AlertState::Firing;
  t.from_severity = severity;
  t.at = at;
  return t;
}

inline AlertTransition removed(AlertTransition last, core::SystemTime at) {
  last.from = last.alert.state;
  last.from_severity = last.alert.severity;
  last.removed = true;
  last.at = at;
  return last;
}

/// A store with the alert and incident components, a fake clock and a planner committing through
/// the alert transition job.
class Env {
 public:
  explicit Env(agent::backlog::PlannerConfig config, agent::backlog::FactsProvider provider = {})
      : planner_(std::move(provider)) {
    planner_.configure(std::move(config));
    storage::StoreOptions o;
    o.path = dir_.path() / "agent.db";
    o.components = {agent::persistence::alertStateComponent(),
                    agent::backlog::incidentsComponent()};
    o.flush_interval = 60s;
    o.max_backoff = 100ms;
    o.clock = &clock;
    auto store = storage::SqliteResultStore::open(o);
    REQUIRE(store);
    store_ = std::move(*store);
  }

  storage::SqliteResultStore& store() { return *store_; }
  agent::backlog::IncidentPlanner& planner() { return planner_; }

  /// Commits the transitions with the planner as the job's hook (and `after`, when given, run after
  /// the planner inside the same savepoint); returns the job's outcome.
  core::Status commit(std::vector<AlertTransition> transitions,
                      std::function<core::Status(storage::Db&)> after = {}) {
    auto promise = std::make_shared<std::promise<core::Status>>();
    auto future = promise->get_future();
    auto job = agent::persistence::makeAlertTransitionJob(
        std::move(transitions),
        [this, after](storage::Db& db, const std::vector<AlertTransition>& ts) -> core::Status {
          if (auto st = planner_.apply(db, ts); !st) return st;
          if (after) return after(db);
          return {};
        },
        [promise](const core::Status& st) { promise->set_value(st); });
    REQUIRE(store_->submit(std::move(job)));
    REQUIRE(future.wait_for(10s) == std::future_status::ready);
    return future.get();
  }

  template <typename T, typename Fn>
  T readAll(Fn&& fn) {
    T out{};
    REQUIRE(store_->read([&](storage::Db& db) -> core::Status {
      auto loaded = fn(db);
      if (!loaded) return loaded.error();
      out = std::move(*loaded);
      return {};
    }));
    return out;
  }

  std::vector<agent::backlog::Incident> incidents(bool all = true) {
    return readAll<std::vector<agent::backlog::Incident>>(
        [&](storage::Db& db) { return agent::backlog::loadIncidents(db, all); });
  }
  std::vector<OutboxAction> pending() {
    return readAll<std::vector<OutboxAction>>(
        [](storage::Db& db) { return agent::backlog::loadPendingActions(db); });
  }
  /// Every action, any state, by id.
  std::vector<OutboxAction> actions() {
    std::vector<OutboxAction> out;
    for (std::int64_t id = 1;; ++id) {
      auto a = readAll<std::optional<OutboxAction>>(
          [&](storage::Db& db) { return agent::backlog::loadAction(db, id); });
      if (!a) return out;
      out.push_back(std::move(*a));
    }
  }
  std::vector<agent::backlog::IncidentTicket> tickets() {
    return readAll<std::vector<agent::backlog::IncidentTicket>>(
        [](storage::Db& db) { return agent::backlog::loadTickets(db); });
  }
  std::vector<AlertRecord> alerts() {
    return readAll<std::vector<AlertRecord>>(
        [](storage::Db& db) { return agent::persistence::loadAlerts(db); });
  }

  core::FakeClock clock{kT0};

 private:
  TempDir dir_;
  agent::backlog::IncidentPlanner planner_;
  std::unique_ptr<storage::SqliteResultStore> store_;
};

inline std::vector<ActionKind> kinds(const std::vector<OutboxAction>& actions) {
  std::vector<ActionKind> out;
  for (const auto& a : actions) out.push_back(a.kind);
  return out;
}

inline IncidentFacts factsOf(const OutboxAction& a) {
  auto f = agent::backlog::factsFromJson(a.facts_json);
  REQUIRE(f);
  return *f;
}

/// One call a FakeSink received.
struct SinkCall {
  std::string sink;
  std::int64_t action_id = 0;
  ActionKind kind = ActionKind::Open;
  IncidentFacts facts;
  std::optional<Ticket> ticket;
  bool outcome_unknown = false;
  core::SystemTime at{};
};

/// The remote side of fake sinks: survives a worker restart, like a real Jira.
struct FakeBacklog {
  explicit FakeBacklog(const core::Clock& c) : clock(c) {}
  const core::Clock& clock;
  std::mutex mu;
  std::vector<SinkCall> calls;
  std::vector<std::vector<IncidentFacts>> refreshes;
  std::vector<int> refresh_codes;  ///< what each refresh() reports as its requests
  int creates = 0;
  std::map<std::string, Ticket> remote;  // by fingerprint
  /// A scripted answer for a call (nullopt: behave like a healthy Jira).
  std::function<std::optional<SendResult>(const SinkCall&)> script;

  std::vector<SinkCall> seen() {
    std::lock_guard lk(mu);
    return calls;
  }
  std::vector<ActionKind> seenKinds() {
    std::vector<ActionKind> out;
    for (const auto& c : seen()) out.push_back(c.kind);
    return out;
  }
  int createCount() {
    std::lock_guard lk(mu);
    return creates;
  }
  void setScript(std::function<std::optional<SendResult>(const SinkCall&)> s) {
    std::lock_guard lk(mu);
    script = std::move(s);
  }
};

inline SendResult answer(SendStatus status, int code, std::string error = {}) {
  SendResult r;
  r.status = status;
  r.http_code = code;
  r.error = std::move(error);
  r.request_codes = {code};
  return r;
}

/// A sink over a FakeBacklog: Open creates a ticket (or, with outcome_unknown, adopts the one the
/// remote already has for the fingerprint); every other action is a comment.
class FakeSink final : public agent::backlog::BacklogSink {
 public:
  FakeSink(std::shared_ptr<FakeBacklog> backlog, std::string name = "jira")
      : backlog_(std::move(backlog)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }

  SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown) override {
    std::lock_guard lk(backlog_->mu);
    SinkCall call{name_,  action.id,       action.kind,          facts,
                  ticket, outcome_unknown, backlog_->clock.now()};
    backlog_->calls.push_back(call);
    if (backlog_->script) {
      if (auto scripted = backlog_->script(call)) return *scripted;
    }
    if (action.kind != ActionKind::Open) return answer(SendStatus::Done, 201);
    auto known = backlog_->remote.find(facts.fingerprint);
    SendResult r = answer(SendStatus::Done, 201);
    if (known != backlog_->remote.end() && (outcome_unknown || ticket)) {
      known->second.episode = facts.episode;  // adopt (or reopen) what exists
      r.request_codes = {200, 204};
    } else {
      ++backlog_->creates;
      Ticket t{"SHOP-" + std::to_string(backlog_->creates),
               std::to_string(10000 + backlog_->creates),
               "https://acme.atlassian.net/browse/SHOP-" + std::to_string(backlog_->creates),
               facts.episode};
      known = backlog_->remote.insert_or_assign(facts.fingerprint, t).first;
    }
    r.ticket = known->second;
    return r;
  }

  std::vector<int> refresh(const std::vector<IncidentFacts>& firing) override {
    std::lock_guard lk(backlog_->mu);
    backlog_->refreshes.push_back(firing);
    return backlog_->refresh_codes;
  }

 private:
  std::shared_ptr<FakeBacklog> backlog_;
  std::string name_;
};

}  // namespace shopwatch::backlog_test
