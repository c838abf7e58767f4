#pragma once
/// What a rule or SLO watches (DESIGN.md, "Identity"): a check (`acme/home`), a journey step
/// (`acme/checkout/cart`) or every check of a shop (`acme/*`). One grammar, parsed here and nowhere else.

#include <string>
#include <string_view>

#include "shopwatch/core/check.h"
#include "shopwatch/core/result.h"

namespace shopwatch::rules {

/// One concrete series a rule is evaluated on: a check (`step` empty) or one step of a journey.
struct Target {
  core::CheckKey key;
  std::string step;

  /// `shop/check` or `shop/check/step` (what users write and read).
  std::string str() const { return step.empty() ? key.str() : key.str() + "/" + step; }
  friend bool operator==(const Target&, const Target&) = default;
  friend auto operator<=>(const Target&, const Target&) = default;
};

/// `shop/check`, `shop/check/step` or `shop/*`, as written in `rules[].check` and `slos[].check`.
struct TargetPattern {
  std::string shop;
  std::string check;  ///< "*" for every check of the shop (never a step then)
  std::string step;   ///< "" for the check as a whole

  bool wildcard() const { return check == "*"; }
  /// Whether the series (key, step) is one of this pattern's targets; env is not part of the pattern
  /// (a shop name in several envs matches in each).
  bool matches(const core::CheckKey& key, std::string_view series_step) const;
  std::string str() const;
};

/// Parses a pattern; names must be identity names (`[a-z0-9._-]+`). The error message names the bad
/// part ("acme/Home: check name ..."), without a location (the config loader adds file:line).
core::Result<TargetPattern> parseTargetPattern(std::string_view text);

}  // namespace shopwatch::rules
