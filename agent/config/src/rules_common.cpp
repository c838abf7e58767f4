// Readers shared by the rules, SLO and maintenance sections.
#include <algorithm>

#include "load_state.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {

void readIdentity(ParseContext& ctx, const MapEntry& e, std::string& out, std::optional<Place>& at) {
  if (auto v = ctx.name(e.value, e.path)) {
    out = *v;
    at = Place{e.value, e.path};
  }
}

void readTarget(ParseContext& ctx, const MapEntry& e, rules::TargetPattern& out,
                std::optional<Place>& at) {
  auto raw = ctx.scalar(e.value, e.path, "a target (`shop/check`, `shop/check/step` or `shop/*`)");
  if (!raw) return;
  auto pattern = rules::parseTargetPattern(*raw);
  if (!pattern) {
    ctx.report(e.value, e.path, pattern.error().message);
    return;
  }
  out = *pattern;
  at = Place{e.value, e.path};
}

std::optional<core::Micros> boundedDuration(ParseContext& ctx, const YAML::Node& node,
                                            const std::string& path, core::Micros min,
                                            core::Micros max) {
  auto value = ctx.duration(node, path, min.count() == 0);
  if (!value) return std::nullopt;
  if (*value < min || *value > max) {
    ctx.report(node, path,
               "must be between " + core::formatDuration(min) + " and " +
                   core::formatDuration(max) + ", got " + core::formatDuration(*value));
    return std::nullopt;
  }
  return value;
}

void requireKeys(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                 const std::vector<MapEntry>& entries,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> required) {
  for (const auto& item : required) {
    const std::string_view key = item.first;
    const std::string_view example = item.second;
    // (Named copies, not a structured binding: clang 14, which builds the fuzzers, cannot capture one.)
    const bool present = std::any_of(entries.begin(), entries.end(),
                                     [&](const MapEntry& e) { return e.key == key; });
    if (present) continue;
    std::string message = "missing required key `" + std::string(key) + "`";
    if (!example.empty()) message += " (" + std::string(example) + ")";
    ctx.report(node, ParseContext::child(path, key), std::move(message));
  }
}

bool claimRuleName(ParseContext& ctx, LoadState& state, const std::string& name,
                   std::string_view kind, const Place& at) {
  auto [it, inserted] =
      state.rules.names.emplace(name, std::string(kind) + " at " + position(at.node));
  if (inserted) return true;
  ctx.report(at.node, at.path,
             "duplicate name `" + name +
                 "`: rules and SLOs share one namespace (first defined as " + it->second + ")");
  return false;
}

}  // namespace shopwatch::agent::detail
