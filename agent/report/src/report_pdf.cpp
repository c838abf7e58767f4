// renderPdf: the HTML report printed by headless Chromium — a fresh profile in a temporary
// directory, no network (dead proxy, every host name unresolvable), killed after 60 s.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shopwatch/agent/report/report_formats.h"

extern char** environ;

namespace shopwatch::agent::report {

namespace {

namespace fs = std::filesystem;

constexpr auto kTimeout = std::chrono::seconds{60};

bool executable(const fs::path& p) {
  return ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p);
}

/// $SHOPWATCH_CHROMIUM, else `chromium` on PATH; empty when neither is there.
core::Result<fs::path> findChromium() {
  if (const char* env = std::getenv("SHOPWATCH_CHROMIUM"); env != nullptr && *env != '\0') {
    if (executable(env)) return fs::path(env);
    return core::makeError(core::ErrorCode::Unavailable,
                           std::string("chromium not found: SHOPWATCH_CHROMIUM=") + env +
                               " is not an executable file");
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / "chromium";
    if (executable(candidate)) return candidate;
  }
  return core::makeError(
      core::ErrorCode::Unavailable,
      "chromium not found (install the chromium package or set SHOPWATCH_CHROMIUM)");
}

/// The last `n` bytes of a file.
std::string tail(const fs::path& file, std::size_t n) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > n) text = "…" + text.substr(text.size() - n);
  return text;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

/// Removes the directory on destruction.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

/// Runs argv in its own process group with stdin from /dev/null and stdout/stderr into `log`; kills
/// the group after kTimeout. Returns the wait status, or an error naming the command.
core::Result<int> run(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return core::makeError(core::ErrorCode::Unavailable,
                           "cannot start `" + joined(argv) + "`: " + std::strerror(rc));
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR)
      return core::makeError(core::ErrorCode::Internal, "waitpid failed");
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return core::makeError(
          core::ErrorCode::Unavailable,
          "`" + joined(argv) + "` did not finish within 60 s (killed); log: " + tail(log, 1500));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  ::kill(-pid, SIGKILL);  // helpers Chromium left behind in its group, if any
  return status;
}

}  // namespace

core::Status renderPdf(const std::string& html, const std::filesystem::path& pdf) {
  auto chromium = findChromium();
  if (!chromium) return chromium.error();
  std::string tmpl = (fs::temp_directory_path() / "shopwatch-pdf-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return core::makeError(core::ErrorCode::Io, "cannot create a temporary directory for chromium");
  TempDir dir{tmpl};
  const fs::path page = dir.path / "report.html";
  const fs::path out = dir.path / "report.pdf";
  const fs::path log = dir.path / "chromium.log";
  {
    std::ofstream f(page, std::ios::binary);
    f << html;
    if (!f) return core::makeError(core::ErrorCode::Io, "cannot write " + page.string());
  }
  std::error_code ec;
  fs::create_directory(dir.path / "profile", ec);
  const std::vector<std::string> argv = {chromium->string(),
                                         "--headless=new",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--user-data-dir=" + (dir.path / "profile").string(),
                                         "--no-first-run",
                                         "--no-default-browser-check",
                                         "--disable-extensions",
                                         "--disable-background-networking",
                                         "--disable-dev-shm-usage",
                                         "--proxy-server=127.0.0.1:9",
                                         "--host-resolver-rules=MAP * ~NOTFOUND",
                                         "--no-pdf-header-footer",
                                         "--print-to-pdf=" + out.string(),
                                         "file://" + page.string()};
  auto status = run(argv, log);
  if (!status) return status.error();
  const bool exited_ok = WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
  std::string head;
  {
    std::ifstream f(out, std::ios::binary);
    head.resize(5);
    if (!f.read(head.data(), 5)) head.clear();
  }
  if (!exited_ok || head != "%PDF-") {
    const std::string why =
        !exited_ok
            ? (WIFEXITED(*status) ? "exited with " + std::to_string(WEXITSTATUS(*status))
                                  : "was killed by signal " + std::to_string(WTERMSIG(*status)))
            : "wrote no PDF";
    return core::makeError(core::ErrorCode::Unavailable,
                           "`" + joined(argv) + "` " + why + "; log: " + tail(log, 1500));
  }
  fs::copy_file(out, pdf, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return core::makeError(core::ErrorCode::Io,
                           "cannot write " + pdf.string() + ": " + ec.message());
  return {};
}

}  // namespace shopwatch::agent::report
