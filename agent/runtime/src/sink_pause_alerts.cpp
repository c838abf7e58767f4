#include "sink_pause_alerts.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

rules::Target sinkTarget(const std::string& sink) {
  return rules::Target{core::CheckKey{std::string(kCanaryShop), std::string(kCanaryEnv), sink}, ""};
}

// One transition through the planner, in its own write job (no alert row: the alert lives in memory
// and is raised again by the next refusal after a restart).
class PauseTransitionJob final : public storage::WriteJob {
 public:
  PauseTransitionJob(TransitionHook hook, rules::AlertTransition t, std::function<void()> committed)
      : hook_(std::move(hook)), t_(std::move(t)), committed_(std::move(committed)) {}
  core::Status apply(storage::Db& db) override { return hook_ ? hook_(db, {t_}) : core::Status{}; }
  void done(const core::Status& outcome) override {
    if (!outcome) {
      spdlog::error("backlog: cannot record the {} alert of sink {}: {}", backlog::kSinkPausedRule,
                    t_.alert.target.key.check, outcome.error().message);
      return;
    }
    if (committed_) committed_();
  }

 private:
  TransitionHook hook_;
  rules::AlertTransition t_;
  std::function<void()> committed_;
};

}  // namespace

SinkPauseAlerts::SinkPauseAlerts(const core::Clock& clock, storage::SqliteResultStore& store,
                                 status::AlertBoard& board, TransitionHook hook,
                                 std::function<void()> committed)
    : clock_(clock), store_(store), board_(board), hook_(std::move(hook)), committed_(std::move(committed)) {}

void SinkPauseAlerts::onChange(const backlog::SinkStats& sink) {
  const auto now = clock_.now();
  rules::AlertTransition t;
  t.at = now;
  t.from_severity = rules::Severity::Critical;
  {
    std::lock_guard lock(mu_);
    auto it = firing_.find(sink.name);
    if (sink.paused) {
      if (it != firing_.end()) return;
      rules::AlertRecord r;
      r.rule = std::string(backlog::kSinkPausedRule);
      r.target = sinkTarget(sink.name);
      r.severity = rules::Severity::Critical;
      r.state = rules::AlertState::Firing;
      r.since = sink.paused_since.value_or(now);
      r.fired_at = r.since;
      r.breach_since = r.since;
      r.value = sink.pause_code;
      r.threshold = 0;
      r.expr = "backlog " + sink.name + " refuses our credentials (HTTP " +
               std::to_string(sink.pause_code) + "): " + sink.pause_error;
      firing_[sink.name] = r;
      t.alert = r;
      t.from = rules::AlertState::Ok;
    } else {
      // Resolved, or a sink's first answer since the start (an incident left open resolves).
      rules::AlertRecord r;
      if (it != firing_.end()) {
        r = it->second;
        firing_.erase(it);
      } else {
        r.rule = std::string(backlog::kSinkPausedRule);
        r.target = sinkTarget(sink.name);
        r.severity = rules::Severity::Critical;
        r.expr = "backlog " + sink.name + " refused our credentials (HTTP 401/403)";
      }
      r.state = rules::AlertState::Ok;
      r.since = now;
      r.resolved_at = now;
      r.healthy_since = now;
      t.alert = r;
      t.from = rules::AlertState::Firing;
    }
    publishLocked();
  }
  if (t.alert.state == rules::AlertState::Firing) {
    spdlog::error("internal alert {} firing for sink {}: {}", backlog::kSinkPausedRule,
                  sink.name, t.alert.expr);
  } else if (t.from == rules::AlertState::Firing && t.alert.fired_at) {
    spdlog::info("internal alert {} resolved for sink {}", backlog::kSinkPausedRule, sink.name);
  }
  commit(std::move(t));
}

void SinkPauseAlerts::keepOnly(const std::vector<std::string>& sinks) {
  std::vector<rules::AlertTransition> gone;
  {
    std::lock_guard lock(mu_);
    for (auto it = firing_.begin(); it != firing_.end();) {
      if (std::find(sinks.begin(), sinks.end(), it->first) != sinks.end()) {
        ++it;
        continue;
      }
      rules::AlertTransition t;
      t.at = clock_.now();
      t.alert = it->second;
      t.alert.state = rules::AlertState::Ok;
      t.alert.resolved_at = t.at;
      t.from = rules::AlertState::Firing;
      t.from_severity = t.alert.severity;
      t.removed = true;
      gone.push_back(std::move(t));
      it = firing_.erase(it);
    }
    publishLocked();
  }
  for (auto& t : gone) commit(std::move(t));
}

void SinkPauseAlerts::publishLocked() {
  std::vector<rules::AlertRecord> out;
  for (const auto& [name, r] : firing_) out.push_back(r);
  board_.setInternal(std::move(out));
}

void SinkPauseAlerts::commit(rules::AlertTransition t) {
  if (!store_.submit(std::make_unique<PauseTransitionJob>(hook_, std::move(t), committed_))) {
    spdlog::error("backlog: the store is not writable: the {} alert is not filed",
                  backlog::kSinkPausedRule);
  }
}

}  // namespace shopwatch::agent::runtime
