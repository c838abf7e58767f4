#pragma once
/// One problem found while loading a config file, located in the file and in the key tree.

#include <string>

namespace shopwatch::agent {

struct ConfigError {
  std::string file;  ///< the source name: the file path, or the name given to loadConfigString
  int line = 0;      ///< 1-based; 0 when the problem has no position (e.g. an unreadable file)
  int column = 0;    ///< 1-based; 0 when unknown
  std::string path;  ///< dotted key path, e.g. `shops[0].checks[1].expect.status`; may be empty
  std::string message;

  /// "FILE:LINE:COL: key.path: message"; the position and the path are left out when unknown.
  std::string format() const;
  /// "FILE:LINE:COL: warning: key.path: message" (the compiler style editors jump to).
  std::string formatWarning() const;
};

}  // namespace shopwatch::agent
