#pragma once
// Running the `shopwatch` binary as users do (the backlog CLI tests): exit code and output, with an
// environment prefix for the config's ${env:...} secrets.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

namespace shopwatch::cli_test {

struct Output {
  int code = -1;
  std::string out;
};

/// Runs `env SHOPWATCH_EXE args` in a shell, capturing stdout (and stderr with `merge`; otherwise
/// stderr is dropped).
inline Output runShopwatch(const std::string& args, const std::string& env = "", bool merge = false) {
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(SHOPWATCH_EXE) + " " +
                          args + (merge ? " 2>&1" : " 2>/dev/null");
  Output o;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) o.out.append(buf.data(), n);
  const int status = pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

/// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("shopwatch-cli-backlog-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace shopwatch::cli_test
