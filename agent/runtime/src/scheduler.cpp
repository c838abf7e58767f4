#include "shopwatch/agent/runtime/scheduler.h"

#include <algorithm>
#include <string>
#include <utility>
#include <unordered_set>

#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

namespace {

constexpr core::Micros kMinInterval{1000};
// A backward step smaller than this is jitter (NTP slewing, clock reads racing): slots stay put.
constexpr core::Micros kBackwardStepTolerance{std::chrono::seconds{1}};

core::Micros sanitizedInterval(core::Micros interval) {
  return interval < kMinInterval ? kMinInterval : interval;
}

}  // namespace

core::Micros stableOffset(const core::CheckKey& key, core::Micros interval) {
  // FNV-1a 64: tiny, dependency-free, and its output is fixed by definition (std::hash is not).
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(key.shop);
  mix("/");
  mix(key.env);
  mix("/");
  mix(key.check);
  // A final avalanche step: FNV's low bits vary little for keys that differ only in the last byte.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  const auto span = static_cast<std::uint64_t>(sanitizedInterval(interval).count());
  return core::Micros{static_cast<std::int64_t>(h % span)};
}

core::SystemTime nextSlotAtOrAfter(core::SystemTime t, core::Micros interval, core::Micros offset) {
  const std::int64_t iv = sanitizedInterval(interval).count();
  const std::int64_t off = offset.count() % iv;
  const std::int64_t base = core::toMicros(t) - off;
  // Floor division that is also right for times before the epoch (tests may use any clock).
  std::int64_t k = base / iv;
  if (k * iv > base) --k;
  std::int64_t slot = k * iv + off;
  if (slot < core::toMicros(t)) slot += iv;
  return core::fromMicros(slot);
}

Scheduler::Scheduler(const core::Clock& clock)
    : clock_(clock),
      next_run_id_(static_cast<std::uint64_t>(core::toMicros(clock.now()))),
      last_now_(clock.now()) {}

std::string Scheduler::keyString(const core::CheckKey& key) { return key.path(); }

bool Scheduler::isLive(const HeapItem& item) const {
  const Entry& e = entries_[item.index];
  if (!e.alive) return false;
  return item.confirm ? item.token == e.confirm_token : item.token == e.slot_token;
}

