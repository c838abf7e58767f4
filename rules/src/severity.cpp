#include "shopwatch/rules/severity.h"

namespace shopwatch::rules {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Critical:
      return "critical";
  }
  return "warning";
}

std::optional<Severity> parseSeverity(std::string_view text) {
  for (Severity s : {Severity::Info, Severity::Warning, Severity::Critical}) {
    if (text == severityName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace shopwatch::rules
