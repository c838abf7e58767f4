#include "entry_support.h"

#include <pthread.h>
#include <stdlib.h>

#include <string>
#include <system_error>

#include <spdlog/spdlog.h>

#include "shopwatch/agent/runtime/agent_runtime.h"

namespace shopwatch::agent::detail {

sigset_t blockControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int waitForSignals(const sigset_t& set, runtime::AgentRuntime& agent,
                   const std::function<void()>& on_hup, const std::function<void()>& on_stop) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      on_hup();
      continue;
    }
    spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (on_stop) on_stop();
    agent.stop();
    return kExitOk;
  }
}

void logConfigErrors(const LoadResult& loaded) {
  for (const auto& error : loaded.errors) spdlog::error("{}", error.format());
}

std::optional<TempDir> TempDir::create(const char* prefix) {
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string dir_template = (tmp / (std::string(prefix) + "-XXXXXX")).string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    spdlog::error("cannot create a temporary directory in {}", tmp.string());
    return std::nullopt;
  }
  return TempDir(dir_template);
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace shopwatch::agent::detail
