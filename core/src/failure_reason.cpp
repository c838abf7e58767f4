#include "shopwatch/core/failure_reason.h"

namespace shopwatch::core {
namespace {
constexpr std::string_view kNames[kFailureReasonCount] = {
    "",          "dns",        "connect",       "tls",       "timeout",  "http_status",
    "assertion", "extraction", "body_too_large", "redirects", "protocol", "internal"};
}  // namespace

std::string_view toString(FailureReason reason) {
  auto i = static_cast<std::size_t>(reason);
  return i < kFailureReasonCount ? kNames[i] : kNames[static_cast<std::size_t>(FailureReason::Internal)];
}

std::optional<FailureReason> parseFailureReason(std::string_view text) {
  for (std::size_t i = 1; i < kFailureReasonCount; ++i) {
    if (kNames[i] == text) return static_cast<FailureReason>(i);
  }
  return std::nullopt;
}

const std::array<FailureReason, kFailureReasonCount - 1>& allFailureReasons() {
  static const auto kAll = [] {
    std::array<FailureReason, kFailureReasonCount - 1> all{};
    for (std::size_t i = 1; i < kFailureReasonCount; ++i) all[i - 1] = static_cast<FailureReason>(i);
    return all;
  }();
  return kAll;
}

}  // namespace shopwatch::core
