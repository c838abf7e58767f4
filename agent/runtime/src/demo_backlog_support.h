#pragma once
/// Small pieces the demo backlog's files share: Jira's error body and timestamps, ADF validation
/// and flattening, Basic-auth encoding, HTML escaping. Private to agent/runtime.

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::runtime::detail {

/// Jira's ErrorCollection: {"errorMessages":[…],"errors":{field: message}}.
nlohmann::json jiraErrorBody(const std::vector<std::string>& messages,
                             const std::map<std::string, std::string>& errors = {});

/// Jira's timestamp form: "2025-05-01T10:00:00.000+0000" (UTC).
std::string jiraTime(core::SystemTime t);

/// The plain text of an ADF document: one line per block (paragraph, heading, list item, code
/// block), `hardBreak` → newline, text nodes concatenated. Error (Invalid, "INVALID_INPUT") when it
/// is not a
/// {"type":"doc","version":1,"content":[…]} document or a text node is empty.
core::Result<std::string> adfToText(const nlohmann::json& doc);

/// Jira's refusal of a field that is not on the screen.
std::string notOnScreen(const std::string& field);

/// The text of the first present member of a `{"key":…}` / `{"name":…}` / `{"id":…}` reference
/// (numbers as decimal), "" when none.
std::string refText(const nlohmann::json& ref, std::initializer_list<const char*> members);

/// Plain text → a minimal ADF document (one paragraph per non-empty line).
nlohmann::json textToAdf(const std::string& text);

/// Standard base64 with padding.
std::string base64Encode(std::string_view bytes);

}  // namespace shopwatch::agent::runtime::detail
