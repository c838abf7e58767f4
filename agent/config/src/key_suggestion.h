#pragma once
// "did you mean `X`?" for unknown config keys.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shopwatch::agent::detail {

/// Levenshtein distance (insert, delete, substitute; case-sensitive).
std::size_t editDistance(std::string_view a, std::string_view b);

/// The closest of `known` to `unknown` when it is a plausible typo (distance ≤ 2, and less than the
/// key's length; a case-only difference always counts), else nothing.
std::optional<std::string> suggestKey(std::string_view unknown,
                                      std::span<const std::string_view> known);

}  // namespace shopwatch::agent::detail
