#include "secret_expander.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace shopwatch::agent::detail {
namespace {

constexpr std::string_view kEnvPrefix = "${env:";
constexpr std::string_view kFilePrefix = "${file:";

bool validEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

SecretExpander::SecretExpander(Getenv getenv, std::filesystem::path base_dir)
    : getenv_(std::move(getenv)), base_dir_(std::move(base_dir)) {}

bool SecretExpander::isSingleReference(std::string_view text) {
  const bool env = text.starts_with(kEnvPrefix);
  const bool file = text.starts_with(kFilePrefix);
  if (!env && !file) return false;
  const std::size_t close = text.find('}');
  const std::size_t prefix = env ? kEnvPrefix.size() : kFilePrefix.size();
  return close == text.size() - 1 && close > prefix;
}

core::Result<SecretExpander::Expanded> SecretExpander::expand(std::string_view text) const {
  Expanded out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = text.find("${", pos);
    if (start == std::string_view::npos) break;
    std::string_view rest = text.substr(start);
    const bool env = rest.starts_with(kEnvPrefix);
    const bool file = rest.starts_with(kFilePrefix);
    if (!env && !file) {
      // Not ours (e.g. a journey `${variable}`): keep it literally.
      out.text.append(text.substr(pos, start + 2 - pos));
      pos = start + 2;
      continue;
    }
    const std::size_t prefix = env ? kEnvPrefix.size() : kFilePrefix.size();
    const std::size_t close = text.find('}', start + prefix);
    if (close == std::string_view::npos) {
      return core::makeError(core::ErrorCode::Invalid, "unterminated secret reference `" +
                                                           std::string(rest) + "` (missing `}`)");
    }
    std::string_view argument = text.substr(start + prefix, close - start - prefix);
    auto value = resolve(env ? "env" : "file", argument);
    if (!value) return value.error();
    out.text.append(text.substr(pos, start - pos));
    out.text.append(*value);
    out.secrets.push_back(std::move(*value));
    pos = close + 1;
  }
  if (pos < text.size()) out.text.append(text.substr(pos));
  return out;
}

core::Result<std::string> SecretExpander::resolve(std::string_view scheme,
                                                  std::string_view argument) const {
  if (scheme == "env") {
    if (!validEnvName(argument)) {
      return core::makeError(core::ErrorCode::Invalid,
                             "invalid environment variable name `" + std::string(argument) +
                                 "` in ${env:...} (letters, digits and _)");
    }
    const std::string name(argument);
    std::optional<std::string> value;
    if (getenv_) {
      value = getenv_(name);
    } else if (const char* raw = std::getenv(name.c_str())) {
      value = std::string(raw);
    }
    if (!value) {
      return core::makeError(
          core::ErrorCode::NotFound,
          "environment variable `" + name + "` is not set (from ${env:" + name + "})");
    }
    return *value;
  }
  if (argument.empty()) {
    return core::makeError(core::ErrorCode::Invalid, "empty path in ${file:...}");
  }
  std::filesystem::path path{std::string(argument)};
  if (path.is_relative()) path = base_dir_ / path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return core::makeError(core::ErrorCode::Io,
                           "cannot read secret file `" + path.string() + "`: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCode::Io, "cannot read secret file `" + path.string() +
                                                    "`: " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return core::makeError(core::ErrorCode::Io, "cannot read secret file `" + path.string() + "`");
  }
  std::string value = content.str();
  // Files written by editors and `echo` end with a newline that is not part of the secret.
  if (value.ends_with("\r\n")) {
    value.resize(value.size() - 2);
  } else if (value.ends_with('\n')) {
    value.pop_back();
  }
  return value;
}

}  // namespace shopwatch::agent::detail
