#pragma once
/// Headless Chromium for tests: every run gets a fresh profile in a temporary directory and no
/// network (a dead proxy, every host name unresolvable; loopback stays reachable when asked for, so
/// a test can load a page from an agent on 127.0.0.1). Killed (its whole process group) after the
/// timeout. The executable: $SHOPWATCH_CHROMIUM, else `chromium` on PATH.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace shopwatch::testing {

/// $SHOPWATCH_CHROMIUM or `chromium` on PATH; "" when there is none.
std::string chromiumExecutable();

/// What one Chromium run did.
struct ChromiumRun {
  std::string command;  ///< the command line, for messages
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;  ///< -1 when killed by a signal or not started
  std::string out;     ///< stdout (the DOM of --dump-dom)
  std::string log;     ///< the last 4 kB of stderr
  bool ok() const { return started && !timed_out && exit_code == 0; }
  /// command, exit, log tail: for INFO / FAIL messages.
  std::string describe() const;
};

class ChromiumRunner {
 public:
  /// `allow_loopback`: 127.0.0.1 and localhost resolve (the agent's status page); nothing else
  /// does.
  explicit ChromiumRunner(std::chrono::seconds timeout = std::chrono::seconds{90},
                          bool allow_loopback = false);

  /// Runs Chromium on `url` with the isolation flags plus `extra` (e.g. "--dump-dom").
  ChromiumRun run(const std::vector<std::string>& extra, const std::string& url) const;
  /// --dump-dom: the DOM after load, in ChromiumRun::out.
  ChromiumRun dumpDom(const std::string& url) const;
  /// --screenshot=<png> --window-size=<w>,<h>.
  ChromiumRun screenshot(const std::string& url, const std::filesystem::path& png, int width,
                         int height) const;

  /// file:// URL of a path (absolute).
  static std::string fileUrl(const std::filesystem::path& path);

 private:
  std::chrono::seconds timeout_;
  bool allow_loopback_;
};

}  // namespace shopwatch::testing
