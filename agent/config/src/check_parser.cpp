#include "check_parser.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace shopwatch::agent::detail {
namespace {

constexpr std::array<std::string_view, 20> kCheckKeys = {"name",
                                                         "url",
                                                         "method",
                                                         "headers",
                                                         "body",
                                                         "auth",
                                                         "proxy",
                                                         "resolve",
                                                         "ip_version",
                                                         "user_agent",
                                                         "follow_redirects",
                                                         "max_redirects",
                                                         "tls",
                                                         "max_body",
                                                         "confirm",
                                                         "confirm_delay",
                                                         "histogram",
                                                         "interval",
                                                         "timeout",
                                                         "expect"};
constexpr std::array<std::string_view, 7> kExpectKeys = {
    "status",  "body_contains", "body_not_contains", "body_regex",
    "headers", "json",          "max_duration"};
constexpr std::array<std::string_view, 5> kTlsKeys = {"verify", "ca_file", "cert_file", "key_file",
                                                      "server_name"};
constexpr std::array<std::string_view, 2> kAuthKeys = {"basic", "bearer"};
constexpr std::array<std::string_view, 2> kBasicKeys = {"user", "password"};
constexpr std::array<std::string_view, 6> kJsonKeys = {"path",   "equals", "one_of",
                                                       "exists", "gt",     "lt"};
constexpr std::string_view kSecretRule = "secrets must come from ${env:NAME} or ${file:/path}";

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool validToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// Sets `key` in an ordered list of pairs, replacing an existing entry (compared with `same`).
template <typename Same>
void upsert(std::vector<std::pair<std::string, std::string>>& list, std::string key,
            std::string value, Same same) {
  for (auto& entry : list) {
    if (same(entry.first, key)) {
      entry.second = std::move(value);
      return;
    }
  }
  list.emplace_back(std::move(key), std::move(value));
}

bool validRegex(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) {
    ctx.report(node, path, "invalid RE2 regular expression `" + pattern + "`: " + re.error());
    return false;
  }
  return true;
}

bool validIp(std::string_view text) {
  std::string ip(text);
  unsigned char buffer[16];
  return inet_pton(AF_INET, ip.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, ip.c_str(), buffer) == 1;
}

// ---- status
// ---------------------------------------------------------------------------------------

