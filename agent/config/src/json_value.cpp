#include "json_value.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace shopwatch::agent::detail {

// YAML escapes ("\xd1") can spell bytes that are not UTF-8; JSON cannot hold them, so they are a
// config error at the value rather than a loader failure.
template <typename Json>
std::optional<std::string> jsonText(ParseContext& ctx, const YAML::Node& node,
                                    const std::string& path, const Json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    ctx.report(node, path, "JSON value is not valid UTF-8");
    return std::nullopt;
  }
}

namespace {

// YAML aliases can make a small file an exponentially large value (`&a [*b, *b]` chains).
constexpr std::size_t kMaxJsonNodes = 100000;

template <typename Json>
std::optional<Json> convert(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                            std::vector<std::string>* secrets, std::size_t& budget) {
  if (budget == 0) {
    ctx.report(node, path, "JSON value too large (more than 100000 values)");
    return std::nullopt;
  }
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = convert<Json>(ctx, node[i], ParseContext::index(path, i), secrets, budget);
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& pair : node) {
        if (!pair.first.IsScalar()) {
          ctx.report(pair.first, path, "JSON object keys must be strings");
          return std::nullopt;
        }
        auto item = convert<Json>(ctx, pair.second, ParseContext::child(path, pair.first.Scalar()),
                                  secrets, budget);
        if (!item) return std::nullopt;
        object[pair.first.Scalar()] = std::move(*item);
      }
      return object;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      auto text = [&]() -> std::optional<Json> {
        if (!secrets) return Json(s);
        auto expanded = ctx.string(node, path, secrets);
        if (!expanded) return std::nullopt;
        return Json(*expanded);
      };
      if (node.Tag() != "?") return text();  // quoted or explicitly tagged
      if (s == "true" || s == "True" || s == "TRUE") return Json(true);
      if (s == "false" || s == "False" || s == "FALSE") return Json(false);
      if (s == "null" || s == "Null" || s == "NULL" || s == "~") return Json(nullptr);
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                         s[0] == '+' || s[0] == '.')) {
        char* end = nullptr;
        const long long integer = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() + s.size()) return Json(integer);
        const double real = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(real)) return Json(real);
      }
      return text();
    }
    default:
      ctx.report(node, path, "expected a JSON value");
      return std::nullopt;
  }
}

}  // namespace

template <typename Json>
std::optional<Json> yamlToJson(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                               std::vector<std::string>* secrets) {
  std::size_t budget = kMaxJsonNodes;
  return convert<Json>(ctx, node, path, secrets, budget);
}

bool validJsonPointer(std::string_view pointer) {
  if (pointer.empty()) return true;
  if (pointer.front() != '/') return false;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
      return false;
  }
  return true;
}

template std::optional<nlohmann::json> yamlToJson(ParseContext&, const YAML::Node&,
                                                  const std::string&, std::vector<std::string>*);
template std::optional<nlohmann::ordered_json> yamlToJson(ParseContext&, const YAML::Node&,
                                                          const std::string&,
                                                          std::vector<std::string>*);
template std::optional<std::string> jsonText(ParseContext&, const YAML::Node&, const std::string&,
                                             const nlohmann::json&);
template std::optional<std::string> jsonText(ParseContext&, const YAML::Node&, const std::string&,
                                             const nlohmann::ordered_json&);

}  // namespace shopwatch::agent::detail
