// libFuzzer target: the core text parsers (durations, sizes, RFC 3339 times) on arbitrary text. They must
// never crash or hit UB, and what they accept must print back to text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/time_format.h"

namespace {

// formatRfc3339 prints four-digit years only: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z.
constexpr std::int64_t kFirstFourDigitYearUs = -62'135'596'800LL * 1'000'000;
constexpr std::int64_t kLastFourDigitYearUs = 253'402'300'800LL * 1'000'000 - 1;

[[noreturn]] void fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "duration_fuzzer: %s: input \"%.*s\" -> \"%s\"\n", what, static_cast<int>(input.size()),
               input.data(), detail.c_str());
  std::abort();
}

void checkDuration(std::string_view text) {
  auto parsed = shopwatch::core::parseDuration(text);
  if (!parsed) {
    if (parsed.error().message.empty()) fail("duration error without a message", text, "");
    return;
  }
  if (parsed->count() < 0) fail("negative duration accepted", text, std::to_string(parsed->count()));
  const std::string printed = shopwatch::core::formatDuration(*parsed);
  auto again = shopwatch::core::parseDuration(printed);
  if (!again) fail("formatted duration does not parse", text, printed);
  if (*again != *parsed) fail("duration round trip changed the value", text, printed);
}

void checkSize(std::string_view text) {
  auto parsed = shopwatch::core::parseSize(text);
  if (!parsed) {
    if (parsed.error().message.empty()) fail("size error without a message", text, "");
    return;
  }
  // A byte count printed as a bare number is a valid size of the same value.
  const std::string printed = std::to_string(*parsed);
  auto again = shopwatch::core::parseSize(printed);
  if (!again || *again != *parsed) fail("size round trip changed the value", text, printed);
}

void checkRfc3339(std::string_view text) {
  auto parsed = shopwatch::core::parseRfc3339(text);
  if (!parsed) return;
  const std::int64_t us = shopwatch::core::toMicros(*parsed);
  if (us < kFirstFourDigitYearUs || us > kLastFourDigitYearUs) return;
  for (bool fraction : {false, true}) {
    const std::string printed = shopwatch::core::formatRfc3339(*parsed, fraction);
    auto again = shopwatch::core::parseRfc3339(printed);
    if (!again) fail("formatted time does not parse", text, printed);
    const std::int64_t expected = fraction ? us : us - (((us % 1'000'000) + 1'000'000) % 1'000'000);
    if (shopwatch::core::toMicros(*again) != expected) fail("time round trip changed the value", text, printed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  checkDuration(text);
  checkSize(text);
  checkRfc3339(text);
  return 0;
}
