#pragma once
// Extraction of a step's variables from its response: regex (RE2, first group), JSON pointer
// (keeping the JSON type), json_find, header, cookie, CSS selector + attribute. Runs on the
// evaluation pool: a body may be MiB.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "journey_variables.h"
#include "shopwatch/core/journey.h"

namespace re2 {
class RE2;
}

namespace shopwatch::probes::detail {

/// The response body parsed as JSON at most once (extraction, repeat_until, GraphQL errors).
class JsonBody {
 public:
  explicit JsonBody(std::string_view body) : body_(body) {}
  /// The document, or nullptr when the body is not JSON.
  const nlohmann::json* document();

 private:
  std::string_view body_;
  bool parsed_ = false;
  nlohmann::json doc_;
};

/// What extraction reads of a response.
struct ExtractionSource {
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;  ///< names lower-case
  std::string_view body;
  const std::vector<std::string>* jar = nullptr;  ///< Netscape cookie-file lines (may be null)
  JsonBody* json = nullptr;
};

/// A value of a JSON document as a variable (a string unquoted; anything else as JSON text).
VariableValue variableFromJson(const nlohmann::json& value);
/// The value at an RFC 6901 pointer, or nullptr (an invalid pointer finds nothing).
const nlohmann::json* atPointer(const nlohmann::json& doc, const std::string& pointer);

struct ExtractionOutcome {
  std::vector<std::pair<std::string, VariableValue>> values;  ///< found, in order
  /// The first required variable that was not found (or whose extraction was invalid), and why.
  std::optional<std::pair<std::string, std::string>> missing;
};

/// Runs every extraction of a step. `regexes` is parallel to `extract` (null for other kinds).
ExtractionOutcome extractAll(const std::vector<core::Extraction>& extract,
                             const std::vector<std::shared_ptr<const re2::RE2>>& regexes,
                             const ExtractionSource& source);

}  // namespace shopwatch::probes::detail
