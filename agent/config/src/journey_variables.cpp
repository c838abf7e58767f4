#include "journey_variables.h"

#include <array>
#include <charconv>

namespace shopwatch::agent::detail {
namespace {

constexpr std::array<std::string_view, 4> kPlainBuiltins = {"random", "uuid", "now", "now_iso"};
constexpr std::string_view kRandomHex = "random_hex";
constexpr std::string_view kBuiltinList =
    "${random}, ${random_hex:N}, ${uuid}, ${now}, ${now_iso}, ${env:NAME}";

std::string problemOf(std::string_view inner, std::string& variable) {
  if (inner.starts_with("env:") || inner.starts_with("file:")) return {};
  for (auto builtin : kPlainBuiltins) {
    if (inner == builtin) return {};
  }
  if (inner.starts_with(kRandomHex) && inner.size() > kRandomHex.size() &&
      inner[kRandomHex.size()] == ':') {
    std::string_view digits = inner.substr(kRandomHex.size() + 1);
    int n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && ptr == digits.data() + digits.size() && n >= 1 && n <= 64) return {};
    return "`${random_hex:N}` needs N from 1 to 64";
  }
  if (inner == kRandomHex) return "`${random_hex:N}` needs N from 1 to 64";
  if (validVariableName(inner)) {
    variable = std::string(inner);
    return {};
  }
  return "invalid reference `${" + std::string(inner) +
         "}`: variables are lowercase [a-z0-9_]; built-ins are " + std::string(kBuiltinList);
}

void walk(ParseContext& ctx, const YAML::Node& node, const std::string& path,
          const VariableScope& scope, int depth, std::size_t& budget) {
  // Aliases can make the node graph deep, cyclic or exponentially wide (`&a [*b, *b]` chains);
  // real step values are a few levels deep and a few hundred nodes wide.
  if (depth > 32 || budget == 0) return;
  --budget;
  if (node.IsScalar()) {
    for (const auto& ref : findReferences(node.Scalar())) {
      if (!ref.problem.empty()) {
        ctx.report(node, path, ref.problem);
      } else if (!ref.variable.empty() && !scope.defined.contains(ref.variable)) {
        std::string message = "undefined variable `" + ref.text + "`: no earlier step extracts `" +
                              ref.variable + "`";
        if (auto it = scope.extracted_by.find(ref.variable); it != scope.extracted_by.end()) {
          message += " (step `" + it->second + "` extracts it, later)";
        }
        ctx.report(node, path, std::move(message));
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      walk(ctx, node[i], ParseContext::index(path, i), scope, depth + 1, budget);
    }
  } else if (node.IsMap()) {
    for (const auto& pair : node) {
      const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
      walk(ctx, pair.second, ParseContext::child(path, key), scope, depth + 1, budget);
    }
  }
}

}  // namespace

bool validVariableName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool builtinVariable(std::string_view name) {
  if (name == kRandomHex) return true;
  for (auto builtin : kPlainBuiltins) {
    if (name == builtin) return true;
  }
  return false;
}

std::vector<VariableReference> findReferences(std::string_view text) {
  std::vector<VariableReference> out;
  std::size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string_view::npos) {
    const std::size_t close = text.find('}', pos + 2);
    VariableReference ref;
    if (close == std::string_view::npos) {
      ref.text = std::string(text.substr(pos));
      ref.problem = "unterminated reference `" + ref.text + "` (missing `}`)";
      out.push_back(std::move(ref));
      break;
    }
    ref.text = std::string(text.substr(pos, close + 1 - pos));
    ref.problem = problemOf(text.substr(pos + 2, close - pos - 2), ref.variable);
    out.push_back(std::move(ref));
    pos = close + 1;
  }
  return out;
}

void checkReferences(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                     const VariableScope& scope) {
  std::size_t budget = 100000;
  walk(ctx, node, path, scope, 0, budget);
}

}  // namespace shopwatch::agent::detail
