#pragma once
/// Alert severities (`severity: info | warning | critical`).

#include <optional>
#include <string_view>

namespace shopwatch::rules {

enum class Severity { Info, Warning, Critical };

std::string_view severityName(Severity s);
std::optional<Severity> parseSeverity(std::string_view text);

}  // namespace shopwatch::rules