std::optional<std::pair<int, int>> statusItem(ParseContext& ctx, const YAML::Node& node,
                                              const std::string& path) {
  auto raw =
      ctx.scalar(node, path, "a status code (200), a class (\"2xx\") or a range (\"200-299\")");
  if (!raw) return std::nullopt;
  const std::string& s = *raw;
  auto bad = [&]() -> std::optional<std::pair<int, int>> {
    ctx.report(node, path,
               "invalid status `" + s +
                   "`: expected a code 100-599, a class such as \"2xx\", or a range "
                   "such as \"200-299\"");
    return std::nullopt;
  };
  auto code = [](std::string_view t) -> int {
    if (t.size() != 3 ||
        !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return -1;
    int v = std::atoi(std::string(t).c_str());
    return (v >= 100 && v <= 599) ? v : -1;
  };
  if (s.size() == 3 && (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X') &&
      s[0] >= '1' && s[0] <= '5') {
    const int base = (s[0] - '0') * 100;
    return std::pair{base, base + 99};
  }
  if (auto dash = s.find('-'); dash != std::string::npos) {
    const int lo = code(std::string_view(s).substr(0, dash));
    const int hi = code(std::string_view(s).substr(dash + 1));
    if (lo < 0 || hi < 0 || lo > hi) return bad();
    return std::pair{lo, hi};
  }
  const int v = code(s);
  if (v < 0) return bad();
  return std::pair{v, v};
}

void applyStatus(ParseContext& ctx, const MapEntry& entry, core::Expectations& expect) {
  std::vector<std::pair<int, int>> ranges;
  bool ok = true;
  if (entry.value.IsSequence()) {
    if (entry.value.size() == 0) {
      ctx.report(entry.value, entry.path, "must list at least one status (omit it for any 2xx)");
      return;
    }
    for (std::size_t i = 0; i < entry.value.size(); ++i) {
      auto item = statusItem(ctx, entry.value[i], ParseContext::index(entry.path, i));
      if (item)
        ranges.push_back(*item);
      else
        ok = false;
    }
  } else {
    auto item = statusItem(ctx, entry.value, entry.path);
    if (item)
      ranges.push_back(*item);
    else
      ok = false;
  }
  if (ok) expect.status = std::move(ranges);
}

// ---- expect.json -------------------------------------------------------------------------------

// Plain YAML scalars resolve as in YAML 1.2's core schema; quoted ones are always strings.
// A JSON literal as text. YAML escapes ("\xd1") can spell bytes that are not UTF-8; JSON cannot hold
// them, so they are a config error at the value rather than a loader failure.
std::optional<std::string> jsonText(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                                    const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    ctx.report(node, path, "JSON value is not valid UTF-8");
    return std::nullopt;
  }
}

std::optional<nlohmann::json> toJson(ParseContext& ctx, const YAML::Node& node,
                                     const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = toJson(ctx, node[i], ParseContext::index(path, i));
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& pair : node) {
        if (!pair.first.IsScalar()) {
          ctx.report(pair.first, path, "JSON object keys must be strings");
          return std::nullopt;
        }
        auto item = toJson(ctx, pair.second, ParseContext::child(path, pair.first.Scalar()));
        if (!item) return std::nullopt;
        object[pair.first.Scalar()] = std::move(*item);
      }
      return object;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() != "?") return nlohmann::json(s);  // quoted or explicitly tagged
      if (s == "true" || s == "True" || s == "TRUE") return nlohmann::json(true);
      if (s == "false" || s == "False" || s == "FALSE") return nlohmann::json(false);
      if (s == "null" || s == "Null" || s == "NULL" || s == "~") return nlohmann::json(nullptr);
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                         s[0] == '+' || s[0] == '.')) {
        char* end = nullptr;
        const long long integer = std::strtoll(s.c_str(), &end, 10);
        if (end == s.c_str() + s.size()) return nlohmann::json(integer);
        const double real = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(real)) return nlohmann::json(real);
      }
      return nlohmann::json(s);
    }
    default:
      ctx.report(node, path, "expected a JSON value");
      return std::nullopt;
  }
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

std::optional<core::JsonExpectation> jsonExpectation(ParseContext& ctx, const YAML::Node& node,
                                                     const std::string& path) {
  auto entries = ctx.entries(node, path, kJsonKeys);
  if (!entries) return std::nullopt;
  core::JsonExpectation out;
  bool has_path = false;
  bool ok = true;
  std::vector<const MapEntry*> ops;
  for (const auto& e : *entries) {
    if (e.key == "path") {
      auto pointer = ctx.scalar(e.value, e.path, "a JSON pointer (\"/cart/total\")");
      if (!pointer) {
        ok = false;
      } else if (!validJsonPointer(*pointer)) {
        ctx.report(e.value, e.path,
                   "invalid JSON pointer `" + *pointer +
                       "`: must start with `/` (RFC 6901), e.g. /cart/total");
        ok = false;
      } else {
        out.path = *pointer;
        has_path = true;
      }
      continue;
    }
    ops.push_back(&e);
  }
  if (!has_path && ok) {
    ctx.report(node, ParseContext::child(path, "path"), "missing required key `path`");
    ok = false;
  }
  if (ops.size() != 1) {
    ctx.report(node, path, "needs exactly one of `equals`, `one_of`, `exists`, `gt`, `lt`");
    return std::nullopt;
  }
  const MapEntry& op = *ops.front();
  if (op.key == "equals") {
    out.op = core::JsonExpectation::Op::Equals;
    auto value = toJson(ctx, op.value, op.path);
    if (!value) return std::nullopt;
    auto text = jsonText(ctx, op.value, op.path, *value);
    if (!text) return std::nullopt;
    out.value = std::move(*text);
  } else if (op.key == "one_of") {
    out.op = core::JsonExpectation::Op::OneOf;
    if (!op.value.IsSequence() || op.value.size() == 0) {
      ctx.report(op.value, op.path, "expected a non-empty list of JSON values");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < op.value.size(); ++i) {
      const std::string item_path = ParseContext::index(op.path, i);
      auto value = toJson(ctx, op.value[i], item_path);
      if (!value) return std::nullopt;
      auto text = jsonText(ctx, op.value[i], item_path, *value);
      if (!text) return std::nullopt;
      out.values.push_back(std::move(*text));
    }
  } else if (op.key == "exists") {
    out.op = core::JsonExpectation::Op::Exists;
    auto value = ctx.boolean(op.value, op.path);
    if (!value) return std::nullopt;
    out.exists = *value;
  } else {
    out.op = op.key == "gt" ? core::JsonExpectation::Op::Gt : core::JsonExpectation::Op::Lt;
    auto value = ctx.number(op.value, op.path);
    if (!value) return std::nullopt;
    out.number = *value;
  }
  if (!ok) return std::nullopt;
  return out;
}

