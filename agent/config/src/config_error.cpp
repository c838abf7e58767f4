#include "shopwatch/agent/config/config_error.h"

#include <string_view>

namespace shopwatch::agent {

namespace {

std::string formatted(const ConfigError& e, std::string_view severity) {
  std::string out = e.file;
  if (e.line > 0) {
    out += ":" + std::to_string(e.line);
    if (e.column > 0) out += ":" + std::to_string(e.column);
  }
  out += ": ";
  out += severity;
  if (!e.path.empty()) out += e.path + ": ";
  out += e.message;
  return out;
}

}  // namespace

std::string ConfigError::format() const { return formatted(*this, ""); }

std::string ConfigError::formatWarning() const { return formatted(*this, "warning: "); }

}  // namespace shopwatch::agent
