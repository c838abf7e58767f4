#include "service_process.h"

#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <system_error>

#include "test_helpers.h"

extern char** environ;

namespace shopwatch::testing {

namespace {
bool isSystemdVariable(std::string_view entry) {
  for (std::string_view name : {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "JOURNAL_STREAM="}) {
    if (entry.substr(0, name.size()) == name) return true;
  }
  return false;
}
}  // namespace

ServiceChild::ServiceChild(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                           const std::filesystem::path& log,
                           const std::map<std::string, std::string>& env) {
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!isSystemdVariable(*e)) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string cwd_str = cwd.string();
  const std::string log_str = log.string();
  pid_ = fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    const int fd = open(log_str.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(cwd_str.c_str()) != 0) _exit(126);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
}

ServiceChild::~ServiceChild() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ServiceChild::signal(int sig) const {
  if (pid_ > 0 && !exited_) kill(pid_, sig);
}

int ServiceChild::wait(std::chrono::milliseconds timeout) {
  if (exited_) return -1;
  int status = 0;
  const bool done = waitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
  if (!done) return -1;
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool ServiceChild::running() {
  if (exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path_.string();
  if (p.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + p);
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd_);
    throw std::system_error(err, std::generic_category(), "bind " + p);
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) close(fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void NotifySocket::drain(std::chrono::milliseconds wait) {
  pollfd pfd{fd_, POLLIN, 0};
  int timeout = static_cast<int>(wait.count());
  while (poll(&pfd, 1, timeout) > 0 && (pfd.revents & POLLIN) != 0) {
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) break;
    messages_.emplace_back(buf, static_cast<std::size_t>(n));
    timeout = 0;  // take what else is queued, without waiting again
  }
}

std::optional<std::string> NotifySocket::next(std::string_view line, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (; cursor_ < messages_.size(); ++cursor_) {
      if (hasLine(messages_[cursor_], line)) return messages_[cursor_++];
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    drain(std::min(left, std::chrono::milliseconds{100}));
  }
}

const std::vector<std::string>& NotifySocket::all() {
  drain(std::chrono::milliseconds{0});
  return messages_;
}

std::size_t NotifySocket::count(std::string_view line) {
  std::size_t n = 0;
  for (const auto& m : all()) n += hasLine(m, line) ? 1 : 0;
  return n;
}

bool hasLine(std::string_view message, std::string_view line) {
  while (!message.empty()) {
    const auto nl = message.find('\n');
    if (message.substr(0, nl) == line) return true;
    if (nl == std::string_view::npos) break;
    message.remove_prefix(nl + 1);
  }
  return false;
}

std::optional<std::string> field(std::string_view message, std::string_view key) {
  while (!message.empty()) {
    const auto nl = message.find('\n');
    const std::string_view l = message.substr(0, nl);
    if (l.size() > key.size() && l.substr(0, key.size()) == key && l[key.size()] == '=') {
      return std::string(l.substr(key.size() + 1));
    }
    if (nl == std::string_view::npos) break;
    message.remove_prefix(nl + 1);
  }
  return std::nullopt;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace shopwatch::testing
