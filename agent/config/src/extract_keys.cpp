// A journey step's `extract`, `repeat_until` and `skip_if`: what a step reads from its response
// and the conditions that repeat or skip it.
#include <re2/re2.h>

#include <array>

#include "journey_keys.h"
#include "journey_variables.h"
#include "json_value.h"
#include "shopwatch/core/css_selector.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::detail {
namespace {

using Kind = core::Extraction::Kind;

struct KindName {
  std::string_view key;
  Kind kind;
};
constexpr std::array<KindName, 6> kKinds = {{{"regex", Kind::Regex},
                                             {"json", Kind::Json},
                                             {"json_find", Kind::JsonFind},
                                             {"header", Kind::Header},
                                             {"cookie", Kind::Cookie},
                                             {"css", Kind::Css}}};
constexpr std::array<std::string_view, 6> kKindKeys = {"regex",  "json",   "json_find",
                                                       "header", "cookie", "css"};

std::optional<std::string> pointer(ParseContext& ctx, const YAML::Node& node,
                                   const std::string& path) {
  auto raw = ctx.scalar(node, path, "a JSON pointer (\"/cart/id\")");
  if (!raw) return std::nullopt;
  if (!validJsonPointer(*raw)) {
    ctx.report(
        node, path,
        "invalid JSON pointer `" + *raw + "`: must start with `/` (RFC 6901), e.g. /cart/id");
    return std::nullopt;
  }
  return raw;
}

// `where: {sku: X}` names a member; `where: {/product/sku: X}` is a pointer into the element.
std::string memberPointer(const std::string& field) {
  if (field.starts_with('/')) return field;
  std::string out = "/";
  for (char c : field) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

bool readRegex(ParseContext& ctx, const MapEntry& e, core::Extraction& out) {
  auto pattern = ctx.scalar(e.value, e.path, "an RE2 regular expression");
  if (!pattern) return false;
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(*pattern, options);
  if (!re.ok()) {
    ctx.report(e.value, e.path, "invalid RE2 regular expression `" + *pattern + "`: " + re.error());
    return false;
  }
  if (re.NumberOfCapturingGroups() < 1) {
    ctx.report(e.value, e.path,
               "regex `" + *pattern + "` needs a capturing group: the value is its first group");
    return false;
  }
  out.expression = *pattern;
  return true;
}

bool readJsonFind(ParseContext& ctx, const MapEntry& section, core::Extraction& out) {
  auto entries = jsonFindKeyTable().entries(ctx, section.value, section.path);
  if (!entries) return false;
  bool ok = true;
  bool has_path = false;
  bool has_where = false;
  for (const auto& e : *entries) {
    if (e.key == "path" || e.key == "take") {
      auto p = pointer(ctx, e.value, e.path);
      if (!p) {
        ok = false;
      } else if (e.key == "path") {
        out.expression = *p;
        has_path = true;
      } else {
        out.take = *p;
      }
      continue;
    }
    if (!e.value.IsMap() || e.value.size() != 1) {
      ctx.report(e.value, e.path, "expected one {field: value} pair");
      ok = false;
      continue;
    }
    const auto pair = *e.value.begin();
    const std::string field = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, field);
    if (field.empty() || (field.starts_with('/') && !validJsonPointer(field))) {
      ctx.report(pair.first, path, "expected a member name or a JSON pointer");
      ok = false;
      continue;
    }
    auto value = ctx.string(pair.second, path, nullptr);
    if (!value) {
      ok = false;
      continue;
    }
    out.where_field = memberPointer(field);
    out.where_value = *value;
    has_where = true;
  }
  if (ok && !has_path) {
    ctx.report(section.value, ParseContext::child(section.path, "path"),
               "missing required key `path` (the JSON pointer of the array)");
    ok = false;
  }
  if (ok && !has_where) {
    ctx.report(section.value, ParseContext::child(section.path, "where"),
               "missing required key `where` ({field: value})");
    ok = false;
  }
  return ok;
}

bool readKind(ParseContext& ctx, const MapEntry& e, core::Extraction& out) {
  switch (out.kind) {
    case Kind::Regex:
      return readRegex(ctx, e, out);
    case Kind::JsonFind:
      return readJsonFind(ctx, e, out);
    case Kind::Json: {
      auto p = pointer(ctx, e.value, e.path);
      if (p) out.expression = *p;
      return p.has_value();
    }
    case Kind::Header:
    case Kind::Cookie: {
      auto name = ctx.scalar(e.value, e.path, "a name");
      if (!name) return false;
      if (!validToken(*name)) {
        ctx.report(e.value, e.path, "invalid " + e.key + " name `" + *name + "`");
        return false;
      }
      out.expression = *name;
      return true;
    }
    case Kind::Css: {
      auto selector = ctx.scalar(e.value, e.path, "a CSS selector");
      if (!selector) return false;
      auto parsed = core::parseCssSelector(*selector);
      if (!parsed) {
        ctx.report(e.value, e.path, parsed.error().message);
        return false;
      }
      out.expression = *selector;
      return true;
    }
  }
  return false;
}

std::optional<core::Extraction> extraction(ParseContext& ctx, const YAML::Node& key_node,
                                           const YAML::Node& node, const std::string& variable,
                                           const std::string& path) {
  bool ok = true;
  if (!validVariableName(variable)) {
    ctx.report(key_node, path,
               "invalid variable name `" + variable + "`: use lowercase letters, digits and `_`");
    ok = false;
  } else if (builtinVariable(variable)) {
    ctx.report(key_node, path, "`" + variable + "` is a built-in variable; choose another name");
    ok = false;
  }
  auto entries = extractKeyTable().entries(ctx, node, path);
  if (!entries) return std::nullopt;
  core::Extraction out;
  out.variable = variable;
  std::vector<const MapEntry*> kinds;
  const MapEntry* attr = nullptr;
  for (const auto& e : *entries) {
    if (e.key == "optional") {
      if (auto v = ctx.boolean(e.value, e.path))
        out.optional = *v;
      else
        ok = false;
    } else if (e.key == "attr") {
      attr = &e;
    } else {
      kinds.push_back(&e);
    }
  }
  if (kinds.size() != 1) {
    ctx.report(node, path, "needs exactly one of " + quoteList(kKindKeys));
    return std::nullopt;
  }
  const MapEntry& kind = *kinds.front();
  for (const auto& k : kKinds) {
    if (k.key == kind.key) out.kind = k.kind;
  }
  if (!readKind(ctx, kind, out)) ok = false;
  if (attr) {
    if (out.kind != Kind::Css) {
      ctx.report(attr->key_node, attr->path, "`attr` goes with `css` only");
      ok = false;
    } else if (auto name = ctx.scalar(attr->value, attr->path, "an attribute name")) {
      if (validToken(*name))
        out.attribute = core::asciiLower(*name);
      else
        ctx.report(attr->value, attr->path, "invalid attribute name `" + *name + "`"), ok = false;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

void applyExtract(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap() || e.value.size() == 0) {
    ctx.report(e.value, e.path, "expected a map of variable name to {regex|json|...: ...}");
    return;
  }
  std::vector<core::Extraction> list;
  bool ok = true;
  for (const auto& pair : e.value) {
    const std::string variable = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    auto item =
        extraction(ctx, pair.first, pair.second, variable, ParseContext::child(e.path, variable));
    if (item)
      list.push_back(std::move(*item));
    else
      ok = false;
  }
  if (ok) stepOf(d).step.extract = std::move(list);
}

void applyRepeatUntil(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = repeatUntilKeyTable().entries(ctx, section.value, section.path);
  if (!entries) return;
  core::RepeatUntil out;
  bool ok = true;
  bool has_json = false;
  bool has_one_of = false;
  for (const auto& e : *entries) {
    if (e.key == "json") {
      auto p = pointer(ctx, e.value, e.path);
      if (p)
        out.json_pointer = *p, has_json = true;
      else
        ok = false;
    } else if (e.key == "one_of") {
      if (!e.value.IsSequence() || e.value.size() == 0) {
        ctx.report(e.value, e.path, "expected a non-empty list of values");
        ok = false;
        continue;
      }
      for (std::size_t i = 0; i < e.value.size(); ++i) {
        auto v = ctx.string(e.value[i], ParseContext::index(e.path, i), &d.secrets());
        if (v)
          out.one_of.push_back(*v);
        else
          ok = false;
      }
      has_one_of = true;
    } else if (e.key == "max_attempts") {
      if (auto v = ctx.integer(e.value, e.path, 1, 100))
        out.max_attempts = static_cast<int>(*v);
      else
        ok = false;
    } else if (auto v = ctx.duration(e.value, e.path)) {
      out.delay = *v;
    } else {
      ok = false;
    }
  }
  if (ok && !has_json) {
    ctx.report(section.value, ParseContext::child(section.path, "json"),
               "missing required key `json` (the JSON pointer to poll)");
    ok = false;
  }
  if (ok && !has_one_of) {
    ctx.report(section.value, ParseContext::child(section.path, "one_of"),
               "missing required key `one_of` (the values that end the polling)");
    ok = false;
  }
  if (ok) stepOf(d).step.repeat_until = std::move(out);
}

void applySkipIf(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = skipIfKeyTable().entries(ctx, section.value, section.path);
  if (!entries) return;
  core::SkipIf out;
  bool has_var = false;
  bool has_equals = false;
  bool ok = true;
  for (const auto& e : *entries) {
    if (e.key == "var") {
      auto v = ctx.scalar(e.value, e.path, "a variable name");
      if (v && validVariableName(*v)) {
        out.variable = *v;
        has_var = true;
      } else {
        if (v) ctx.report(e.value, e.path, "invalid variable name `" + *v + "`");
        ok = false;
      }
    } else if (auto v = ctx.string(e.value, e.path, &d.secrets())) {
      out.equals = *v;
      has_equals = true;
    } else {
      ok = false;
    }
  }
  if (ok && !has_var) {
    ctx.report(section.value, ParseContext::child(section.path, "var"),
               "missing required key `var`");
    ok = false;
  }
  if (ok && !has_equals) {
    ctx.report(section.value, ParseContext::child(section.path, "equals"),
               "missing required key `equals`");
    ok = false;
  }
  if (ok) stepOf(d).step.skip_if = std::move(out);
}

}  // namespace shopwatch::agent::detail
