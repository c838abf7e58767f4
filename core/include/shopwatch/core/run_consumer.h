#pragma once
/// RunConsumer: the seam through which completed runs reach everything that judges or shows them
/// (DESIGN.md, "Data flow"): the per-check state table, the rule engine ([C]) and anything later. The
/// agent's fan-out calls every consumer for each run that counts, then hands the record to the store.
/// In core so that rules/ can implement it without depending on agent/ or storage/.

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::core {

class RunConsumer {
 public:
  virtual ~RunConsumer() = default;
  /// A completed run (judgeRun(record).counts is true; `verdict` is that judgement). Called on the
  /// engine's thread in completion order per check: must not block (a consumer with heavy work copies
  /// the record into its own queue and works on its own thread).
  virtual void onRun(const RunRecord& record, const RunVerdict& verdict) = 0;
  /// Start-up: a run the store already holds (its original timestamps), oldest first per check,
  /// before the first live run. Restored runs are state, not new events: counters do not move.
  virtual void onRestore(const RunRecord& record, const RunVerdict& verdict) = 0;
};

}  // namespace shopwatch::core
