#pragma once
// Substring search over a body that arrives in chunks, keeping only a needle-sized overlap window.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopwatch::probes::detail {

class StreamMatcher {
 public:
  explicit StreamMatcher(std::string needle) : needle_(std::move(needle)) {}
  /// Feeds the next chunk; `offset` is the body offset of chunk[0].
  void feed(std::string_view chunk, std::uint64_t offset);
  /// Body offset of the first occurrence, once found.
  const std::optional<std::uint64_t>& foundAt() const { return found_at_; }
  const std::string& needle() const { return needle_; }
  void reset() {
    tail_.clear();
    found_at_.reset();
  }

 private:
  std::string needle_;
  std::string tail_;  // the last needle.size()-1 bytes seen
  std::optional<std::uint64_t> found_at_;
};

}  // namespace shopwatch::probes::detail
