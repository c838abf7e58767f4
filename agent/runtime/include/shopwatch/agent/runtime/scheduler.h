#pragma once
/// Scheduler: decides when each check runs (DESIGN.md, "Probes": spread, no overlap, confirm re-check).
/// Pure logic over a core::Clock — it never sleeps and owns no thread; SchedulerLoop (scheduler_loop.h)
/// drives it in the agent, tests drive it with core::FakeClock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::runtime {

/// One run the scheduler wants started now.
struct DueRun {
  std::shared_ptr<const core::Check> check;
  std::uint64_t run_id = 0;
  bool confirm = false;          ///< this run is the confirm re-check of a failed run
  core::SystemTime scheduled{};  ///< the slot (or confirm) time it was due at
  core::Micros lag{0};           ///< dispatch time − scheduled (never negative)
  /// The scheduled run this one belongs to: its own id and slot for a regular run; for a confirm
  /// re-check, the failed run's (what storage's ResultRecord wants as run_id / scheduled).
  std::uint64_t origin_run_id = 0;
  core::SystemTime origin_scheduled{};
};

struct SchedulerStats {
  std::uint64_t dispatched = 0;  ///< regular runs handed out
  std::uint64_t confirms = 0;    ///< confirm re-checks handed out
  std::uint64_t skipped = 0;     ///< slots skipped because the previous run had not finished
  std::uint64_t missed = 0;      ///< slots that passed unserved while the scheduler was late
  std::uint64_t clock_steps_back = 0;  ///< backward wall-clock steps (> 1 s) that re-planned every slot
  std::size_t checks = 0;        ///< checks currently scheduled
  std::size_t in_flight = 0;     ///< checks whose run (or pending confirm) has not finished
  /// poll() calls so far: the scheduler loop's heartbeat (it polls at least every 500 ms while it
  /// runs; the systemd watchdog stops pinging when this stands still).
  std::uint64_t polls = 0;
};

/// The stable offset of a check inside its interval: FNV-1a 64 of "shop/env/check" modulo the interval.
/// Identical across runs, restarts and hosts; spreads checks evenly.
core::Micros stableOffset(const core::CheckKey& key, core::Micros interval);

/// The first slot of a check at or after `t`: slots lie at epoch-aligned multiples of `interval`
/// plus `offset` (offset < interval).
core::SystemTime nextSlotAtOrAfter(core::SystemTime t, core::Micros interval, core::Micros offset);

/// Thread-safe: every method takes an internal mutex (poll on the scheduling thread, complete on the
/// engine thread, setChecks on the reload path). Each call is O(log n) per run touched.
class Scheduler {
 public:
  /// `clock` must outlive the scheduler. Run ids start at the wall clock in µs at construction, so
  /// they increase monotonically and stay unique across restarts.
  explicit Scheduler(const core::Clock& clock);
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  Scheduler(Scheduler&&) = delete;
  Scheduler& operator=(Scheduler&&) = delete;

  /// Replaces the set of checks (by CheckKey). Checks that stay keep their slot and in-flight state
  /// (their spec is replaced; a changed interval re-plans their next slot); new ones get their first
  /// slot at or after now; removed ones are forgotten — a completion for them is ignored.
  void setChecks(const std::vector<std::shared_ptr<const core::Check>>& checks);

  /// Hands every run due at clock.now() to `dispatch` (called with the mutex released, in due order).
  /// A slot whose check is still busy is skipped (counted), never queued. When the scheduler is
  /// later than one interval, the passed slots are dropped (counted as missed), not caught up.
  /// Returns the number of runs dispatched.
  /// When the wall clock has stepped back by more than 1 s since the last poll (or setChecks), every
  /// slot is re-planned at or after the new now and every pending confirm moves back by the step, so
  /// probing does not pause for the size of the step (counted in stats; logged after the mutex is
  /// released — by poll() for a step first noticed in complete()).
  std::size_t poll(const std::function<void(DueRun)>& dispatch);

  /// Reports the end of a run. A failed regular run schedules its confirm re-check after the check's
  /// `confirm_delay` when `confirm_enabled` — pass the `confirm` of the spec the run was dispatched
  /// with (DueRun::check), so a reload flipping `confirm` mid-run cannot make the scheduler and the
  /// stored record (confirm_pending) disagree. The check stays busy until that re-check completes.
  /// Unknown or stale run ids are ignored. Returns the time of a newly scheduled confirm, if any.
  /// Notices a backward clock step like poll() (so the confirm is timed in the new time base) but
  /// never logs: it runs on the engine thread.
  std::optional<core::SystemTime> complete(const core::CheckKey& key, std::uint64_t run_id,
                                           bool success, bool confirm_enabled);

  /// When the next run is due (nullopt: nothing scheduled).
  std::optional<core::SystemTime> nextDue() const;

  SchedulerStats stats() const;
  /// Whether a check is known and whether it currently has a run (or confirm) outstanding.
  bool isBusy(const core::CheckKey& key) const;
  bool contains(const core::CheckKey& key) const;

 private:
  // Heap items are invalidated lazily: an item is live only while its token equals the entry's
  // current slot (or confirm) token. Tokens come from one counter, so a reused index never matches.
  struct Entry {
    std::shared_ptr<const core::Check> spec;
    core::Micros offset{0};
    std::uint64_t slot_token = 0;
    std::uint64_t confirm_token = 0;   ///< non-zero while a confirm waits in the heap
    bool alive = false;
    bool busy = false;                 ///< a run or its confirm is outstanding
    bool busy_is_confirm = false;
    std::uint64_t busy_run_id = 0;     ///< the outstanding run's id
    std::uint64_t origin_run_id = 0;   ///< the regular run the outstanding one belongs to
    core::SystemTime origin_scheduled{};
  };
  struct HeapItem {
    core::SystemTime due;
    std::uint32_t index;
    bool confirm;
    std::uint64_t token;
  };
  struct Later {
    bool operator()(const HeapItem& a, const HeapItem& b) const { return a.due > b.due; }
  };

  void pushSlot(std::uint32_t index, core::SystemTime due);
  bool isLive(const HeapItem& item) const;
  void dropStaleTop() const;
  void compactHeap();
  // A backward clock step not yet logged; no logging happens while mu_ is held.
  struct ClockStepNote {
    std::uint64_t steps = 0;
    core::Micros total{0};
    std::size_t checks = 0;
  };

  void setChecksLocked(const std::vector<std::shared_ptr<const core::Check>>& checks);
  void replanIfClockSteppedBack(core::SystemTime now);  // requires mu_
  ClockStepNote takeClockStepNote();                     // requires mu_
  static void logClockStep(const ClockStepNote& note);   // must not hold mu_
  static std::string keyString(const core::CheckKey& key);

  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::string, std::uint32_t> index_;
  mutable std::vector<HeapItem> heap_;  // min-heap by due (std::push_heap with Later)
  std::uint64_t next_token_ = 1;
  std::uint64_t next_run_id_;
  std::size_t busy_count_ = 0;
  core::SystemTime last_now_;  // the latest clock reading seen, to notice backward steps
  SchedulerStats stats_;
  ClockStepNote unlogged_step_;
};

}  // namespace shopwatch::agent::runtime
