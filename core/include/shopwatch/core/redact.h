#pragma once
/// Secret redaction: every place that shows text that may contain a secret passes it through here.

#include <string>
#include <string_view>
#include <vector>

namespace shopwatch::core {

inline constexpr std::string_view kRedacted = "<redacted>";

/// Replaces every occurrence of each non-empty secret in `text` with "<redacted>".
std::string redact(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace shopwatch::core
