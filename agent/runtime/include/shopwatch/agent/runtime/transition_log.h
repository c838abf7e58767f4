#pragma once
/// TransitionLog: up/down transition lines handed from the probe engine's thread to the housekeeping
/// thread, so a mass outage or a blocked stderr (full journald pipe) never stalls probing.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::agent::runtime {

enum class TransitionLevel : std::uint8_t { Debug, Info, Warn };

/// Thread-safe. push() only takes a mutex for a deque push (no I/O); drain() formats and writes.
class TransitionLog {
 public:
  /// Longest failure message kept per line (bytes, after redaction; cut on a UTF-8 boundary).
  static constexpr std::size_t kMaxMessageBytes = 512;

  /// `capacity`: queued lines beyond it are dropped and counted. `per_drain`: lines written per
  /// drain(); the rest of that drain is summarized in one line.
  explicit TransitionLog(std::size_t capacity = 1024, std::size_t per_drain = 100);

  /// A check became down (`up` false) or up again. The message is redacted with spec.secrets here,
  /// before it is truncated, so no cut-off secret can escape. Returns false when the queue was full.
  bool pushChange(const core::Check& spec, bool up, const core::ProbeResult& result);
  /// A failure whose confirm re-check is pending (a debug line). Returns false when dropped.
  bool pushConfirmPending(const core::Check& spec, const core::ProbeResult& result);

  using Sink = std::function<void(TransitionLevel, const std::string&)>;
  /// Writes up to per_drain queued lines to `sink`, then (if up/down lines were left or dropped since
  /// the last drain) "… and N more checks changed state (not logged)" at Warn, and (if confirm-pending
  /// lines were) "… and N more failures awaiting a confirm re-check (not logged)" at Debug; the
  /// left-over lines are discarded. Returns the number of lines written, summaries included.
  std::size_t drain(const Sink& sink);

  /// Lines dropped because the queue was full, since construction.
  std::uint64_t dropped() const;

 private:
  struct Line {
    TransitionLevel level;
    std::string text;
  };
  bool push(TransitionLevel level, std::string text);

  const std::size_t capacity_;
  const std::size_t per_drain_;
  mutable std::mutex mu_;
  std::deque<Line> lines_;
  std::uint64_t dropped_total_ = 0;
  std::uint64_t dropped_since_drain_ = 0;        // up/down lines
  std::uint64_t dropped_debug_since_drain_ = 0;  // confirm-pending lines
};

}  // namespace shopwatch::agent::runtime
