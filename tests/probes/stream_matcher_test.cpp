#include <catch2/catch.hpp>

#include <string>

#include "stream_matcher.h"

using shopwatch::probes::detail::StreamMatcher;

namespace {
// Feeds `body` in pieces of `step` bytes.
std::optional<std::uint64_t> findChunked(const std::string& needle, const std::string& body, std::size_t step) {
  StreamMatcher m(needle);
  for (std::size_t off = 0; off < body.size(); off += step) {
    m.feed(std::string_view(body).substr(off, step), off);
  }
  return m.foundAt();
}
}  // namespace

TEST_CASE("stream matcher finds a needle split across any chunk boundary", "[probes]") {
  const std::string body = "abcdefghij-Warenkorb-klmnop";
  for (std::size_t step = 1; step <= body.size(); ++step) {
    INFO("step " << step);
    auto at = findChunked("Warenkorb", body, step);
    REQUIRE(at.has_value());
    CHECK(*at == body.find("Warenkorb"));
  }
}

TEST_CASE("stream matcher reports absence without false positives at seams", "[probes]") {
  const std::string body = "Warenkor-b Warenkorx arenkorb";
  for (std::size_t step = 1; step <= body.size(); ++step) {
    CHECK_FALSE(findChunked("Warenkorb", body, step).has_value());
  }
}

TEST_CASE("stream matcher reports the first occurrence", "[probes]") {
  CHECK(findChunked("ab", "xxabxxab", 3) == std::optional<std::uint64_t>{2});
  CHECK(findChunked("a", "bbba", 1) == std::optional<std::uint64_t>{3});
}
