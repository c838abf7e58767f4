#pragma once
// For the systemd-integration tests: the `shopwatch` binary started as systemd would start a unit
// (own working directory, own environment: NOTIFY_SOCKET, WATCHDOG_USEC), and the notify socket a
// service manager owns (a unix datagram socket receiving sd_notify(3) messages).

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopwatch::testing {

/// A child process with stdout+stderr in `log`, working directory `cwd`, and the test's environment
/// minus systemd's variables (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID, JOURNAL_STREAM) plus `env`.
/// Killed (SIGKILL) and reaped by the destructor if still running.
class ServiceChild {
 public:
  ServiceChild(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
               const std::filesystem::path& log, const std::map<std::string, std::string>& env);
  ~ServiceChild();
  ServiceChild(const ServiceChild&) = delete;
  ServiceChild& operator=(const ServiceChild&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  /// Waits up to `timeout` for the exit; the exit code, or -1 on timeout / death by signal.
  int wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

/// A bound AF_UNIX datagram socket at `path` (the NOTIFY_SOCKET of a child); removed at destruction.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  const std::filesystem::path& path() const { return path_; }

  /// The next message after the last one returned by next() that has `line` as one of its lines
  /// ("READY=1"), waiting up to `timeout`; messages skipped on the way stay in all().
  std::optional<std::string> next(std::string_view line, std::chrono::milliseconds timeout);
  /// Every message received so far (reads what is pending first).
  const std::vector<std::string>& all();
  /// How many of all() have `line` as one of their lines.
  std::size_t count(std::string_view line);

 private:
  void drain(std::chrono::milliseconds wait);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  std::size_t cursor_ = 0;
};

/// Whether `message` (newline-separated assignments) has `line` as one of its lines.
bool hasLine(std::string_view message, std::string_view line);
/// The value of `KEY=` in `message`, if present.
std::optional<std::string> field(std::string_view message, std::string_view key);

/// A file's whole text ("" when it cannot be read): the children's logs.
std::string readFile(const std::filesystem::path& path);

}  // namespace shopwatch::testing
