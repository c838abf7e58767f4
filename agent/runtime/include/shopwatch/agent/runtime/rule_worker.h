#pragma once
/// RuleWorker: runs the rule engine (shopwatch::rules) on its own thread (DESIGN.md, "Data flow"). It is
/// a consumer of the run fan-out: onRun() copies the record's few figures the rules need into a bounded
/// queue and returns (the engine thread never waits for rules). The thread feeds the engine, ticks it
/// every second, commits its transitions through the store's writer (persistence's alert job, in the
/// writer's transaction) before anything acts on them, logs them, and publishes the alert board.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/run_consumer.h"
#include "shopwatch/rules/rule_engine.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

/// Runs in the writer's transaction with the alert rows of the transitions ([D]: incidents and outbox).
using TransitionHook =
    std::function<core::Status(storage::Db&, const std::vector<rules::AlertTransition>&)>;

struct RuleWorkerOptions {
  const core::Clock* clock = nullptr;             ///< required
  storage::SqliteResultStore* store = nullptr;    ///< where transitions are committed (null: not persisted)
  status::AlertBoard* board = nullptr;            ///< required
  core::Micros tick{std::chrono::seconds{1}};
  std::size_t queue_capacity = 200000;            ///< runs waiting for the thread; past it runs are dropped
  TransitionHook hook;                            ///< optional
  /// Called on the store's writer thread after a transition job committed (optional; keep it short).
  std::function<void()> committed;
  /// Windows active now, for the board (optional).
  std::function<std::vector<rules::MaintenanceOccurrence>(core::SystemTime)> active_maintenance;
};

class RuleWorker final : public core::RunConsumer {
 public:
  explicit RuleWorker(RuleWorkerOptions options);
  ~RuleWorker() override;  ///< stop()
  RuleWorker(const RuleWorker&) = delete;
  RuleWorker& operator=(const RuleWorker&) = delete;

  /// The engine, for start-up restore only (before start()).
  rules::RuleEngine& engineForRestore() { return engine_; }
  /// Starts the thread; the first tick evaluates with the restored state at once.
  void start();
  /// Processes what is queued, ticks once more, commits the last transitions and joins. Idempotent.
  void stop();

  /// Thread-safe; applied on the worker thread in order with the runs around them.
  void configure(rules::RuleSet set);
  void setCalendar(std::shared_ptr<const rules::MaintenanceCalendar> calendar);

  void onRun(const core::RunRecord& record, const core::RunVerdict& verdict) override;
  /// Ignored: the fan-out's restore replays only each series' latest rows; the engine's windows are
  /// rebuilt by restoreRules() through engineForRestore().
  void onRestore(const core::RunRecord& record, const core::RunVerdict& verdict) override;

  std::uint64_t droppedRuns() const { return dropped_.load(); }
  std::uint64_t transitionsCommitted() const { return committed_.load(); }
  /// Transitions handed to the store whose job has not reported back yet.
  std::uint64_t transitionsPending() const { return pending_.load(); }

 private:
  struct RunItem {
    core::RunRecord record;
    core::RunVerdict verdict;
  };
  using Item = std::variant<RunItem, rules::RuleSet, std::shared_ptr<const rules::MaintenanceCalendar>>;
  void loop(std::stop_token stop);
  void process(std::deque<Item>& items);
  void commit(std::vector<rules::AlertTransition> transitions);
  void publish();

  RuleWorkerOptions options_;
  rules::RuleEngine engine_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Item> queue_;
  std::size_t queued_runs_ = 0;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> pending_{0};
  std::atomic<bool> running_{false};
  std::jthread thread_;
};

}  // namespace shopwatch::agent::runtime
