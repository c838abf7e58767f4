#include "parse_context.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <tuple>

#include "key_suggestion.h"

namespace shopwatch::agent::detail {
namespace {

std::string kindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "`" + node.Scalar() + "`";
    default:
      return "an undefined value";
  }
}

}  // namespace

std::string quoteList(std::span<const std::string_view> items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += "`" + std::string(items[i]) + "`";
  }
  return out;
}

ParseContext::ParseContext(std::string source, SecretExpander expander)
    : source_(std::move(source)), expander_(std::move(expander)) {}

std::string ParseContext::child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string ParseContext::index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

void ParseContext::report(const YAML::Node& node, const std::string& path, std::string message) {
  YAML::Mark mark = YAML::Mark::null_mark();
  if (node.IsDefined()) mark = node.Mark();
  reportAtMark(mark, path, std::move(message));
}

namespace {

ConfigError located(const std::string& source, const YAML::Node& node, const std::string& path,
                    std::string message) {
  ConfigError error;
  error.file = source;
  if (node.IsDefined() && !node.Mark().is_null()) {
    error.line = node.Mark().line + 1;
    error.column = node.Mark().column + 1;
  }
  error.path = path;
  error.message = std::move(message);
  return error;
}

std::vector<ConfigError> sortedUnique(std::vector<ConfigError> list) {
  std::stable_sort(list.begin(), list.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  // A problem in shop defaults shows up once per check; say it once.
  list.erase(std::unique(list.begin(), list.end(),
                         [](const ConfigError& a, const ConfigError& b) {
                           return a.line == b.line && a.column == b.column && a.path == b.path &&
                                  a.message == b.message;
                         }),
             list.end());
  return list;
}

}  // namespace

void ParseContext::warn(const YAML::Node& node, const std::string& path, std::string message) {
  warnings_.push_back(located(source_, node, path, std::move(message)));
}

void ParseContext::reportAtMark(const YAML::Mark& mark, const std::string& path,
                                std::string message) {
  ConfigError error;
  error.file = source_;
  if (!mark.is_null()) {
    error.line = mark.line + 1;
    error.column = mark.column + 1;
  }
  error.path = path;
  error.message = std::move(message);
  errors_.push_back(std::move(error));
}

std::optional<std::vector<MapEntry>> ParseContext::entries(const YAML::Node& node,
                                                           const std::string& path,
                                                           std::span<const std::string_view> known,
                                                           bool allow_null) {
  if (node.IsNull() && allow_null) return std::vector<MapEntry>{};
  if (!node.IsMap()) {
    report(node, path, "expected a map (with keys " + quoteList(known) + "), got " + kindOf(node));
    return std::nullopt;
  }
  std::vector<MapEntry> out;
  std::set<std::string> seen;
  for (const auto& pair : node) {
    const YAML::Node& key_node = pair.first;
    if (!key_node.IsScalar()) {
      report(key_node, path, "keys must be plain names, got " + kindOf(key_node));
      continue;
    }
    const std::string key = key_node.Scalar();
    const std::string key_path = child(path, key);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string message = "unknown key `" + key + "`";
      if (auto suggestion = suggestKey(key, known)) {
        message += "; did you mean `" + *suggestion + "`?";
      } else {
        message += " (valid keys: " + quoteList(known) + ")";
      }
      report(key_node, key_path, std::move(message));
      continue;
    }
    if (!seen.insert(key).second) {
      report(key_node, key_path, "duplicate key `" + key + "`");
      continue;
    }
    out.push_back(MapEntry{key, key_node, pair.second, key_path});
  }
  return out;
}

std::optional<std::string> ParseContext::scalar(const YAML::Node& node, const std::string& path,
                                                std::string_view expected) {
  if (!node.IsScalar()) {
    report(node, path, "expected " + std::string(expected) + ", got " + kindOf(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> ParseContext::string(const YAML::Node& node, const std::string& path,
                                                std::vector<std::string>* secrets) {
  auto raw = scalar(node, path);
  if (!raw) return std::nullopt;
  auto expanded = expander_.expand(*raw);
  if (!expanded) {
    report(node, path, expanded.error().message);
    return std::nullopt;
  }
  for (auto& secret : expanded->secrets) {
    if (secret.empty()) continue;
    if (secrets && std::find(secrets->begin(), secrets->end(), secret) == secrets->end()) {
      secrets->push_back(secret);
    }
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) {
      secrets_.push_back(secret);
    }
  }
  return std::move(expanded->text);
}

std::optional<bool> ParseContext::boolean(const YAML::Node& node, const std::string& path) {
  auto raw = scalar(node, path, "true or false");
  if (!raw) return std::nullopt;
  bool value = false;
  if (!YAML::convert<bool>::decode(node, value)) {
    report(node, path, "expected true or false, got `" + *raw + "`");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> ParseContext::integer(const YAML::Node& node, const std::string& path,
                                                  std::int64_t min, std::int64_t max) {
  auto raw = scalar(node, path, "an integer");
  if (!raw) return std::nullopt;
  std::int64_t value = 0;
  const char* first = raw->data();
  const char* last = raw->data() + raw->size();
  if (first != last && *first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last || first == last) {
    report(node, path, "expected an integer, got `" + *raw + "`");
    return std::nullopt;
  }
  if (value < min || value > max) {
    report(node, path,
           "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
               std::to_string(value));
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseContext::number(const YAML::Node& node, const std::string& path) {
  auto raw = scalar(node, path, "a number");
  if (!raw) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(raw->c_str(), &end);
  if (raw->empty() || end != raw->c_str() + raw->size() || !std::isfinite(value)) {
    report(node, path, "expected a number, got `" + *raw + "`");
    return std::nullopt;
  }
  return value;
}

std::optional<core::Micros> ParseContext::duration(const YAML::Node& node, const std::string& path,
                                                   bool allow_zero) {
  auto raw = scalar(node, path, "a duration (e.g. 250ms, 30s, 5m, 1h, 7d)");
  if (!raw) return std::nullopt;
  auto parsed = core::parseDuration(*raw);
  if (!parsed) {
    report(node, path, parsed.error().message);
    return std::nullopt;
  }
  if (!allow_zero && parsed->count() == 0) {
    report(node, path, "must be greater than zero");
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::uint64_t> ParseContext::size(const YAML::Node& node, const std::string& path) {
  auto raw = scalar(node, path, "a size (e.g. 64KiB, 10MiB)");
  if (!raw) return std::nullopt;
  auto parsed = core::parseSize(*raw);
  if (!parsed) {
    report(node, path, parsed.error().message);
    return std::nullopt;
  }
  if (*parsed == 0) {
    report(node, path, "must be greater than zero");
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::string> ParseContext::name(const YAML::Node& node, const std::string& path) {
  auto raw = scalar(node, path, "a name");
  if (!raw) return std::nullopt;
  if (raw->empty()) {
    report(node, path, "must not be empty (lowercase letters, digits, `.`, `_`, `-`)");
    return std::nullopt;
  }
  for (char c : *raw) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      report(node, path,
             "invalid name `" + *raw + "`: use only lowercase letters, digits, `.`, `_` and `-`");
      return std::nullopt;
    }
  }
  return raw;
}

std::vector<ConfigError> ParseContext::takeErrors() { return sortedUnique(std::move(errors_)); }

std::vector<ConfigError> ParseContext::takeWarnings() { return sortedUnique(std::move(warnings_)); }

}  // namespace shopwatch::agent::detail
