#pragma once
/// The single failure vocabulary (DESIGN.md, "Probes"): the `reason` label, the JSON key `failure`, the
/// stored column.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace shopwatch::core {

/// Explicit values: they are stored (rollup columns, raw rows) — never renumber, only append.
enum class FailureReason : std::uint8_t {
  None = 0,  ///< the run passed
  Dns = 1,
  Connect = 2,
  Tls = 3,
  Timeout = 4,
  HttpStatus = 5,
  Assertion = 6,
  Extraction = 7,
  BodyTooLarge = 8,
  Redirects = 9,
  Protocol = 10,
  Internal = 11,
};

inline constexpr std::size_t kFailureReasonCount = 12;

/// "dns", "connect", ... ; "" for None.
std::string_view toString(FailureReason reason);
std::optional<FailureReason> parseFailureReason(std::string_view text);

/// All reasons except None, in declaration order (for metric families that pre-create series).
const std::array<FailureReason, kFailureReasonCount - 1>& allFailureReasons();

}  // namespace shopwatch::core
