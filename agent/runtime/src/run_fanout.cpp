#include "shopwatch/agent/runtime/run_fanout.h"

#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::agent::runtime {

void slimForStore(core::ProbeResult& result, const std::vector<std::string>& secrets) {
  result.assertions = {};
  result.final_url = std::string{};
  // Steps are stored as their own records; the journey's row keeps only its own figures.
  result.steps = {};
  if (result.success) {
    result.message = std::string{};
    return;
  }
  if (!secrets.empty()) result.message = core::redact(result.message, secrets);
  core::truncateUtf8(result.message, kMaxStoredMessageBytes);
}

RunFanout::RunFanout(status::CheckStateTable& states, storage::ResultSink* store)
    : states_(states), store_(store) {}

void RunFanout::addConsumer(core::RunConsumer& consumer) { consumers_.push_back(&consumer); }

Published RunFanout::publish(core::RunRecord record, const std::vector<std::string>& secrets) {
  Published out;
  out.verdict = core::judgeRun(record);
  if (!out.verdict.counts) return out;
  // The state table sees the whole run, steps included (it keeps per-step state for /metrics).
  out.state_changed = states_.record(record, out.verdict);
  for (core::RunConsumer* c : consumers_) c->onRun(record, out.verdict);
  // A journey's steps are series of their own (`shop/check/step`): each run step becomes a record
  // with the run's identity. Skipped steps were not run and record nothing. A step's failure awaits
  // the confirm exactly when its journey's does (the confirm re-runs the whole journey).
  std::vector<core::RunRecord> steps;
  steps.reserve(record.result.steps.size());
  for (auto& step : record.result.steps) {
    if (step.skipped) continue;
    core::RunRecord& s = steps.emplace_back();
    s.key = record.key;
    s.step = step.name;
    s.run_id = record.run_id;
    s.confirm = record.confirm;
    s.confirm_pending = record.confirm_pending && !step.result.success;
    s.in_maintenance = record.in_maintenance;
    s.interval = record.interval;
    s.scheduled = record.scheduled;
    s.result = std::move(step.result);
    if (s.result.started == core::SystemTime{}) s.result.started = record.result.started;
  }
  for (const auto& s : steps) {
    const core::RunVerdict v = core::judgeRun(s);
    for (core::RunConsumer* c : consumers_) c->onRun(s, v);
  }
  if (store_ != nullptr) {
    slimForStore(record.result, secrets);
    // enqueue() never blocks; a full queue is counted as a drop in the store's stats.
    out.stored = store_->enqueue(std::move(record));
    for (auto& s : steps) {
      slimForStore(s.result, secrets);
      (void)store_->enqueue(std::move(s));
    }
  }
  return out;
}

void RunFanout::restore(const std::vector<core::RunRecord>& records) {
  for (const auto& record : records) {
    const core::RunVerdict verdict = core::judgeRun(record);
    if (!verdict.counts) continue;
    states_.restore(record, verdict);
    for (core::RunConsumer* c : consumers_) c->onRestore(record, verdict);
  }
}

}  // namespace shopwatch::agent::runtime
