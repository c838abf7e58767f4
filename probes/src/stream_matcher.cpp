#include "stream_matcher.h"

#include <algorithm>

namespace shopwatch::probes::detail {

void StreamMatcher::feed(std::string_view chunk, std::uint64_t offset) {
  if (found_at_) return;
  if (needle_.empty()) {
    found_at_ = 0;
    return;
  }
  const std::size_t keep = needle_.size() - 1;
  if (!tail_.empty()) {
    // Only the seam needs the window: tail + the first needle-1 bytes of the chunk.
    std::string seam = tail_;
    seam.append(chunk.substr(0, std::min(keep, chunk.size())));
    auto pos = seam.find(needle_);
    if (pos != std::string::npos) {
      found_at_ = offset - tail_.size() + pos;
      return;
    }
  }
  auto pos = chunk.find(needle_);
  if (pos != std::string_view::npos) {
    found_at_ = offset + pos;
    return;
  }
  if (chunk.size() >= keep) {
    tail_.assign(chunk.substr(chunk.size() - keep));
  } else {
    tail_.append(chunk);
    if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
  }
}

}  // namespace shopwatch::probes::detail
