#pragma once
/// RunRecord: one finished run as the runtime hands it to every consumer of the fan-out (state table,
/// store, rules). Lives in core so that storage and rules see the same record without depending on
/// each other.

#include <cstdint>
#include <string>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::core {

/// One run (DESIGN.md, "Accounting"; core/accounting.h decides what it counts for).
/// - A scheduled run covers [scheduled, next scheduled run of its series), capped at 2 × interval; the
///   rest of a gap is unmonitored. A scheduled run at or before the series' latest one is stored but
///   covers nothing.
/// - A confirm row (confirm = true, same run_id) decides its run only while that run is the series'
///   latest scheduled run, i.e. it arrives before the next scheduled run; a late confirm is stored and
///   ignored. A pending failure whose confirm never arrives does not count.
struct RunRecord {
  CheckKey key;
  std::string step;           ///< "" for a check (or a journey as a whole); the step name for a step
  std::int64_t run_id = 0;    ///< same value on a scheduled run and its confirm re-check
  bool confirm = false;       ///< this row is a confirm re-check (stored, covers no time)
  /// A failed scheduled run whose confirm re-check will follow (core::awaitsConfirm). When false, a
  /// failure counts directly (the check has confirm disabled).
  bool confirm_pending = false;
  bool in_maintenance = false;  ///< the run's covered time is maintenance
  Micros interval{std::chrono::seconds{60}};
  SystemTime scheduled{};  ///< scheduled start of the run (coverage starts here)
  ProbeResult result;
};

}  // namespace shopwatch::core
