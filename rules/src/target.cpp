#include "shopwatch/rules/target.h"

#include <array>
#include <optional>

namespace shopwatch::rules {
namespace {

constexpr std::string_view kShapes = "expected shop/check, shop/check/step or shop/*";

bool isIdentityChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool isIdentityName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!isIdentityChar(c)) return false;
  }
  return true;
}

core::Error invalid(std::string_view text, const std::string& why) {
  return core::makeError(core::ErrorCode::Invalid, std::string(text) + ": " + why);
}

/// Checks one part of a pattern; `role` is "shop", "check" or "step".
std::optional<core::Error> checkPart(std::string_view text, std::string_view role,
                                     std::string_view part) {
  if (part.empty())
    return invalid(text, std::string(role) + " name is empty (" + std::string(kShapes) + ")");
  if (part.find('*') != std::string_view::npos) {
    return invalid(text, std::string(role) + " name \"" + std::string(part) +
                             "\" is invalid: `*` is allowed only as the whole check part (shop/*)");
  }
  if (!isIdentityName(part)) {
    return invalid(text, std::string(role) + " name \"" + std::string(part) +
                             "\" is invalid: use only lowercase letters, digits, `.`, `_` and `-`");
  }
  return std::nullopt;
}

}  // namespace

bool TargetPattern::matches(const core::CheckKey& key, std::string_view series_step) const {
  if (key.shop != shop) return false;
  if (wildcard()) return series_step.empty();
  return key.check == check && series_step == step;
}

std::string TargetPattern::str() const {
  std::string out = shop + "/" + check;
  if (!step.empty()) out += "/" + step;
  return out;
}

core::Result<TargetPattern> parseTargetPattern(std::string_view text) {
  if (text.empty())
    return core::makeError(core::ErrorCode::Invalid, "empty target (" + std::string(kShapes) + ")");
  std::array<std::string_view, 3> parts;
  std::size_t count = 0;
  std::size_t begin = 0;
  while (true) {
    const auto slash = text.find('/', begin);
    const auto part = text.substr(
        begin, slash == std::string_view::npos ? std::string_view::npos : slash - begin);
    if (count == parts.size())
      return invalid(text, "too many parts (" + std::string(kShapes) + ")");
    parts[count++] = part;
    if (slash == std::string_view::npos) break;
    begin = slash + 1;
  }
  if (count < 2)
    return invalid(text, "a shop alone is not a target (" + std::string(kShapes) + ")");

  TargetPattern pattern;
  if (auto err = checkPart(text, "shop", parts[0])) return *err;
  pattern.shop = std::string(parts[0]);
  if (parts[1] == "*") {
    if (count == 3) return invalid(text, "a wildcard check (shop/*) cannot name a step");
    pattern.check = "*";
    return pattern;
  }
  if (auto err = checkPart(text, "check", parts[1])) return *err;
  pattern.check = std::string(parts[1]);
  if (count == 3) {
    if (auto err = checkPart(text, "step", parts[2])) return *err;
    pattern.step = std::string(parts[2]);
  }
  return pattern;
}

}  // namespace shopwatch::rules
