#pragma once
/// AgentMetrics: the agent's own metrics (not per check), held in a prometheus-cpp Registry plus
/// scrape-time collectors (store numbers, /proc/self process metrics). Names:
///   shopwatch_scheduler_lag_seconds (histogram), shopwatch_config_last_reload_successful,
///   shopwatch_config_last_reload_success_timestamp_seconds, shopwatch_build_info{version,curl,openssl},
///   shopwatch_store_degraded, shopwatch_store_queue_length, shopwatch_store_buffered_results,
///   shopwatch_store_database_bytes, shopwatch_store_results_written_total,
///   shopwatch_store_results_dropped_total, shopwatch_scheduler_checks, shopwatch_scheduler_in_flight,
///   shopwatch_scheduler_runs_skipped_total, shopwatch_scheduler_runs_missed_total,
///   shopwatch_engine_queue_wait_seconds (histogram), shopwatch_engine_queued,
///   shopwatch_engine_in_flight, shopwatch_engine_saturated, shopwatch_engine_saturated_runs_total,
///   shopwatch_runs_cancelled_total,
///   process_cpu_seconds_total, process_resident_memory_bytes,
///   process_virtual_memory_bytes, process_start_time_seconds, process_open_fds, process_max_fds.

#include <cstdint>
#include <memory>
#include <string>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace prometheus {
class Registry;
}

namespace shopwatch::agent::status {

/// Version strings for shopwatch_build_info (the runtime reads them from curl_version_info etc.).
struct BuildInfo {
  std::string version;  ///< shopwatch's version
  std::string curl;     ///< libcurl version, "" if unknown
  std::string openssl;  ///< OpenSSL version, "" if unknown
};

/// Numbers the runtime maps from the storage engine's own statistics.
struct StoreStats {
  bool degraded = false;           ///< writing to SQLite failed; results are buffered in memory
  std::uint64_t queued = 0;        ///< results waiting in the writer queue
  std::uint64_t buffered = 0;      ///< results held in the degraded-mode memory buffer
  std::uint64_t written_total = 0;  ///< results written since start (monotonic)
  std::uint64_t dropped_total = 0;  ///< results dropped since start (monotonic)
  std::uint64_t db_bytes = 0;      ///< database file size (main + WAL)
};

/// Thread-safe: every method may be called from any thread.
/// Numbers the runtime maps from the scheduler's statistics.
struct SchedulerCounts {
  std::uint64_t checks = 0;     ///< checks scheduled now
  std::uint64_t in_flight = 0;  ///< checks whose run (or pending confirm re-check) has not finished
  std::uint64_t skipped = 0;    ///< slots skipped: the previous run had not finished (monotonic)
  std::uint64_t missed = 0;     ///< slots that passed unserved while the scheduler was late (monotonic)
};

/// Numbers the runtime maps from the probe engine's statistics.
struct EngineCounts {
  std::uint64_t queued = 0;          ///< runs waiting for a slot (host limit, engine queue)
  std::uint64_t in_flight = 0;       ///< transfers running
  bool saturated = false;            ///< the event loop is falling behind now
  std::uint64_t saturated_runs = 0;  ///< runs marked saturated (monotonic)
};

class AgentMetrics {
 public:
  explicit AgentMetrics(BuildInfo build);
  ~AgentMetrics();
  AgentMetrics(const AgentMetrics&) = delete;
  AgentMetrics& operator=(const AgentMetrics&) = delete;
  AgentMetrics(AgentMetrics&&) = delete;
  AgentMetrics& operator=(AgentMetrics&&) = delete;

  /// The registry, for more of the agent's own metrics (prometheus-cpp core API). Its families are
  /// serialized by appendText(); never register per-check series here.
  prometheus::Registry& registry();

  /// One run's lag: when its first transfer really started − its scheduled time (so a busy engine
  /// shows here, not as the shop's connect time).
  void observeSchedulerLag(core::Micros lag);
  /// One run's wait inside the engine: submission → first transfer started.
  void observeEngineQueueWait(core::Micros wait);
  /// A run cut by shutdown or a removed check (counted nowhere else).
  void countCancelledRun();
  /// Latest engine statistics; shown as they are at the next scrape.
  void setEngineCounts(const EngineCounts& counts);
  /// After each config load/reload. The success timestamp changes only when `successful`.
  void setConfigReload(bool successful, core::SystemTime when);
  /// Latest store statistics; shown as they are at the next scrape.
  void setStoreStats(const StoreStats& stats);
  /// Latest scheduler statistics; shown as they are at the next scrape.
  void setSchedulerCounts(const SchedulerCounts& counts);

  /// Appends the text format (0.0.4) of the registry, the store numbers and the process metrics (read
  /// from /proc/self now) to `out`.
  void appendText(std::string& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::agent::status
