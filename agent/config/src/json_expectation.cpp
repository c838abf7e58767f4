// `expect.json`: JSON pointer expectations, their values kept as JSON literal text.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "check_appliers.h"

namespace shopwatch::agent::detail {
namespace {

// Plain YAML scalars resolve as in YAML 1.2's core schema; quoted ones are always strings.
// A JSON literal as text. YAML escapes ("\xd1") can spell bytes that are not UTF-8; JSON cannot
// hold them, so they are a config error at the value rather than a loader failure.
std::optional<std::string> jsonText(ParseContext& ctx, const YAML::Node& node,
                                    const std::string& path, const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    ctx.report(node, path, "JSON value is not valid UTF-8");
    return std::nullopt;
  }
}

std::optional<nlohmann::json> toJson(ParseContext& ctx, const YAML::Node& node,
                                     const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = toJson(ctx, node[i], ParseContext::index(path, i));
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& pair : node) {
        if (!pair.first.IsScalar()) {
          ctx.report(pair.first, path, "JSON object keys must be strings");
          return std::nullopt;
        }
        auto item = toJson(ctx, pair.second, ParseContext::child(path, pair.first.Scalar()));
        if (!item) return std::nullopt;
        object[pair.first.Scalar()] = std::move(*item);
      }
      return object;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "?") return nlohmann::json(s);  // quoted or explicitly tagged
      if (s == "true" || s == "True" || s == "TRUE") return nlohmann::json(true);
      if (s == "false" || s == "False" || s == "FALSE") return nlohmann::json(false);
      if (s == "null" || s == "Null" || s == "NULL" || s == "~") return nlohmann::json(nullptr);
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                         s[0] == '+' || s[0] == '.')) {
        char* end = nullptr;
        const long long integer = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() + s.size()) return nlohmann::json(integer);
        const double real = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(real)) return nlohmann::json(real);
      }
      return nlohmann::json(s);
    }
    default:
      ctx.report(node, path, "expected a JSON value");
      return std::nullopt;
  }
}

bool validJsonPointer(std::string_view pointer) {
  if (pointer.empty()) return true;
  if (pointer.front() != '/') return false;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
      return false;
  }
  return true;
}

std::optional<core::JsonExpectation> jsonExpectation(ParseContext& ctx, const YAML::Node& node,
                                                     const std::string& path) {
  auto entries = jsonExpectationKeyTable().entries(ctx, node, path);
  if (!entries) return std::nullopt;
  core::JsonExpectation out;
  bool has_path = false;
  bool ok = true;
  std::vector<const MapEntry*> ops;
  for (const auto& e : *entries) {
    if (e.key == "path") {
      auto pointer = ctx.scalar(e.value, e.path, "a JSON pointer (\"/cart/total\")");
      if (!pointer) {
        ok = false;
      } else if (!validJsonPointer(*pointer)) {
        ctx.report(e.value, e.path,
                   "invalid JSON pointer `" + *pointer +
                       "`: must start with `/` (RFC 6901), e.g. /cart/total");
        ok = false;
      } else {
        out.path = *pointer;
        has_path = true;
      }
      continue;
    }
    ops.push_back(&e);
  }
  if (!has_path && ok) {
    ctx.report(node, ParseContext::child(path, "path"), "missing required key `path`");
    ok = false;
  }
  if (ops.size() != 1) {
    ctx.report(node, path, "needs exactly one of `equals`, `one_of`, `exists`, `gt`, `lt`");
    return std::nullopt;
  }
  const MapEntry& op = *ops.front();
  if (op.key == "equals") {
    out.op = core::JsonExpectation::Op::Equals;
    auto value = toJson(ctx, op.value, op.path);
    if (!value) return std::nullopt;
    auto text = jsonText(ctx, op.value, op.path, *value);
    if (!text) return std::nullopt;
    out.value = std::move(*text);
  } else if (op.key == "one_of") {
    out.op = core::JsonExpectation::Op::OneOf;
    if (!op.value.IsSequence() || op.value.size() == 0) {
      ctx.report(op.value, op.path, "expected a non-empty list of JSON values");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < op.value.size(); ++i) {
      const std::string item_path = ParseContext::index(op.path, i);
      auto value = toJson(ctx, op.value[i], item_path);
      if (!value) return std::nullopt;
      auto text = jsonText(ctx, op.value[i], item_path, *value);
      if (!text) return std::nullopt;
      out.values.push_back(std::move(*text));
    }
  } else if (op.key == "exists") {
    out.op = core::JsonExpectation::Op::Exists;
    auto value = ctx.boolean(op.value, op.path);
    if (!value) return std::nullopt;
    out.exists = *value;
  } else {
    out.op = op.key == "gt" ? core::JsonExpectation::Op::Gt : core::JsonExpectation::Op::Lt;
    auto value = ctx.number(op.value, op.path);
    if (!value) return std::nullopt;
    out.number = *value;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

void applyJson(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsSequence()) {
    ctx.report(e.value, e.path,
               "expected a list of {path: /json/pointer, equals|one_of|exists|gt|lt: ...}");
    return;
  }
  std::vector<core::JsonExpectation> list;
  bool ok = true;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    auto item = jsonExpectation(ctx, e.value[i], ParseContext::index(e.path, i));
    if (item)
      list.push_back(std::move(*item));
    else
      ok = false;
  }
  if (ok) d.expect().json = std::move(list);
}

}  // namespace shopwatch::agent::detail
