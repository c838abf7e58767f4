#pragma once
// What the long-running commands (entry.cpp: run, demo; demo_platform.cpp: demo --platform) share:
// the signal mask and wait, config error logging, and the demo's temporary directory.

#include <signal.h>

#include <filesystem>
#include <functional>
#include <optional>

#include "shopwatch/agent/config/config_loader.h"

namespace shopwatch::agent {
namespace runtime {
class AgentRuntime;
}

namespace detail {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;

/// Blocks the signals we wait for in this thread; threads created afterwards inherit the mask, so
/// only sigwait() ever sees them.
sigset_t blockControlSignals();
/// Waits for SIGTERM/SIGINT (`on_stop`, if any, then stops `agent`, returns 0) and SIGHUP (`on_hup`).
int waitForSignals(const sigset_t& set, runtime::AgentRuntime& agent,
                   const std::function<void()>& on_hup,
                   const std::function<void()>& on_stop = {});
void logConfigErrors(const LoadResult& loaded);

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// this object goes away.
class TempDir {
 public:
  /// nullopt (logged) when it cannot be created.
  static std::optional<TempDir> create(const char* prefix);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace detail
}  // namespace shopwatch::agent