void Scheduler::dropStaleTop() const {
  while (!heap_.empty() && !isLive(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }
}

void Scheduler::compactHeap() {
  std::erase_if(heap_, [this](const HeapItem& item) { return !isLive(item); });
  std::make_heap(heap_.begin(), heap_.end(), Later{});
}

void Scheduler::replanIfClockSteppedBack(core::SystemTime now) {
  const core::SystemTime last = last_now_;
  last_now_ = now;
  if (now >= last - kBackwardStepTolerance) return;
  // Heap slots are wall-clock times: after a backward step they would all lie up to the step's size in
  // the future and probing would pause that long. Every alive entry has exactly one live slot item
  // (and at most one live confirm item), so re-timing the live items in place re-plans everything.
  const core::Micros step = last - now;
  std::erase_if(heap_, [this](const HeapItem& item) { return !isLive(item); });
  for (HeapItem& item : heap_) {
    const Entry& e = entries_[item.index];
    if (item.confirm) {
      // The step is measured from the previous poll, so it may be short by the time since then:
      // never wait longer than a fresh confirm delay.
      item.due = std::clamp(item.due - step, now, now + e.spec->schedule.confirm_delay);
    } else {
      item.due = nextSlotAtOrAfter(now, e.spec->schedule.interval, e.offset);
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  ++stats_.clock_steps_back;
  // Logged by the caller once mu_ is released (logging may block on a full stderr pipe).
  unlogged_step_.steps += 1;
  unlogged_step_.total += step;
  unlogged_step_.checks = index_.size();
}

Scheduler::ClockStepNote Scheduler::takeClockStepNote() {
  return std::exchange(unlogged_step_, ClockStepNote{});
}

void Scheduler::logClockStep(const ClockStepNote& note) {
  if (note.steps == 0) return;
  spdlog::warn("wall clock stepped back by {} ms{}; re-planned {} check{} from now",
               std::chrono::duration_cast<std::chrono::milliseconds>(note.total).count(),
               note.steps == 1 ? std::string{} : " in " + std::to_string(note.steps) + " steps",
               note.checks, note.checks == 1 ? "" : "s");
}

void Scheduler::pushSlot(std::uint32_t index, core::SystemTime due) {
  Entry& e = entries_[index];
  e.slot_token = next_token_++;
  heap_.push_back(HeapItem{due, index, false, e.slot_token});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void Scheduler::setChecks(const std::vector<std::shared_ptr<const core::Check>>& checks) {
  ClockStepNote note;
  {
    std::lock_guard lock(mu_);
    setChecksLocked(checks);
    note = takeClockStepNote();
  }
  logClockStep(note);
}

void Scheduler::setChecksLocked(const std::vector<std::shared_ptr<const core::Check>>& checks) {
  const core::SystemTime now = clock_.now();
  replanIfClockSteppedBack(now);
  std::unordered_set<std::uint32_t> seen;
  seen.reserve(checks.size());
  for (const auto& spec : checks) {
    if (!spec) continue;
    const std::string key = keyString(spec->key);
    const core::Micros offset = stableOffset(spec->key, spec->schedule.interval);
    auto it = index_.find(key);
    if (it != index_.end()) {
      Entry& e = entries_[it->second];
      const bool replan = e.spec->schedule.interval != spec->schedule.interval;
      e.spec = spec;
      e.offset = offset;
      if (replan) pushSlot(it->second, nextSlotAtOrAfter(now, spec->schedule.interval, offset));
      seen.insert(it->second);
      continue;
    }
    std::uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    Entry& e = entries_[index];
    e = Entry{};
    e.spec = spec;
    e.offset = offset;
    e.alive = true;
    index_.emplace(key, index);
    pushSlot(index, nextSlotAtOrAfter(now, spec->schedule.interval, offset));
    seen.insert(index);
  }
  for (auto it = index_.begin(); it != index_.end();) {
    if (seen.contains(it->second)) {
      ++it;
      continue;
    }
    Entry& e = entries_[it->second];
    if (e.busy) --busy_count_;
    e = Entry{};
    free_.push_back(it->second);
    it = index_.erase(it);
  }
  if (heap_.size() > 2 * index_.size() + 64) compactHeap();
}

std::size_t Scheduler::poll(const std::function<void(DueRun)>& dispatch) {
  std::vector<DueRun> due;
  ClockStepNote note;
  {
    std::lock_guard lock(mu_);
    ++stats_.polls;
    const core::SystemTime now = clock_.now();
    replanIfClockSteppedBack(now);
    for (;;) {
      dropStaleTop();
      if (heap_.empty() || heap_.front().due > now) break;
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const HeapItem item = heap_.back();
      heap_.pop_back();
      Entry& e = entries_[item.index];
      const core::Micros lag = now - item.due;
      if (item.confirm) {
        e.confirm_token = 0;
        e.busy_run_id = next_run_id_++;
        e.busy_is_confirm = true;
        ++stats_.confirms;
        due.push_back(
            DueRun{e.spec, e.busy_run_id, true, item.due, lag, e.origin_run_id, e.origin_scheduled});
        continue;
      }
      const core::Micros interval = sanitizedInterval(e.spec->schedule.interval);
      core::SystemTime next = item.due + interval;
      if (next <= now) {
        // Late by more than an interval (suspended host, overloaded process): serve this slot once
        // and continue from the next slot after now instead of replaying a backlog.
        next = nextSlotAtOrAfter(now + core::Micros{1}, interval, e.offset);
        stats_.missed += static_cast<std::uint64_t>((next - item.due) / interval) - 1;
      }
      pushSlot(item.index, next);
      if (e.busy) {
        ++stats_.skipped;
        continue;
      }
      e.busy = true;
      ++busy_count_;
      e.busy_is_confirm = false;
      e.busy_run_id = next_run_id_++;
      e.origin_run_id = e.busy_run_id;
      e.origin_scheduled = item.due;
      ++stats_.dispatched;
      due.push_back(DueRun{e.spec, e.busy_run_id, false, item.due, lag, e.busy_run_id, item.due});
    }
    // Includes steps noticed by complete(), which runs on the engine thread and must not log.
    note = takeClockStepNote();
  }
  logClockStep(note);
  for (auto& run : due) dispatch(std::move(run));
  return due.size();
}

std::optional<core::SystemTime> Scheduler::complete(const core::CheckKey& key, std::uint64_t run_id,
                                                    bool success, bool confirm_enabled) {
  std::lock_guard lock(mu_);
  const core::SystemTime now = clock_.now();
  // The confirm below is timed in now's time base: re-plan (and record now) first, or the next poll
  // would take the step for new and pull this confirm forward by it. The step is logged by poll().
  replanIfClockSteppedBack(now);
  auto it = index_.find(keyString(key));
  if (it == index_.end()) return std::nullopt;
  Entry& e = entries_[it->second];
  if (!e.busy || e.busy_run_id != run_id || e.confirm_token != 0) return std::nullopt;
  if (!success && !e.busy_is_confirm && confirm_enabled) {
    const core::SystemTime due = now + e.spec->schedule.confirm_delay;
    e.confirm_token = next_token_++;
    heap_.push_back(HeapItem{due, it->second, true, e.confirm_token});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    return due;
  }
  e.busy = false;
  e.busy_is_confirm = false;
  --busy_count_;
  return std::nullopt;
}

std::optional<core::SystemTime> Scheduler::nextDue() const {
  std::lock_guard lock(mu_);
  dropStaleTop();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mu_);
  SchedulerStats s = stats_;
  s.checks = index_.size();
  s.in_flight = busy_count_;
  return s;
}

bool Scheduler::isBusy(const core::CheckKey& key) const {
  std::lock_guard lock(mu_);
  auto it = index_.find(keyString(key));
  return it != index_.end() && entries_[it->second].busy;
}

bool Scheduler::contains(const core::CheckKey& key) const {
  std::lock_guard lock(mu_);
  return index_.contains(keyString(key));
}

}  // namespace shopwatch::agent::runtime
