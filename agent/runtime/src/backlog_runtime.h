#pragma once
// BacklogRuntime: the agent's incident pipeline ([D]) — the IncidentPlanner that writes incidents and
// outbox rows inside the rule worker's transition jobs, and the OutboxWorker that delivers them to the
// configured sinks (Jira, Redmine, webhook, Alertmanager), and the internal alert on a paused sink
// (sink_pause_alerts.h). Rebuilt on reload (the outbox is durable: nothing
// pending is lost when the worker is replaced).

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "shopwatch/agent/backlog/incident_planner.h"
#include "shopwatch/agent/backlog/outbox_worker.h"
#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/runtime/rule_worker.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "sink_pause_alerts.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

class BacklogRuntime {
 public:
  BacklogRuntime(const core::Clock& clock, storage::SqliteResultStore& store,
                 const status::CheckStateTable& states, status::AlertBoard& board,
                 std::string status_base_url);
  ~BacklogRuntime();  ///< stop()

  /// Start-up and reload: planner settings, and a new worker for the configured sinks (none: no worker).
  void configure(const AgentConfig& config);
  void stop();

  /// For RuleWorkerOptions::hook: incidents and outbox rows in the transition's transaction.
  TransitionHook hook();
  /// For RuleWorkerOptions: a transition job committed — look at the outbox.
  void committed();
  /// The planner, for transitions no rule makes (InsightTickets files findings through it with a
  /// backlog::FilingOverride inside its own write job, then calls committed()). Thread-safe.
  const backlog::IncidentPlanner& planner() const { return planner_; }
  /// Blocks until the outbox worker is idle (OutboxWorker::waitIdle); true at once without one.
  /// For tests and orderly shutdowns; not concurrently with configure() or stop().
  bool waitIdle(std::chrono::milliseconds timeout);

  /// The backlog families of /metrics.
  void appendMetrics(std::string& out) const;
  /// GET /api/v1/incidents.
  std::string incidentsJson(bool all) const;

 private:
  void fillFacts(const rules::AlertRecord& record, backlog::IncidentFacts& facts) const;
  std::vector<backlog::IncidentFacts> openFacts() const;

  const core::Clock& clock_;
  storage::SqliteResultStore& store_;
  const status::CheckStateTable& states_;
  status::AlertBoard& board_;
  std::string status_base_url_;
  backlog::IncidentPlanner planner_;
  mutable std::mutex mu_;
  std::unique_ptr<backlog::OutboxWorker> worker_;
  std::unique_ptr<SinkPauseAlerts> pauses_;
  std::vector<std::string> secrets_;
};

}  // namespace shopwatch::agent::runtime
