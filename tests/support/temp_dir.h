#pragma once
// A fresh directory under the system temp directory, removed with its content on destruction.
// The one temporary-directory helper for tests (shopwatch_test_tools).

#include <filesystem>
#include <string>

namespace shopwatch::testing {

class TempDir {
 public:
  TempDir() : TempDir("shopwatch-test") {}
  /// `prefix` names the directory (prefix-XXXXXX) so a leftover shows which suite made it.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to path()/name (replacing it) and returns that path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace shopwatch::testing
