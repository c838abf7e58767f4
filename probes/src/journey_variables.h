#pragma once
// A journey run's variables and `${...}` substitution: extracted values, built-ins ($random,
// $random_hex:N, $uuid, $now, $now_iso). Extracted values are the run's secrets.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::probes::detail {

/// One variable: its text, and its value as JSON text (a string's is quoted; a value extracted by
/// a JSON pointer keeps its type: `3`, `true`, `{"a":1}`).
struct VariableValue {
  std::string text;
  std::string json;
  /// Redacted wherever the run's text is shown (extracted values); a journey's `vars:` are config.
  bool secret = true;
};

/// A string variable (its JSON is the quoted, escaped text).
VariableValue textValue(std::string text);

/// The variables of one run (engine thread; a worker gets a copy).
class Variables {
 public:
  void set(const std::string& name, VariableValue value);
  const VariableValue* find(std::string_view name) const;
  /// Values to redact wherever a run's text is shown (those of at least kMinSecretLength bytes:
  /// a "1" or "42" would otherwise blank every digit of a message).
  std::vector<std::string> secretValues() const;

  static constexpr std::size_t kMinSecretLength = 4;

 private:
  std::map<std::string, VariableValue, std::less<>> values_;
};

/// A journey's `vars:` entry with its references substituted from `vars` (built-ins, earlier
/// vars): not secret; a typed one (a YAML number or boolean) keeps its JSON type. Error naming an
/// unset reference.
core::Result<VariableValue> journeyVarValue(const std::string& value, bool typed,
                                            const Variables& vars);

/// Whether `text` holds a `${` reference.
bool hasReferences(std::string_view text);

/// The value of the reference `name` (what stands between `${` and `}`): a built-in or a variable.
/// Error (code NotFound) naming it when it is neither set nor a built-in.
core::Result<VariableValue> resolveReference(std::string_view name, const Variables& vars);

/// `text` with every `${name}` replaced by its text; an unterminated `${` stays as written.
/// Error (code NotFound) naming the first unset variable.
core::Result<std::string> substitute(std::string_view text, const Variables& vars);

/// Substitutes `text` in place (see substitute); false and `error` set on an unset variable.
bool substituteInPlace(std::string& text, const Variables& vars, core::Error& error);

}  // namespace shopwatch::probes::detail
