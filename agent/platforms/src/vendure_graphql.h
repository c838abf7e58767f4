#pragma once
// A tiny GraphQL reader for the Vendure fake: enough of the GraphQL document grammar to find the
// operation's type, its top-level fields (alias, name, arguments with variables resolved) and the
// variables it declares. Nested selection sets are checked for balance and otherwise skipped: the
// fake answers fixed, full objects instead of only the selected fields (see vendure_fake.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace shopwatch::agent::platforms::detail::vendure {

struct Field {
  std::string alias;        ///< the response key (the name when there is no alias)
  std::string name;         ///< the schema field
  nlohmann::json args = nlohmann::json::object();  ///< argument values, variables substituted
};

struct Operation {
  bool mutation = false;
  std::vector<Field> fields;
};

/// Why a document was refused, answered as HTTP 400 with this `extensions.code`.
struct DocumentError {
  std::string code;     ///< GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT
  std::string message;
};

/// Reads `document` (the body's `query`) with `variables` (an object or null); picks the operation
/// called `operation_name` when the document holds several.
std::optional<Operation> parseOperation(std::string_view document, const nlohmann::json& variables,
                                        std::string_view operation_name, DocumentError& error);

}  // namespace shopwatch::agent::platforms::detail::vendure
