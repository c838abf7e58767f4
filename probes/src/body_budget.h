#pragma once
// The memory budget for buffered response bodies, shared by every run of one engine, and the
// receive slice of one loop iteration (engine thread only).

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

  /// Body bytes all transfers together may take in one loop iteration. Over loopback libcurl
  /// reads a 5 MiB page in one curl_multi_perform (milliseconds on the event thread, and every
  /// other run's events wait); a transfer past the slice yields until the next iteration.
  static constexpr std::uint64_t kSliceBytes = 512 * 1024;
  /// Engine thread, at the start of each loop iteration: a fresh slice.
  void newIteration() { slice_used_ = 0; }
  /// Takes `n` bytes of this iteration's slice; false when it is spent (the first chunk of an
  /// iteration always fits, so a transfer always progresses): the caller pauses and calls
  /// noteYielded().
  bool takeSlice(std::uint64_t n) {
    if (slice_used_ > 0 && slice_used_ + n > kSliceBytes) return false;
    slice_used_ += n;
    return true;
  }
  /// Records a holder that yielded its slice: resumed by the next takePaused() (resumeNeeded()
  /// turns true, so the loop does not sleep). Not counted in pauses().
  void noteYielded(std::uint64_t holder) {
    paused_.push_back(holder);
    resume_needed_ = true;
  }

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
  std::uint64_t slice_used_ = 0;
};

}  // namespace shopwatch::probes::detail
