// `expect.json`: JSON pointer expectations, their values kept as JSON literal text.
#include "check_appliers.h"
#include "json_value.h"

namespace shopwatch::agent::detail {
namespace {

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
    auto value = yamlToJson<nlohmann::json>(ctx, op.value, op.path);
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
      auto value = yamlToJson<nlohmann::json>(ctx, op.value[i], item_path);
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
