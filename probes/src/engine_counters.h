#pragma once
// The engine's figures for HttpProbeEngine::stats(): written by the engine thread (and submit()),
// read from any thread. Private to shopwatch::probes.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "loop_lag.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::probes::detail {

struct EngineCounters {
  std::atomic<std::size_t> pending{0};    ///< submitted, not yet completed
  std::atomic<std::size_t> queued{0};     ///< waiting for a host slot or the loop
  std::atomic<std::size_t> in_flight{0};  ///< started, not yet completed
  std::atomic<std::uint64_t> runs_completed{0};
  std::atomic<std::uint64_t> peak_buffered{0};
  std::atomic<std::uint64_t> budget_pauses{0};
  std::atomic<std::uint64_t> saturated_runs{0};

  EngineStats snapshot(const LoopLag& lag) const {
    EngineStats s;
    s.runs_completed = runs_completed.load();
    s.peak_buffered_bytes = peak_buffered.load();
    s.budget_pauses = budget_pauses.load();
    s.queued = queued.load();
    s.in_flight = in_flight.load();
    s.saturated_runs = saturated_runs.load();
    s.saturated = lag.lateWithin(std::chrono::seconds{1});
    s.loop_busy_max = lag.longestBusy();
    s.loop_late_wake_max = lag.longestLateWake();
    return s;
  }
};

}  // namespace shopwatch::probes::detail
