#pragma once
// The backlog sink contract ([D2]): one set of scenarios every tracker's sink passes through the
// REAL outbox — a store in a temp dir, the IncidentPlanner committing alert transitions, the
// OutboxWorker on a FakeClock, and the real sink talking HTTP to its tracker. A Backend puts one
// tracker behind the scenarios (the fake Jira in both flavors, the real Redmine): it makes fresh
// sinks (as after an agent restart), lists a fingerprint's tickets as the tracker shows them, takes
// the tracker down and brings it back. The scenarios live in sink_contract_scenarios.cpp.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbox_test_support.h"
#include "shopwatch/agent/backlog/outbox_worker.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::contract {

using namespace std::chrono_literals;

/// One ticket as the tracker shows it.
struct TrackerTicket {
  std::string id;                    ///< Jira: the key ("SHOP-1"); Redmine: the issue number ("12")
  std::vector<std::string> refs;     ///< what a recorded Ticket's key or id may say for it
  bool closed = false;               ///< Jira: status category done; Redmine: a closed status
  std::string status;                ///< the status name, for messages
  std::vector<std::string> notes;    ///< comment / note texts, oldest first (empty notes left out)
  std::vector<std::string> related;  ///< ids (as in `id`) of tickets linked / related to it
};

/// One request the tracker received (only trackers that can log them).
struct TrackerRequest {
  core::SystemTime at{};  ///< on the scenario's FakeClock
  int status = 0;         ///< what the tracker answered
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// The sink's name: what the planner's sink list and rules' notify say.
  virtual std::string sinkName() const = 0;
  /// A fresh sink (no memory: as after an agent restart) on `clock`.
  virtual std::unique_ptr<agent::backlog::BacklogSink> makeSink(const core::Clock* clock) = 0;
  /// Every ticket carrying `fingerprint`, oldest first.
  virtual std::vector<TrackerTicket> tickets(const std::string& fingerprint) = 0;
  /// The tracker stops answering (down, refusing) / answers again. True on success.
  virtual bool stop() = 0;
  virtual bool start() = 0;
  /// Answers the next request with 429 and `Retry-After: seconds`; false when this tracker cannot.
  virtual bool rateLimitNext(int /*seconds*/) { return false; }
  /// Every request received so far, oldest first (trackers that rateLimitNext()).
  virtual std::vector<TrackerRequest> requests() { return {}; }
  /// How long (real time) a worker may take to settle against this tracker.
  virtual std::chrono::milliseconds patience() const { return 20s; }
};

/// Makes the backend of one scenario on the scenario's clock (a fresh, empty tracker view).
using BackendFactory = std::function<std::unique_ptr<Backend>(core::FakeClock&)>;

/// The "agent SIGKILLed between sending a create and recording it" scenario runs the doomed agent
/// in a forked child (forked before any thread exists). The parent makes the backend after the fork
/// and hands the child `endpoint(backend)` (e.g. the fake's URL) over a pipe; the child builds its
/// sink from it with `child_sink`, on its own clock. Nothing else is shared but the store's
/// directory.
struct KillPlan {
  BackendFactory parent;
  std::function<std::string(Backend&)> endpoint;
  std::function<std::unique_ptr<agent::backlog::BacklogSink>(const std::string& endpoint,
                                                             const core::Clock* clock)>
      child_sink;
};

// --- The scenarios (each one TEST_CASE per backend; each fails through Catch2 checks). ---

/// Outage → exactly one ticket → escalation (warning → critical) adds exactly one note → resolve
/// closes it with a note naming start, end and duration.
void outageScenario(const BackendFactory& make);
/// Re-fire inside reopen_window → the same ticket reopened with a note; after the window → a new
/// ticket related to the previous one.
void refireScenario(const BackendFactory& make);
/// The tracker down for the whole incident (fire, escalate, digests, resolve), then back: every
/// action delivered exactly once and in order; only digests coalesced.
void trackerDownScenario(const BackendFactory& make);
/// A simulated crash (before_record returns false) after the create went out and before it was
/// recorded: the restarted worker with a fresh sink adopts the ticket — no duplicate.
void crashBeforeRecordScenario(const BackendFactory& make);
/// The same with a real SIGKILL of a forked agent process. Call first thing in the TEST_CASE.
void killedAgentScenario(const KillPlan& plan);
/// A 429 with Retry-After 3 s: no request before 3 s have passed, then delivered.
/// Returns false (and WARNs) when the backend cannot rate-limit: nothing was tested.
bool rateLimitScenario(const BackendFactory& make);

