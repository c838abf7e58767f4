#pragma once
/// RunFanout: the one seam through which a completed run reaches everything that uses it (DESIGN.md,
/// "Data flow"). Each run is judged once by core::judgeRun; a run that does not count (cancelled) stops
/// here. Then, in order: the per-check state table (synchronously, cheap), every registered
/// core::RunConsumer (the rule engine's slot: it queues to its own thread), and last the store, which
/// gets the record slimmed and moved (its queue never blocks). Start-up restores through the same seam.

#include <cstddef>
#include <string>
#include <vector>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/run_consumer.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::storage {
class ResultSink;
}

namespace shopwatch::agent::status {
class CheckStateTable;
}

namespace shopwatch::agent::runtime {

/// Strips a result down to what the store persists (storage's StoredResult): drops assertions and
/// final_url, clears the message on success, and on failure redacts it with `secrets` and cuts it to
/// kMaxStoredMessageBytes — a queued record should cost about 200 bytes, not whatever the server sent.
inline constexpr std::size_t kMaxStoredMessageBytes = 512;
void slimForStore(core::ProbeResult& result, const std::vector<std::string>& secrets);

/// What publish() did with a run.
struct Published {
  core::RunVerdict verdict;
  bool state_changed = false;  ///< the state table saw the check flip between up and down
  bool stored = false;         ///< the store's queue accepted the record
};

/// Wiring is fixed before the first publish(); publish() and restore() may then be called from any
/// thread (publish on the engine thread). Consumers and the store must outlive the fan-out's use.
class RunFanout {
 public:
  RunFanout(status::CheckStateTable& states, storage::ResultSink* store);
  RunFanout(const RunFanout&) = delete;
  RunFanout& operator=(const RunFanout&) = delete;
  RunFanout(RunFanout&&) = delete;
  RunFanout& operator=(RunFanout&&) = delete;

  /// Registers a consumer (before the first publish or restore).
  void addConsumer(core::RunConsumer& consumer);

  /// One completed run. `secrets`: the check's, to redact what the store keeps. Never blocks.
  Published publish(core::RunRecord record, const std::vector<std::string>& secrets);
  /// Start-up: stored runs, oldest first per check, handed to the state table and the consumers (not
  /// to the store, which holds them already).
  void restore(const std::vector<core::RunRecord>& records);

 private:
  status::CheckStateTable& states_;
  storage::ResultSink* store_;
  std::vector<core::RunConsumer*> consumers_;
};

}  // namespace shopwatch::agent::runtime
