#pragma once
/// Tests that need a real program (promtool, Prometheus) ask here first. Outside CI a missing
/// program skips the check with a loud warning; under CI (CI set in the environment, as .ci/run has
/// it) it fails like any other broken check, because install-deps.sh installs every such program.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <string_view>

namespace shopwatch::testing {

enum class ToolVerdict {
  Run,          ///< the program is there: run the check
  SkipLoudly,   ///< missing outside CI: WARN and skip
  FailUnderCi,  ///< missing under CI: the test fails
};

/// Whether the environment variable CI (its value, or nullptr when unset) means "running under CI":
/// set and not empty, "0" or "false".
inline bool isCiValue(const char* ci) {
  if (ci == nullptr) return false;
  const std::string_view v(ci);
  return !v.empty() && v != "0" && v != "false";
}

/// The decision for a program that is (`present`) or is not executable, with CI's value `ci`.
inline ToolVerdict toolVerdict(bool present, const char* ci) {
  if (present) return ToolVerdict::Run;
  return isCiValue(ci) ? ToolVerdict::FailUnderCi : ToolVerdict::SkipLoudly;
}

/// True when `path` is an executable file; otherwise WARNs (or FAILs under CI) naming `what`.
inline bool externalToolAvailable(const std::string& path, const std::string& what) {
  const bool present = ::access(path.c_str(), X_OK) == 0;
  switch (toolVerdict(present, std::getenv("CI"))) {
    case ToolVerdict::Run:
      return true;
    case ToolVerdict::FailUnderCi:
      FAIL_CHECK("SKIPPED " << what << ": " << path
                            << " is missing (packaging/install-deps.sh installs it)");
      return false;
    case ToolVerdict::SkipLoudly:
      WARN("SKIPPED " << what << ": " << path
                      << " is missing (packaging/install-deps.sh installs it)");
      return false;
  }
  return false;
}

}  // namespace shopwatch::testing