// --- Shared helpers (sink_contract_support.cpp). ---

/// `shopwatch:<fingerprint>:<episode>:<kind>:<action id>` as found in a note.
struct Trailer {
  std::int64_t episode = 0;
  std::string kind;  ///< open | escalate | digest | resolve | retire
  std::int64_t action_id = 0;
};
std::optional<Trailer> trailerOf(const std::string& note, const std::string& fingerprint);

/// Whether `text` names `t` (RFC 3339, or "YYYY-MM-DD HH:MM[:SS]").
bool mentionsTime(const std::string& text, core::SystemTime t);
/// Whether `text` names a duration of `minutes` minutes ("8m", "8 min", "8 minutes").
bool mentionsMinutes(const std::string& text, int minutes);
/// Whether a recorded ticket refers to the tracker's ticket.
bool refersTo(const agent::backlog::Ticket& recorded, const TrackerTicket& t);

/// The wall clock now, rounded down to the minute: the scenarios' FakeClock starts here so that a
/// real tracker's own timestamps (Redmine's closed_on) and the agent's agree on reopen_window.
core::SystemTime scenarioStart();

/// A store in `dir` with the alert and incident components and a planner committing through the
/// alert transition job (as backlog_test::Env, but on a given directory and clock, so a second
/// process can open the same database).
class ContractStore {
 public:
  ContractStore(const std::filesystem::path& dir, core::FakeClock& clock,
                agent::backlog::PlannerConfig config);
  storage::SqliteResultStore& store() { return *store_; }
  /// Commits the transitions with the planner as the job's hook; REQUIREs success.
  void commit(std::vector<rules::AlertTransition> transitions);
  std::vector<agent::backlog::Incident> incidents();
  std::vector<agent::backlog::OutboxAction> pending();
  std::vector<agent::backlog::OutboxAction> actions();  ///< every action by id, any state
  std::vector<agent::backlog::IncidentTicket> tickets();

 private:
  agent::backlog::IncidentPlanner planner_;
  std::unique_ptr<storage::SqliteResultStore> store_;
};

/// One scenario's world: the clock, the tracker, the store and (once started) the worker.
class ContractWorld {
 public:
  struct Options {
    core::Micros comment_interval = std::chrono::hours{4};
    std::optional<core::SystemTime> start;  ///< scenarioStart() when empty
    std::filesystem::path dir;              ///< a fresh temp dir when empty
  };
  ContractWorld(const BackendFactory& make, Options options);
  ~ContractWorld();

  /// (Re)starts the worker with a fresh sink (the previous worker stopped first).
  void startWorker(
      std::function<bool(const agent::backlog::OutboxAction&, const agent::backlog::SendResult&)>
          before_record = {},
      std::function<double()> random = {});
  void stopWorker();
  agent::backlog::OutboxWorker& worker() { return *worker_; }

  void commit(std::vector<rules::AlertTransition> transitions);  ///< commit, wake, settle
  void settle();                                                 ///< wake and waitIdle
  void advance(core::Micros by);                                 ///< clock, wake, settle
  /// Sets the clock to `at` (never backwards), wakes and settles.
  void advanceTo(core::SystemTime at);
  /// The fingerprint of the only incident.
  std::string fingerprint();
  std::vector<TrackerTicket> tickets() { return backend->tickets(fingerprint()); }

  core::FakeClock clock;
  std::unique_ptr<Backend> backend;
  agent::backlog::PlannerConfig config;

 private:
  std::optional<backlog_test::TempDir> own_dir_;
  std::filesystem::path dir_;

 public:
  ContractStore store;

 private:
  core::Micros comment_interval_;
  std::unique_ptr<agent::backlog::OutboxWorker> worker_;
};

inline const std::string kRule = "checkout-down";
inline const std::string kCheck = "checkout";
inline const std::string kClient = "acme";

}  // namespace shopwatch::contract
