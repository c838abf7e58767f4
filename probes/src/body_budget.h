#pragma once
// The memory budget for buffered response bodies, shared by every run of one engine (engine
// thread only).

#include <cstdint>
#include <map>
#include <vector>

namespace shopwatch::probes::detail {

class BodyBudget {
 public:
  explicit BodyBudget(std::uint64_t limit) : limit_(limit) {}

  /// Takes `n` bytes for `holder` (a run id); false when they do not fit and the holder is not
  /// the oldest one: the caller pauses and waits for resumeNeeded().
  bool acquire(std::uint64_t holder, std::uint64_t n);
  /// Frees every byte `holder` holds.
  void release(std::uint64_t holder);
  /// Records a holder paused for lack of budget (resumed when bytes are freed).
  void notePaused(std::uint64_t holder) {
    paused_.push_back(holder);
    ++pauses_;
  }
  /// Pauses so far.
  std::uint64_t pauses() const { return pauses_; }
  /// Whether bytes were freed while someone was paused.
  bool resumeNeeded() const { return resume_needed_; }
  /// The paused holders, in pause order; clears resumeNeeded().
  std::vector<std::uint64_t> takePaused();

  std::uint64_t used() const { return used_; }
  std::uint64_t peak() const { return peak_; }

 private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t pauses_ = 0;
  std::map<std::uint64_t, std::uint64_t> holders_;  // run id → bytes, oldest first
  std::vector<std::uint64_t> paused_;
  bool resume_needed_ = false;
};

}  // namespace shopwatch::probes::detail
