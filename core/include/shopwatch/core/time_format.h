#pragma once
/// RFC 3339 formatting and parsing (UTC).

#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/clock.h"

namespace shopwatch::core {

/// "2026-11-27T18:23:32Z" (seconds precision) or with ".123456" when `fraction` is true.
std::string formatRfc3339(SystemTime t, bool fraction = false);
/// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)".
std::optional<SystemTime> parseRfc3339(std::string_view text);

}  // namespace shopwatch::core