// ---- sections ----------------------------------------------------------------------------------

void applyExpect(ParseContext& ctx, const MapEntry& section, CheckDraft& draft) {
  auto entries = ctx.entries(section.value, section.path, kExpectKeys, true);
  if (!entries) return;
  core::Expectations& expect = draft.spec.expect;
  auto& secrets = draft.spec.secrets;
  for (const auto& e : *entries) {
    if (e.key == "status") {
      applyStatus(ctx, e, expect);
    } else if (e.key == "body_contains") {
      if (auto v = ctx.string(e.value, e.path, &secrets)) expect.body_contains = *v;
    } else if (e.key == "body_not_contains") {
      if (auto v = ctx.string(e.value, e.path, &secrets)) expect.body_not_contains = *v;
    } else if (e.key == "body_regex") {
      auto v = ctx.string(e.value, e.path, &secrets);
      if (v && validRegex(ctx, e.value, e.path, *v)) expect.body_regex = *v;
    } else if (e.key == "headers") {
      if (!e.value.IsMap()) {
        ctx.report(e.value, e.path, "expected a map of header name to RE2 regular expression");
        continue;
      }
      for (const auto& pair : e.value) {
        const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
        const std::string path = ParseContext::child(e.path, name);
        if (!validToken(name)) {
          ctx.report(pair.first, path, "invalid header name `" + name + "`");
          continue;
        }
        auto pattern = ctx.string(pair.second, path, &secrets);
        if (pattern && validRegex(ctx, pair.second, path, *pattern)) {
          upsert(expect.headers, name, *pattern, iequals);
        }
      }
    } else if (e.key == "json") {
      if (!e.value.IsSequence()) {
        ctx.report(e.value, e.path,
                   "expected a list of {path: /json/pointer, equals|one_of|exists|gt|lt: ...}");
        continue;
      }
      std::vector<core::JsonExpectation> list;
      bool ok = true;
      for (std::size_t i = 0; i < e.value.size(); ++i) {
        auto item = jsonExpectation(ctx, e.value[i], ParseContext::index(e.path, i));
        if (item)
          list.push_back(std::move(*item));
        else
          ok = false;
      }
      if (ok) expect.json = std::move(list);
    } else if (e.key == "max_duration") {
      if (auto v = ctx.duration(e.value, e.path)) expect.max_duration = *v;
    }
  }
}

void applyTls(ParseContext& ctx, const MapEntry& section, CheckDraft& draft) {
  auto entries = ctx.entries(section.value, section.path, kTlsKeys, true);
  if (!entries) return;
  core::TlsOptions& tls = draft.spec.tls;
  for (const auto& e : *entries) {
    if (e.key == "verify") {
      if (auto v = ctx.boolean(e.value, e.path)) tls.verify = *v;
      continue;
    }
    auto value = ctx.string(e.value, e.path, &draft.spec.secrets);
    if (!value) continue;
    if (e.key == "server_name") {
      tls.server_name = *value;
      continue;
    }
    std::filesystem::path file(*value);
    if (file.is_relative()) file = ctx.baseDir() / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      ctx.report(e.value, e.path, "file `" + file.string() + "` does not exist or is not a file");
      continue;
    }
    (e.key == "ca_file"     ? tls.ca_file
     : e.key == "cert_file" ? tls.cert_file
                            : tls.key_file) = file.string();
  }
}

