#pragma once
/// Entry points of the long-running commands, called by the CLI (agent/cli). Each blocks until the
/// process is asked to stop (SIGTERM/SIGINT) and returns the exit code. Call from main's thread before
/// any other thread exists: they block SIGTERM, SIGINT and SIGHUP in every thread and wait for them
/// on a dedicated one. Never throw.

#include <string>

namespace shopwatch::agent {

/// `shopwatch run -c FILE`: 0 after a graceful stop, 1 when the config is invalid or the endpoint
/// cannot listen (reason logged). SIGHUP reloads FILE.
int runAgent(const std::string& config_path);

/// `shopwatch demo` options.
struct DemoOptions {
  std::string listen = "127.0.0.1:9834";  ///< the agent's endpoint
  /// Empty: the built-in demo shop. Otherwise a platform of agent/platforms' catalogue: its fake
  /// is served where the platform's recipes (examples/journeys/) point by default, probed by an
  /// agent running the platform's first recipe.
  std::string platform;
  std::string shop_listen;  ///< --platform: where the fake listens ("": its default port)
};

/// `shopwatch demo [--listen ADDR] [--platform NAME [--shop-listen ADDR]]`: the demo shop (or a
/// platform's fake) on 127.0.0.1 probed by an agent with the embedded demo config (or the
/// platform's recipe), database in a temporary directory (removed at exit); the agent's endpoint on
/// `listen`. Prints the URLs. 0 after a graceful stop, 1 on start-up failure, 2 for an unknown
/// platform.
int runDemo(const DemoOptions& options);

}  // namespace shopwatch::agent
