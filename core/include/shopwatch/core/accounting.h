#pragma once
/// The one accounting rule (DESIGN.md, "Accounting"): what a finished run counts for. The runtime, the
/// state table, both result stores and the rule engine decide through these functions and nowhere else.

#include "shopwatch/core/run_record.h"

namespace shopwatch::core {

/// Whether a finished run must wait for a confirm re-check before it counts: a failed scheduled run of
/// a check with `confirm` on (as the check was when the run was dispatched). Cancelled runs never wait.
bool awaitsConfirm(const ProbeResult& result, bool is_confirm, bool confirm_enabled);

/// What one record counts for.
struct RunVerdict {
  /// Enters any figure or state at all. False for a cancelled run (shutdown, removed check): it is
  /// neither a success nor a failure, not stored, not downtime.
  bool counts = false;
  /// Decides the check's up/down state now: a success, a confirm re-check, or a failure that needs no
  /// confirm. A first failure awaiting its confirm does not.
  bool decides_state = false;
  /// A failed scheduled run whose confirm re-check decides it; it counts as down only if that fails.
  bool awaiting_confirm = false;
  /// This row's run is down now: a scheduled failure without confirm, or a failed confirm re-check
  /// (which makes its awaiting run down — see confirmMakesDown).
  bool down = false;
  /// A scheduled run: covers time from its slot (confirm rows never cover time).
  bool covers = false;
  /// Covered time of this run is maintenance: subtracted, never downtime.
  bool maintenance = false;
  /// Enters latency KPIs (percentiles, Apdex, TTFB): a passing scheduled run taken while the engine
  /// kept up (not `saturated`).
  bool latency_sample = false;
};

RunVerdict judgeRun(const RunRecord& record);

/// Whether a confirm re-check turns the scheduled run it belongs to into downtime: that run is still
/// awaiting its confirm (it is the series' latest scheduled run and no confirm was seen yet) and the
/// re-check failed.
bool confirmMakesDown(bool run_awaiting_confirm, const RunRecord& confirm);

}  // namespace shopwatch::core
