#pragma once
// YAML values as JSON: `expect.json` literals and a journey step's `json:` / `graphql.variables`
// bodies.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parse_context.h"

namespace shopwatch::agent::detail {

/// `node` as JSON (`Json` is nlohmann::json or nlohmann::ordered_json, which keeps the file's key
/// order). Plain scalars resolve as in YAML 1.2's core schema (`3` a number, `true` a boolean);
/// quoted ones are always strings. With `secrets`, strings have `${env:..}`/`${file:..}` expanded
/// as ParseContext::string does (the values recorded there); without, they are taken as written.
template <typename Json>
std::optional<Json> yamlToJson(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                               std::vector<std::string>* secrets = nullptr);

/// `value` as JSON text; a string that is not UTF-8 (YAML escapes can spell one) is an error at
/// `node`.
template <typename Json>
std::optional<std::string> jsonText(ParseContext& ctx, const YAML::Node& node,
                                    const std::string& path, const Json& value);

/// RFC 6901: empty, or `/`-separated tokens with `~` only as `~0` or `~1`.
bool validJsonPointer(std::string_view pointer);

}  // namespace shopwatch::agent::detail
