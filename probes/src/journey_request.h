#pragma once
// One journey step made concrete for one attempt: `${...}` substituted into the request and the
// expectations, the body built (form, JSON, GraphQL, raw), the client's cookies as jar lines.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journey_variables.h"
#include "shopwatch/core/journey.h"
#include "shopwatch/core/result.h"

namespace shopwatch::probes::detail {

struct PreparedStep {
  core::HttpRequest request;  ///< absolute URL, body built, Content-Type added when missing
  core::Expectations expect;  ///< substituted
  /// The step's `extract` with `json_find.where` values substituted (`where: {code: "${pay}"}`);
  /// empty unless a `where` value holds a reference (then the step's own list is used as is).
  std::optional<std::vector<core::Extraction>> extract;
  /// The step's `cookies:` as Netscape cookie-file lines for the request URL's host.
  std::vector<std::string> cookie_lines;
  /// Texts configured for the step that must not appear in shown text (cookie values).
  std::vector<std::string> cookie_values;
};

/// Whether the step's expectations hold `${...}` (then they are compiled per attempt).
bool expectationsHaveReferences(const core::Expectations& expect);

/// Prepares `step`. A URL starting with "/" is taken relative to `base_origin`
/// ("scheme://host:port"). Error: code NotFound naming an unset variable (a step failure
/// `extraction`), Invalid for a body that is not valid JSON.
core::Result<PreparedStep> prepareStep(const core::JourneyStep& step, const Variables& vars,
                                       const std::string& base_origin);

/// application/x-www-form-urlencoded.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

/// JSON text with references substituted: a string that is exactly "${name}" becomes the
/// variable's JSON value, other strings (and member names) get text substitution.
core::Result<std::string> substituteJson(const std::string& json_text, const Variables& vars);

}  // namespace shopwatch::probes::detail
