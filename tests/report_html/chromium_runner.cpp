#include "chromium_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

extern char** environ;

namespace shopwatch::testing {

namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p, ec);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// A fresh directory, removed with its content on destruction.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "shopwatch-chromium-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace

std::string chromiumExecutable() {
  if (const char* env = std::getenv("SHOPWATCH_CHROMIUM"); env != nullptr && *env != '\0')
    return executable(env) ? std::string(env) : std::string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && executable(fs::path(dir) / "chromium"))
      return (fs::path(dir) / "chromium").string();
  }
  return {};
}

std::string ChromiumRun::describe() const {
  std::string s = "`" + command + "`";
  if (!started) return s + " could not be started";
  if (timed_out)
    s += " timed out (killed)";
  else
    s += " exited with " + std::to_string(exit_code);
  return s + "; stderr tail:\n" + log;
}

ChromiumRunner::ChromiumRunner(std::chrono::seconds timeout, bool allow_loopback)
    : timeout_(timeout), allow_loopback_(allow_loopback) {}

std::string ChromiumRunner::fileUrl(const fs::path& path) {
  return "file://" + fs::absolute(path).string();
}

ChromiumRun ChromiumRunner::run(const std::vector<std::string>& extra,
                                const std::string& url) const {
  ChromiumRun result;
  const std::string exe = chromiumExecutable();
  ScratchDir dir;
  if (exe.empty() || dir.path.empty()) {
    result.command = exe.empty() ? "chromium (not found)" : exe;
    return result;
  }
  std::vector<std::string> argv = {
      exe,
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--user-data-dir=" + (dir.path / "profile").string(),
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      "--proxy-server=127.0.0.1:9",
      allow_loopback_
          ? "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
          : "--host-resolver-rules=MAP * ~NOTFOUND"};
  if (allow_loopback_) argv.emplace_back("--proxy-bypass-list=<-loopback>;127.0.0.1;localhost");
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  for (const auto& a : argv) result.command += (result.command.empty() ? "" : " ") + a;

  const fs::path out = dir.path / "stdout";
  const fs::path err = dir.path / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.log = std::strerror(rc);
    return result;
  }
  result.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  ::kill(-pid, SIGKILL);  // anything Chromium left behind in its process group
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = readFile(out);
  result.log = readFile(err);
  if (result.log.size() > 4096) result.log = result.log.substr(result.log.size() - 4096);
  return result;
}

ChromiumRun ChromiumRunner::dumpDom(const std::string& url) const {
  return run({"--virtual-time-budget=2000", "--dump-dom"}, url);
}

ChromiumRun ChromiumRunner::screenshot(const std::string& url, const fs::path& png, int width,
                                       int height) const {
  return run({"--screenshot=" + fs::absolute(png).string(),
              "--window-size=" + std::to_string(width) + "," + std::to_string(height)},
             url);
}

}  // namespace shopwatch::testing
