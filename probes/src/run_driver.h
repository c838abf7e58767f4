#pragma once
// RunDriver: one run of a check as a sequence of transfers. The engine owns the event loop, host
// slots, deadlines and completion; a driver decides what the run does next. The redirect chain of
// a plain HTTP check is one driver (HttpRunDriver); B1's journey is the second.

#include <functional>
#include <string>
#include <variant>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"
#include "transfer.h"

namespace shopwatch::probes::detail {

/// Start this transfer next (in the run's RunSession). Its time limit is the smaller of the
/// request's own timeout and what is left of the run's.
struct NextTransfer {
  TransferPlan plan;
};

/// Run `work` off the event thread (a worker of the evaluation pool), then call
/// afterEvaluation() on the event thread. `work` must touch only what it owns (it may outlive
/// the driver when the run is cancelled meanwhile). The run's deadline does not run meanwhile:
/// evaluation time is the agent's, not the shop's.
struct Evaluate {
  std::function<void()> work;
};

/// Call afterWait() on the event thread once `delay` has passed (a journey's repeat_until
/// delay). The run's deadline keeps running meanwhile; no transfer is held.
struct Wait {
  core::Micros delay{0};
};

/// The run is over. The engine fills started, queue_wait, saturated, redacts the texts with
/// check.secrets and clears the message of a success.
struct Finish {
  core::ProbeResult result;
};

using Decision = std::variant<NextTransfer, Evaluate, Wait, Finish>;

class RunDriver {
 public:
  virtual ~RunDriver() = default;

  /// host:port of the run's first request: the key of its per-host limit.
  virtual const std::string& hostKey() const = 0;
  /// What the run's transfers share (RunSession).
  virtual RunSession::Sharing sharing() const = 0;

  /// The run got its slot.
  virtual Decision start() = 0;
  /// The last transfer ended (completed, failed, or cut by the run's deadline: then its error is
  /// `timeout`, and a driver that still asks for a transfer gets cut(timeout) instead).
  virtual Decision onTransferDone(TransferOutcome outcome) = 0;
  /// The Evaluate work ran.
  virtual Decision afterEvaluation() = 0;
  /// The Wait delay passed. Drivers that never wait keep this default (an internal failure).
  virtual Decision afterWait() {
    return Finish{cut(core::FailureReason::Internal, "unexpected wait", false)};
  }
  /// Extra time for what must still run (a journey's cleanup), granted once, when the driver asks
  /// for a transfer with less of the run's time left than the transfer's own timeout (or after the
  /// deadline). Zero: the run keeps its deadline.
  virtual core::Micros graceAfterDeadline() const { return core::Micros{0}; }
  /// The run ends where it is: `cancelled` by the engine stopping, or its deadline passed while
  /// it could not run a transfer. The result so far, with that ending.
  virtual core::ProbeResult cut(core::FailureReason reason, std::string message,
                                bool cancelled) = 0;
};

}  // namespace shopwatch::probes::detail
