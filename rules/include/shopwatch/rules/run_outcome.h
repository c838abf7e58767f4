#pragma once
/// RunOutcome: what one run record means to the rules — computed from core::judgeRun's verdict in one
/// place (outcomeOf), so KPI windows and SLOs count exactly what the store's accounting counts.

#include <cstdint>
#include <optional>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::rules {

struct RunOutcome {
  core::SystemTime at{};       ///< the run's scheduled start (a confirm row: its run's)
  std::int64_t run_id = 0;
  core::Micros interval{0};
  bool confirm = false;        ///< a confirm re-check row (decides its run; covers no time)
  /// core::RunVerdict::counts: false for a cancelled run, which enters no figure (windows skip it).
  bool counts = true;
  /// Decides the run now: a success, a failure without confirm, or a confirm row. A scheduled failure
  /// awaiting its confirm is not decided (it stays up until its confirm fails).
  bool decided = false;
  bool down = false;           ///< decided and the run is down
  bool success = false;        ///< this row passed
  bool maintenance = false;    ///< covered time is maintenance (excluded from availability and SLOs)
  bool latency_sample = false; ///< enters p50…p99, Apdex and TTFB (core::RunVerdict::latency_sample)
  core::Micros duration{0};
  core::Micros ttfb{0};        ///< the processing phase
  std::optional<core::SystemTime> cert_not_after;
};

RunOutcome outcomeOf(const core::RunRecord& record, const core::RunVerdict& verdict);

}  // namespace shopwatch::rules
