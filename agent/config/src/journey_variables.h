#pragma once
// `${...}` references in the strings of a journey step: built-ins, secrets (expanded at load by
// the SecretExpander) and variables, which an `extract` of an earlier step must define.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parse_context.h"

namespace shopwatch::agent::detail {

/// One `${...}` found in a string.
struct VariableReference {
  std::string text;      ///< as written, `${cart_id}`
  std::string variable;  ///< the variable's name; empty for built-ins, secrets and invalid ones
  std::string problem;   ///< why it is invalid; empty when it is valid
};

/// Every `${...}` of `text`, in order. `${env:..}`/`${file:..}` are valid (not variables);
/// `${random}`, `${random_hex:N}` (N 1-64), `${uuid}`, `${now}`, `${now_iso}` are the built-ins.
std::vector<VariableReference> findReferences(std::string_view text);

/// A variable name: lowercase [a-z0-9_], non-empty.
bool validVariableName(std::string_view name);
/// `random`, `random_hex`, `uuid`, `now`, `now_iso`: names an `extract` must not take.
bool builtinVariable(std::string_view name);

/// The variables of one journey while its steps are read in order.
struct VariableScope {
  std::set<std::string> defined;  ///< extracted by the steps read so far
  /// Every variable any step extracts → the step that first does (for "extracted later" hints).
  std::map<std::string, std::string> extracted_by;
};

/// Reports every invalid reference and every variable not in `scope.defined`, in each scalar under
/// `node` (recursively; mapping keys are not scanned), at the scalar's position, naming it.
void checkReferences(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                     const VariableScope& scope);

}  // namespace shopwatch::agent::detail
