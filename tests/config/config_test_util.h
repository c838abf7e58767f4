#pragma once
// Helpers shared by the config tests.

#include <map>
#include <optional>
#include <string>

#include "shopwatch/agent/config/config_loader.h"

namespace shopwatch::agent::test {

/// Options whose environment is exactly `env` (never the process environment).
inline LoadOptions optionsWithEnv(std::map<std::string, std::string> env = {},
                                  bool require_client = true) {
  LoadOptions options;
  options.require_client = require_client;
  options.getenv = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

inline std::string allErrors(const LoadResult& result) {
  std::string out;
  for (const auto& e : result.errors) out += e.format() + "\n";
  return out;
}

}  // namespace shopwatch::agent::test

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace shopwatch::agent::test {

/// Drops the newline right after R"( so that line 1 of the YAML is the first line of text.
inline std::string yaml(const char* text) {
  std::string s(text);
  if (!s.empty() && s.front() == '\n') s.erase(0, 1);
  return s;
}

/// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() /
        ("shopwatch-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
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
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace shopwatch::agent::test
