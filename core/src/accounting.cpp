#include "shopwatch/core/accounting.h"

namespace shopwatch::core {

bool awaitsConfirm(const ProbeResult& result, bool is_confirm, bool confirm_enabled) {
  return !result.cancelled && !result.success && !is_confirm && confirm_enabled;
}

RunVerdict judgeRun(const RunRecord& record) {
  RunVerdict v;
  const ProbeResult& r = record.result;
  if (r.cancelled) return v;
  v.counts = true;
  v.awaiting_confirm = !record.confirm && !r.success && record.confirm_pending;
  v.decides_state = !v.awaiting_confirm;
  v.down = !r.success && !v.awaiting_confirm;
  v.covers = !record.confirm;
  v.maintenance = record.in_maintenance;
  v.latency_sample = !record.confirm && r.success && !r.saturated;
  return v;
}

bool confirmMakesDown(bool run_awaiting_confirm, const RunRecord& confirm) {
  return confirm.confirm && run_awaiting_confirm && !confirm.result.cancelled && !confirm.result.success;
}

}  // namespace shopwatch::core
