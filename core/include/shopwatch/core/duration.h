#pragma once
/// Parsing and printing of the config's durations ("250ms 30s 5m 1h 7d") and sizes ("64KiB 10MiB").

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "shopwatch/core/result.h"

namespace shopwatch::core {

using Micros = std::chrono::microseconds;

/// Parses `<number><unit>` with unit one of us, ms, s, m, h, d (a sequence such as "1h30m" is allowed).
/// A bare number is rejected (the unit is required). Negative values are rejected.
Result<Micros> parseDuration(std::string_view text);

/// Formats as the shortest exact form: 1500ms, 30s, 5m, 1h, 7d.
std::string formatDuration(Micros d);

/// Parses `<number>[B|KiB|MiB|GiB|KB|MB|GB]`; a bare number means bytes.
Result<std::uint64_t> parseSize(std::string_view text);

}  // namespace shopwatch::core
