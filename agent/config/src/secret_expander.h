#pragma once
// Expansion of `${env:NAME}` and `${file:PATH}` references in config strings.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::agent::detail {

class SecretExpander {
 public:
  using Getenv = std::function<std::optional<std::string>(const std::string&)>;

  /// `getenv` may be empty (then ::getenv); relative file paths are resolved against `base_dir`.
  SecretExpander(Getenv getenv, std::filesystem::path base_dir);

  struct Expanded {
    std::string text;
    std::vector<std::string> secrets;  ///< the values substituted, in order
  };

  /// Replaces every `${env:NAME}` / `${file:PATH}` in `text`. Other `${...}` text is kept as is.
  /// Fails (ErrorCode::Invalid / NotFound / Io) on a malformed reference, an unset variable or an
  /// unreadable file.
  core::Result<Expanded> expand(std::string_view text) const;

  /// Whether `text` is exactly one `${env:NAME}` or `${file:PATH}` reference.
  static bool isSingleReference(std::string_view text);

  const std::filesystem::path& baseDir() const { return base_dir_; }

 private:
  core::Result<std::string> resolve(std::string_view scheme, std::string_view argument) const;

  Getenv getenv_;
  std::filesystem::path base_dir_;
};

}  // namespace shopwatch::agent::detail
