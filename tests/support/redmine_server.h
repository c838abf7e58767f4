#pragma once
/// The real Redmine 5.0.4 (Debian's `redmine`, `redmine-sqlite`, `ruby-webrick`) the Redmine tests run
/// against. CTest starts it once per run (the fixture test `redmine: start`, tests/redmine/): a
/// throwaway app root and SQLite database under the build tree, WEBrick bound to 127.0.0.1 on a port
/// it chose itself, a project `shop`, a text custom field `fingerprint` ("used as a filter", enabled
/// in the project), and a non-admin member `shopwatch` with the Developer role (workflows apply as
/// for an agency's service user). `redmine: stop` stops it by PID. Tests that use it are registered
/// with kRedmineTestProperties, so they run one at a time after the start and before the stop.

#include <optional>
#include <string>

namespace shopwatch::testing {

/// Properties for shopwatch_add_test(... PROPERTIES ...) are set in CMake; this is the fixture name.
inline constexpr const char* kRedmineFixture = "redmine";

struct RedmineInstance {
  std::string url;          ///< http://127.0.0.1:PORT (no trailing slash)
  std::string api_key;      ///< the non-admin member `shopwatch` (what the sink is given)
  std::string admin_key;    ///< the admin, for the tests' own inspection (journals, relations, all issues)
  std::string project = "shop";         ///< identifier
  int fingerprint_field_id = 0;         ///< the `fingerprint` custom field
  std::string fingerprint_field = "fingerprint";
};

/// The running instance (read from the state the start script wrote). When Redmine is not
/// installed: nullopt after a loud WARN outside CI, a failed check under CI (external_tool.h rules).
/// When it is installed but not running (the fixture failed): nullopt and a failed check.
std::optional<RedmineInstance> redmineInstance();

/// Stops the server by its PID and waits until its port refuses connections (the database stays).
/// For "Redmine down for the whole incident". True when it was running and is now stopped.
bool stopRedmine();
/// Starts it again on the same port and database; waits until the REST API answers (≤ 60 s).
bool startRedmine();

/// Deletes every issue of the project (admin key) so a test starts from an empty tracker.
bool clearRedmineIssues();

}  // namespace shopwatch::testing
