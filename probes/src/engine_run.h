#pragma once
// The engine's record of one submitted run (engine thread only).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "run_driver.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/probe_result.h"
#include "transfer.h"

namespace shopwatch::probes::detail {

// A driver over transfers, at most one of them running at a time.
struct EngineRun {
  std::uint64_t id = 0;
  std::shared_ptr<const core::Check> check;
  std::function<void(core::ProbeResult)> done;
  std::unique_ptr<RunDriver> driver;
  std::unique_ptr<RunSession> session;
  std::unique_ptr<Transfer> transfer;  // after session: destroyed first
  bool in_multi = false;
  bool evaluating = false;
  bool saturated = false;
  std::string host_key;
  int host_limit = 4;
  core::SteadyTime submitted{};
  std::optional<core::SteadyTime> first_start;
  core::SystemTime started_wall{};
  core::SteadyTime deadline{};
  std::optional<core::SteadyTime> wake_at;  // in a driver's Wait until then
  core::Micros deadline_left{0};            // while evaluating: what was left of the run's timeout
  bool grace_granted = false;               // the driver's graceAfterDeadline() was given once
};

/// The URL a check starts at ("" for a kind without one).
const std::string& checkUrl(const core::Check& check);

/// The text of every run the engine cuts because it stops.
inline constexpr const char* kCancelledText = "cancelled: engine stopping";

/// The result of a run submitted after the engine stopped: cancelled, never started.
core::ProbeResult cancelledBeforeStart(const core::Check* check, core::SystemTime wall_now);

/// Fills what the engine owns in a run's result (started, queue_wait, saturated), redacts its
/// texts with the check's secrets, and makes a cancelled run neither success nor failure.
void finalizeResult(const EngineRun& run, core::ProbeResult& result, core::SystemTime wall_now);

}  // namespace shopwatch::probes::detail
