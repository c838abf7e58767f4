#pragma once
/// Tests that need a real program (promtool, Prometheus, expo-lint.py) ask here first. Outside CI a
/// missing program skips the check with a loud warning; under CI (CI set in the environment, as
/// .ci/run has it) it fails, because install-deps.sh installs every such program.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

namespace shopwatch::testing {

/// `shared/tools/expo-lint.py` beside the checkout (../shared from the source dir).
inline std::string expoLintPath() {
  return std::string(SHOPWATCH_SOURCE_DIR) + "/../shared/tools/expo-lint.py";
}

/// True when `path` exists; otherwise WARNs (or FAILs under CI) naming `what`.
inline bool externalToolAvailable(const std::string& path, const std::string& what) {
  if (std::filesystem::exists(path)) return true;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0') {
    FAIL_CHECK("SKIPPED " << what << ": " << path << " is missing (packaging/install-deps.sh installs it)");
  } else {
    WARN("SKIPPED " << what << ": " << path << " is missing (packaging/install-deps.sh installs it)");
  }
  return false;
}

}  // namespace shopwatch::testing
