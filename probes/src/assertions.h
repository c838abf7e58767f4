#pragma once
// Compiled expectations of a check and their evaluation against a received response.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/probe_result.h"

namespace re2 {
class RE2;
}

namespace shopwatch::probes::detail {

/// The regexes of one check's expectations, compiled once (RE2 objects are immutable and
/// thread-safe).
struct CompiledChecks {
  CompiledChecks();
  ~CompiledChecks();
  CompiledChecks(const CompiledChecks&) = delete;
  CompiledChecks& operator=(const CompiledChecks&) = delete;

  std::unique_ptr<re2::RE2> body_regex;                   ///< null when not configured
  std::vector<std::unique_ptr<re2::RE2>> header_regexes;  ///< parallel to expect.headers
  bool needs_full_body = false;                           ///< body_regex or json configured
};

std::shared_ptr<const CompiledChecks> compileChecks(const core::Expectations& expect);

/// What one final response looked like.
struct ResponseView {
  int status = 0;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;  ///< names lower-case
  std::string_view body;  ///< only filled when needs_full_body
  std::optional<std::uint64_t> contains_at;
  std::optional<std::uint64_t> not_contains_at;
  core::Micros duration{0};
};

/// Appends one AssertionOutcome per configured expectation (status always) to result.assertions
/// and sets failure/message for the first failure: http_status wins over assertion.
/// Thread-safe for distinct `result`s (the worker pool runs it). Never shows `secrets`.
void evaluateExpectations(const core::Expectations& expect, const std::vector<std::string>& secrets,
                          const CompiledChecks& checks, const ResponseView& response,
                          core::ProbeResult& result);

/// "[200-299]" / "[200, 301-302]".
std::string formatStatusSet(const std::vector<std::pair<int, int>>& ranges);
/// "850us", "12.3ms", "1.25s".
std::string formatElapsed(core::Micros d);

}  // namespace shopwatch::probes::detail
