#include "body_budget.h"

#include <algorithm>

namespace shopwatch::probes::detail {

// The lowest-id holder may always go on, so paused runs can never wait on each other forever;
// memory stays below budget + one run's max_body.
bool BodyBudget::acquire(std::uint64_t holder, std::uint64_t n) {
  const bool fits = used_ + n <= limit_;
  const bool privileged = holders_.empty() || holders_.begin()->first == holder;
  if (!fits && !privileged) return false;
  used_ += n;
  holders_[holder] += n;
  peak_ = std::max(peak_, used_);
  return true;
}

void BodyBudget::release(std::uint64_t holder) {
  auto it = holders_.find(holder);
  if (it == holders_.end()) return;
  used_ -= it->second;
  holders_.erase(it);
  if (!paused_.empty()) resume_needed_ = true;
}

std::vector<std::uint64_t> BodyBudget::takePaused() {
  resume_needed_ = false;
  std::vector<std::uint64_t> out;
  out.swap(paused_);
  return out;
}

}  // namespace shopwatch::probes::detail
