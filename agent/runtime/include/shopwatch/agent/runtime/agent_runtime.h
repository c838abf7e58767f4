#pragma once
/// AgentRuntime: one running agent — config, scheduler, probe engine, result store, per-check state,
/// the agent's metrics and its HTTP endpoint — wired together (DESIGN.md, "Data flow").
///
/// Threads: the scheduler loop (dispatch → engine.submit), the engine's event thread (completions →
/// CheckStateTable::record, ResultWriter enqueue, confirm scheduling; never blocks), the store's
/// writer, the HTTP server's io thread and a 1 s housekeeping tick (store stats → metrics; up/down
/// transition log lines queued by the engine thread, at most 100 per tick plus a summary). Signal
/// handling is not here: entry.h's runAgent/runDemo wait for signals and call reload()/stop().

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/scheduler.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::status {
class CheckStateTable;
class AlertBoard;
}

namespace shopwatch::agent::runtime {

struct RuntimeOptions {
  /// Wall/steady clock for scheduling; nullptr: the system clock. Must outlive the runtime.
  const core::Clock* clock = nullptr;
  /// Non-empty: listen here instead of `agent.listen` (demo's --listen, tests' 127.0.0.1:0).
  std::string listen_override;
  /// Passed to the loader on reloadFile() (false for the demo).
  bool require_client = true;
  /// stop(): how long in-flight runs may take to finish before they are cut.
  std::chrono::milliseconds drain_timeout{3000};
  /// Performance insights ([F]): the first pass this long after start, then one every
  /// `insights_every` (audits only as often as `insights.audit_interval` allows).
  std::chrono::milliseconds insights_first_delay{20000};
  std::chrono::milliseconds insights_every{600000};
};

/// start()/reload*()/stop() from one controlling thread (the signal thread); the query methods from
/// any thread.
class AgentRuntime {
 public:
  explicit AgentRuntime(RuntimeOptions options = {});
  ~AgentRuntime();  ///< stop()s
  AgentRuntime(const AgentRuntime&) = delete;
  AgentRuntime& operator=(const AgentRuntime&) = delete;
  AgentRuntime(AgentRuntime&&) = delete;
  AgentRuntime& operator=(AgentRuntime&&) = delete;

  /// Opens the store (`agent.database`), starts the engine, the endpoint and the scheduler. Errors
  /// (store cannot open, address in use) leave nothing running. Call once.
  core::Status start(AgentConfig config);

  /// Applies a loaded config. Invalid (`!loaded.ok()`): the running config stays, each error is
  /// logged, shopwatch_config_last_reload_successful becomes 0 and an Invalid error returns.
  /// Valid: checks that stay keep their state and slot (their spec is replaced), new ones start,
  /// removed ones stop and their series disappear; the gauge becomes 1. `agent.listen`,
  /// `agent.database`, `agent.store_buffer` and `retention.*` changes need a restart (logged as a
  /// warning); `log_level` applies at once.
  core::Status reload(const LoadResult& loaded);
  /// loadConfigFile(path) + reload().
  core::Status reloadFile(const std::string& path);

  /// Graceful stop, bounded by drain_timeout + a second: no new runs; in-flight runs finish or are
  /// cut (cut runs are not recorded); the store flushes and stops; the endpoint closes. Idempotent.
  void stop();

  /// The endpoint's bound port / "IP:PORT" (after start()).
  std::uint16_t port() const;
  std::string listenAddress() const;
  /// The running config (after start()).
  std::shared_ptr<const AgentConfig> config() const;
  const status::CheckStateTable& checkStates() const;
  /// The latest alert and SLO snapshot the rule worker published.
  const status::AlertBoard& alertBoard() const;
  SchedulerStats schedulerStats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::agent::runtime
