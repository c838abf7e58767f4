#pragma once
// Shared state of one config load: the error list, the secret expander, typed readers of YAML
// values. yaml-cpp stays in this directory; public headers never show it.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "secret_expander.h"
#include "shopwatch/agent/config/config_error.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::detail {

/// One `key: value` pair of a mapping, with the dotted path of the value.
struct MapEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  std::string path;
};

class ParseContext {
 public:
  ParseContext(std::string source, SecretExpander expander);

  const std::string& source() const { return source_; }

  /// Records an error positioned at `node` (its start), or at `fallback` when `node` has no mark.
  void report(const YAML::Node& node, const std::string& path, std::string message);
  void reportAtMark(const YAML::Mark& mark, const std::string& path, std::string message);
  /// Records a warning (the config stays valid) positioned at `node`.
  void warn(const YAML::Node& node, const std::string& path, std::string message);

  /// The entries of mapping `node`, in file order. Unknown keys (with a did-you-mean suggestion),
  /// duplicate keys and non-scalar keys are reported and left out. Nothing when `node` is not a map
  /// (reported, unless it is null and `allow_null` — an empty section).
  std::optional<std::vector<MapEntry>> entries(const YAML::Node& node, const std::string& path,
                                               std::span<const std::string_view> known,
                                               bool allow_null = false);

  /// A scalar's raw text (no expansion). Reports and returns nothing for maps, lists and null.
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& path,
                                    std::string_view expected = "a string");
  /// A scalar with `${env:..}`/`${file:..}` expanded; every expanded value is appended to `secrets`
  /// (when given) and to the load-wide list.
  std::optional<std::string> string(const YAML::Node& node, const std::string& path,
                                    std::vector<std::string>* secrets);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& path);
  std::optional<std::int64_t> integer(const YAML::Node& node, const std::string& path,
                                      std::int64_t min, std::int64_t max);
  std::optional<double> number(const YAML::Node& node, const std::string& path);
  /// A duration ("30s"); zero is rejected unless `allow_zero`.
  std::optional<core::Micros> duration(const YAML::Node& node, const std::string& path,
                                       bool allow_zero = false);
  std::optional<std::uint64_t> size(const YAML::Node& node, const std::string& path);
  /// An identity name (DESIGN.md, "Identity"): lowercase [a-z0-9._-], non-empty.
  std::optional<std::string> name(const YAML::Node& node, const std::string& path);

  /// The errors, sorted by position, duplicates (from shop defaults) dropped.
  std::vector<ConfigError> takeErrors();
  /// The warnings, the same way.
  std::vector<ConfigError> takeWarnings();
  std::size_t errorCount() const { return errors_.size(); }
  const std::vector<std::string>& secrets() const { return secrets_; }
  const SecretExpander& expander() const { return expander_; }
  /// The config file's directory: relative file paths in the config are taken relative to it.
  const std::filesystem::path& baseDir() const { return expander_.baseDir(); }

  static std::string child(const std::string& path, std::string_view key);
  static std::string index(const std::string& path, std::size_t i);

 private:
  std::string source_;
  SecretExpander expander_;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> warnings_;
  std::vector<std::string> secrets_;
};

/// "`a`, `b` or `c`" for messages.
std::string quoteList(std::span<const std::string_view> items);

}  // namespace shopwatch::agent::detail
