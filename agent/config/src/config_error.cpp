#include "shopwatch/agent/config/config_error.h"

namespace shopwatch::agent {

std::string ConfigError::format() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

}  // namespace shopwatch::agent
