#include "shopwatch/rules/run_outcome.h"

namespace shopwatch::rules {

RunOutcome outcomeOf(const core::RunRecord& record, const core::RunVerdict& verdict) {
  RunOutcome out;
  out.at = record.scheduled;
  out.run_id = record.run_id;
  out.interval = record.interval;
  out.confirm = record.confirm;
  out.counts = verdict.counts;
  out.decided = verdict.counts && verdict.decides_state;
  out.down = verdict.counts && verdict.down;
  out.success = record.result.success;
  out.maintenance = verdict.maintenance;
  out.latency_sample = verdict.latency_sample;
  out.duration = record.result.duration;
  out.ttfb = record.result.phases.processing;
  out.cert_not_after = record.result.cert_not_after;
  return out;
}

}  // namespace shopwatch::rules