void applyAuth(ParseContext& ctx, const MapEntry& section, CheckDraft& draft) {
  auto entries = ctx.entries(section.value, section.path, kAuthKeys);
  if (!entries) return;
  if (entries->size() != 1) {
    ctx.report(section.value, section.path, "needs exactly one of `basic` or `bearer`");
    return;
  }
  const MapEntry& e = entries->front();
  auto& secrets = draft.spec.secrets;
  auto secret = [&](const YAML::Node& node, const std::string& path) -> std::optional<std::string> {
    auto raw = ctx.scalar(node, path);
    if (!raw) return std::nullopt;
    if (!SecretExpander::isSingleReference(*raw)) {
      ctx.report(node, path, std::string(kSecretRule) + " (a literal value is not allowed here)");
      return std::nullopt;
    }
    return ctx.string(node, path, &secrets);
  };
  if (e.key == "bearer") {
    if (auto token = secret(e.value, e.path)) {
      draft.spec.bearer_token = *token;
      draft.spec.basic_auth.reset();
    }
    return;
  }
  auto basic = ctx.entries(e.value, e.path, kBasicKeys);
  if (!basic) return;
  core::BasicAuth auth;
  bool has_user = false;
  bool has_password = false;
  bool ok = true;
  for (const auto& b : *basic) {
    if (b.key == "user") {
      auto user = ctx.string(b.value, b.path, &secrets);
      if (user)
        auth.user = *user, has_user = true;
      else
        ok = false;
    } else {
      auto password = secret(b.value, b.path);
      if (password)
        auth.password = *password, has_password = true;
      else
        ok = false;
    }
  }
  if (ok && !has_user)
    ctx.report(e.value, ParseContext::child(e.path, "user"), "missing required key `user`");
  if (ok && !has_password) {
    ctx.report(e.value, ParseContext::child(e.path, "password"),
               "missing required key `password` (" + std::string(kSecretRule) + ")");
  }
  if (ok && has_user && has_password) {
    draft.spec.basic_auth = std::move(auth);
    draft.spec.bearer_token.reset();
  }
}

void applyStringMap(ParseContext& ctx, const MapEntry& section, CheckDraft& draft, bool headers) {
  if (!section.value.IsMap()) {
    ctx.report(section.value, section.path,
               headers ? "expected a map of header name to value"
                       : "expected a map of host name to IP address (\"shop.example\": 127.0.0.1)");
    return;
  }
  for (const auto& pair : section.value) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(section.path, key);
    if (headers) {
      if (!validToken(key)) {
        ctx.report(pair.first, path, "invalid header name `" + key + "`");
        continue;
      }
      auto value = ctx.string(pair.second, path, &draft.spec.secrets);
      if (!value) continue;
      if (value->find_first_of("\r\n") != std::string::npos) {
        ctx.report(pair.second, path, "header values must not contain line breaks");
        continue;
      }
      upsert(draft.spec.headers, key, *value, iequals);
    } else {
      if (key.empty() || key.find_first_of(":/ \t[]") != std::string::npos) {
        ctx.report(pair.first, path, "invalid host name `" + key + "`");
        continue;
      }
      auto ip = ctx.scalar(pair.second, path, "an IP address");
      if (!ip) continue;
      std::string address = *ip;
      if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
      }
      if (!validIp(address)) {
        ctx.report(pair.second, path, "`" + *ip + "` is not an IPv4 or IPv6 address");
        continue;
      }
      std::string host = key;
      for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      upsert(draft.spec.resolve, host, address,
             [](const std::string& a, const std::string& b) { return a == b; });
    }
  }
}

}  // namespace

std::span<const std::string_view> checkKeys() { return kCheckKeys; }

