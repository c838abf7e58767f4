#pragma once
// SinkPauseAlerts: the internal alert on a paused backlog sink ([D] "401/403 pause the sink and raise
// an internal alert"). When the outbox worker reports that a sink refused its credentials, an alert
// `backlog-sink-paused` on shopwatch/agent/<sink> (critical) goes firing: it is listed in
// /api/v1/alerts and shopwatch_alert_state beside the rules' alerts, and its transition is committed
// through the incident planner, so the *other* sinks (never the paused one) get an incident. When the
// sink answers again, the alert resolves the same way. A sink's first answer after a start resolves
// an incident an earlier run left open.
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/outbox_worker.h"
#include "shopwatch/agent/runtime/rule_worker.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

class SinkPauseAlerts {
 public:
  /// `hook`: the planner's transition hook; `committed`: called after a transition committed (wakes
  /// the outbox worker). All must outlive this object.
  SinkPauseAlerts(const core::Clock& clock, storage::SqliteResultStore& store, status::AlertBoard& board,
                  TransitionHook hook, std::function<void()> committed);

  /// OutboxWorkerOptions::on_pause_change (the outbox thread).
  void onChange(const backlog::SinkStats& sink);
  /// Reload: the alerts of sinks no longer configured resolve.
  void keepOnly(const std::vector<std::string>& sinks);

 private:
  void commit(rules::AlertTransition t);
  void publishLocked();

  const core::Clock& clock_;
  storage::SqliteResultStore& store_;
  status::AlertBoard& board_;
  TransitionHook hook_;
  std::function<void()> committed_;
  mutable std::mutex mu_;
  std::map<std::string, rules::AlertRecord> firing_;  // by sink name
};

}  // namespace shopwatch::agent::runtime
