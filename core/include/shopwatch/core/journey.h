#pragma once
/// A journey ([B1]): ordered steps sharing one cookie jar and the run's connections, with variables
/// extracted from one step and substituted into later ones. Plain data produced by agent/config and
/// run by the probe engine's journey driver. Strings of a step may hold `${name}` references that are
/// substituted at run time (`${env:NAME}`/`${file:...}` secrets are already expanded at load).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/http_request.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::core {

/// One `extract:` entry: where a variable's value comes from.
struct Extraction {
  enum class Kind { Regex, Json, JsonFind, Header, Cookie, Css };
  std::string variable;  ///< the `${name}` it sets
  Kind kind = Kind::Regex;
  /// Regex: RE2 (first group); Json: JSON pointer; Header: header name (case-insensitive);
  /// Cookie: cookie name; Css: a CSS selector; JsonFind: the pointer of the array to search.
  std::string expression;
  std::string attribute;     ///< Css: attribute to read ("" = the element's text)
  std::string where_field;   ///< JsonFind: a member of each element (a JSON pointer relative to it)
  std::string where_value;   ///< JsonFind: the value it must equal (compared as text)
  std::string take;          ///< JsonFind: pointer into the matching element ("" = the element)
  /// Absent: keep the previous value (tokens sent once or rotating); otherwise a missing value fails
  /// the step with reason `extraction`, naming the variable.
  bool optional = false;
};

/// `repeat_until`: poll a step until a JSON pointer's value is one of a set (an order state).
struct RepeatUntil {
  std::string json_pointer;
  std::vector<std::string> one_of;  ///< values compared as text (strings unquoted)
  int max_attempts = 10;
  Micros delay = std::chrono::seconds{1};
};

/// `skip_if`: the step is skipped (not failed) when a variable equals a value.
struct SkipIf {
  std::string variable;
  std::string equals;
};

/// How a step's body is built (a step with a body defaults to POST).
enum class BodyKind { None, Raw, Form, Json, Graphql };

struct JourneyStep {
  std::string name;  ///< lowercase [a-z0-9._-], unique within the journey (cleanup included)
  /// The request; url, header values, body, user and password may hold `${...}` references.
  HttpRequest request;
  /// Expectations; body_contains / body_not_contains / body_regex / header patterns may hold them.
  Expectations expect;
  BodyKind body_kind = BodyKind::None;
  std::vector<std::pair<std::string, std::string>> form;  ///< Form: fields in order
  /// Json: the body as JSON text; a string value that is exactly "${name}" takes the variable's JSON
  /// type, elsewhere substitution is text with JSON escaping.
  std::string json;
  std::string graphql_query;      ///< Graphql: the query document
  std::string graphql_variables;  ///< Graphql: the variables as JSON text (same rules as `json`)
  /// Cookies set into the run's jar before the request (name → value, substituted).
  std::vector<std::pair<std::string, std::string>> cookies;
  std::vector<Extraction> extract;
  std::optional<RepeatUntil> repeat_until;
  std::optional<SkipIf> skip_if;
  bool places_order = false;  ///< the user confirmed this step places an order
};

/// One `vars:` entry: a journey's own variable, set at the start of every run before the first
/// step (the values a user fills in for a shop: product, country, payment method, ...).
struct JourneyVar {
  std::string name;   ///< lowercase [a-z0-9_], not a built-in
  /// May hold built-in references and earlier vars (`probe+${now}@example.com`), substituted when
  /// the run starts; `${env:..}`/`${file:..}` are already expanded.
  std::string value;
  /// A plain YAML number or boolean (`qty: 1`): an exact "${qty}" JSON substitution takes the
  /// value as that JSON literal; otherwise it is a string.
  bool typed = false;
};

/// A journey check's probe: the run passes only when every step does; cleanup always runs (after a
/// failed step too) and does not decide the run. Schedule::timeout is the `journey_timeout`.
struct JourneyProbe {
  std::vector<JourneyVar> vars;  ///< set in order at the start of every run
  std::vector<JourneyStep> steps;
  std::vector<JourneyStep> cleanup;
};

}  // namespace shopwatch::core