bool validHttpUrl(std::string_view url, std::string& error) {
  std::size_t scheme_end = url.find("://");
  std::string scheme(url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    error = "`" + std::string(url) + "` is not an http:// or https:// URL";
    return false;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  if (authority.empty() || authority.front() == ':') {
    error = "`" + std::string(url) + "` has no host";
    return false;
  }
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
    error = "URLs must not contain spaces or line breaks (encode them as %20)";
    return false;
  }
  return true;
}

void applyCheckEntries(ParseContext& ctx, const std::vector<MapEntry>& entries, CheckDraft& draft) {
  core::HttpCheckSpec& spec = draft.spec;
  for (const auto& e : entries) {
    const std::string& k = e.key;
    if (k == "name" || k == "url") continue;
    if (k == "method") {
      auto raw = ctx.scalar(e.value, e.path, "an HTTP method");
      if (!raw) continue;
      std::string method = *raw;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (method.empty() ||
          !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        ctx.report(e.value, e.path, "invalid HTTP method `" + *raw + "`");
        continue;
      }
      spec.method = method;
    } else if (k == "headers" || k == "resolve") {
      applyStringMap(ctx, e, draft, k == "headers");
    } else if (k == "body") {
      if (auto v = ctx.string(e.value, e.path, &spec.secrets)) spec.body = *v;
    } else if (k == "auth") {
      applyAuth(ctx, e, draft);
    } else if (k == "proxy") {
      auto v = ctx.string(e.value, e.path, &spec.secrets);
      if (!v) continue;
      if (auto sep = v->find("://"); sep != std::string::npos) {
        static constexpr std::array<std::string_view, 6> kSchemes = {
            "http", "https", "socks4", "socks4a", "socks5", "socks5h"};
        if (std::find(kSchemes.begin(), kSchemes.end(), v->substr(0, sep)) == kSchemes.end()) {
          ctx.report(e.value, e.path,
                     "unsupported proxy scheme `" + v->substr(0, sep) + "` (use " +
                         quoteList(kSchemes) + ")");
          continue;
        }
      }
      spec.proxy = *v;
    } else if (k == "ip_version") {
      auto v = ctx.scalar(e.value, e.path, "any, 4 or 6");
      if (!v) continue;
      if (*v == "any")
        spec.ip_version = core::IpVersion::Any;
      else if (*v == "4")
        spec.ip_version = core::IpVersion::V4;
      else if (*v == "6")
        spec.ip_version = core::IpVersion::V6;
      else
        ctx.report(e.value, e.path, "expected `any`, `4` or `6`, got `" + *v + "`");
    } else if (k == "user_agent") {
      if (auto v = ctx.string(e.value, e.path, &spec.secrets)) spec.user_agent = *v;
    } else if (k == "follow_redirects") {
      if (auto v = ctx.boolean(e.value, e.path)) spec.follow_redirects = *v;
    } else if (k == "max_redirects") {
      if (auto v = ctx.integer(e.value, e.path, 0, 100)) spec.max_redirects = static_cast<int>(*v);
    } else if (k == "tls") {
      applyTls(ctx, e, draft);
    } else if (k == "max_body") {
      if (auto v = ctx.size(e.value, e.path)) spec.max_body = *v;
    } else if (k == "confirm") {
      if (auto v = ctx.boolean(e.value, e.path)) spec.confirm = *v;
    } else if (k == "confirm_delay") {
      if (auto v = ctx.duration(e.value, e.path)) {
        spec.confirm_delay = *v;
        draft.confirm_delay = Origin{e.value, e.path};
      }
    } else if (k == "histogram") {
      if (auto v = ctx.boolean(e.value, e.path)) spec.histogram = *v;
    } else if (k == "interval") {
      if (auto v = ctx.duration(e.value, e.path)) {
        spec.interval = *v;
        draft.interval = Origin{e.value, e.path};
      }
    } else if (k == "timeout") {
      if (auto v = ctx.duration(e.value, e.path)) {
        spec.timeout = *v;
        draft.timeout = Origin{e.value, e.path};
      }
    } else if (k == "expect") {
      applyExpect(ctx, e, draft);
    }
  }
}

}  // namespace shopwatch::agent::detail
