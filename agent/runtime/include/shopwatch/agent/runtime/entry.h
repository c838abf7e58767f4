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

/// `shopwatch demo [--listen ADDR]`: the demo shop on 127.0.0.1 (free port) probed by an agent with
/// the embedded demo config, database in a temporary directory (removed at exit); the agent's
/// endpoint on `listen`. Prints the URLs. 0 after a graceful stop, 1 on start-up failure.
int runDemo(const std::string& listen);

}  // namespace shopwatch::agent
