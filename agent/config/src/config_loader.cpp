#include "shopwatch/agent/config/config_loader.h"

#include <arpa/inet.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "check_parser.h"
#include "parse_context.h"
#include "shopwatch/core/redact.h"

namespace shopwatch::agent {
namespace {

using detail::CheckDraft;
using detail::MapEntry;
using detail::Origin;
using detail::ParseContext;

constexpr std::array<std::string_view, 3> kTopKeys = {"agent", "shops", "retention"};
constexpr std::array<std::string_view, 5> kAgentKeys = {"client", "listen", "database", "log_level",
                                                        "store_buffer"};
constexpr std::array<std::string_view, 2> kRetentionKeys = {"raw", "rollups"};
constexpr std::array<std::string_view, 6> kShopKeys = {
    "name", "env", "base_url", "defaults", "checks", "per_host_concurrency"};
constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};

std::string position(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return "?";
  return std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
}

bool validIp(const std::string& text, int family) {
  unsigned char buffer[16];
  return inet_pton(family, text.c_str(), buffer) == 1;
}

/// host:port, [v6]:port; the host an IP literal or a host name.
std::optional<std::string> listenError(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen.front() == '[') {
    const std::size_t close = listen.find("]:");
    if (close == std::string::npos) return "expected [IPv6]:PORT, e.g. [::1]:9834";
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
    if (!validIp(host, AF_INET6)) return "`" + host + "` is not an IPv6 address";
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return "expected HOST:PORT, e.g. 127.0.0.1:9834";
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.empty()) return "the host is missing (use 0.0.0.0:PORT to listen on every interface)";
    if (host.find(':') != std::string::npos) return "write IPv6 addresses in brackets: [::1]:9834";
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
        return "`" + host + "` is not an IP address or host name";
      }
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return "`" + port + "` is not a port number (0-65535)";
  }
  return std::nullopt;
}

class ConfigParser {
 public:
  ConfigParser(std::string source, const LoadOptions& options, std::filesystem::path base_dir)
      : ctx_(source, detail::SecretExpander(options.getenv, std::move(base_dir))),
        options_(options) {
    config_.source = std::move(source);
  }

  LoadResult parse(const std::string& yaml) {
    YAML::Node root;
    try {
      root = YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
      ctx_.reportAtMark(e.mark, "", "YAML syntax error: " + e.msg);
      return finish();
    }
    auto top = ctx_.entries(root, "", kTopKeys, true);
    if (!top) return finish();
    bool has_agent = false;
    for (const auto& e : *top) {
      if (e.key == "agent") {
        has_agent = true;
        parseAgent(e);
      } else if (e.key == "retention") {
        parseRetention(e);
      } else if (e.key == "shops") {
        parseShops(e);
      }
    }
    if (!has_agent && options_.require_client) {
      ctx_.reportAtMark(YAML::Mark(), "agent.client",
                        "missing required key `client` (the client this agent monitors, e.g. "
                        "`agent: {client: acme}`)");
    }
    if (config_.agent.database.empty()) {
      config_.agent.database = config_.agent.client.empty()
                                   ? "shopwatch.db"
                                   : "shopwatch-" + config_.agent.client + ".db";
    }
    return finish();
  }

 private:
  LoadResult finish() {
    LoadResult result;
    result.errors = ctx_.takeErrors();
    // Messages quote offending values, which may hold an expanded secret (a URL with a token).
    for (auto& error : result.errors) error.message = core::redact(error.message, ctx_.secrets());
    if (result.errors.empty()) {
      config_.secrets = ctx_.secrets();
      result.config = std::move(config_);
    }
    return result;
  }

  void parseAgent(const MapEntry& section) {
    auto entries = ctx_.entries(section.value, section.path, kAgentKeys, true);
    if (!entries) return;
    AgentSettings& agent = config_.agent;
    bool has_client = false;
    for (const auto& e : *entries) {
      if (e.key == "client") {
        has_client = true;
        if (auto v = ctx_.name(e.value, e.path)) agent.client = *v;
      } else if (e.key == "listen") {
        auto v = ctx_.scalar(e.value, e.path, "HOST:PORT");
        if (!v) continue;
        if (auto problem = listenError(*v)) {
          ctx_.report(e.value, e.path, "invalid listen address `" + *v + "`: " + *problem);
        } else {
          agent.listen = *v;
        }
      } else if (e.key == "database") {
        auto v = ctx_.scalar(e.value, e.path, "a file path");
        if (!v) continue;
        if (v->empty())
          ctx_.report(e.value, e.path, "must not be empty");
        else
          agent.database = *v;
      } else if (e.key == "log_level") {
        auto v = ctx_.scalar(e.value, e.path, "a log level");
        if (!v) continue;
        if (std::find(kLogLevels.begin(), kLogLevels.end(), *v) == kLogLevels.end()) {
          ctx_.report(e.value, e.path,
                      "invalid log level `" + *v + "` (use " + detail::quoteList(kLogLevels) + ")");
        } else {
          agent.log_level = *v;
        }
      } else if (e.key == "store_buffer") {
        if (auto v = ctx_.integer(e.value, e.path, 1, 100'000'000)) {
          agent.store_buffer = static_cast<std::size_t>(*v);
        }
      }
    }
    if (!has_client && options_.require_client) {
      ctx_.report(section.value.IsNull() ? section.key_node : section.value,
                  ParseContext::child(section.path, "client"),
                  "missing required key `client` (the client this agent monitors, e.g. `acme`)");
    }
  }

  void parseRetention(const MapEntry& section) {
    auto entries = ctx_.entries(section.value, section.path, kRetentionKeys, true);
    if (!entries) return;
    for (const auto& e : *entries) {
      auto v = ctx_.duration(e.value, e.path);
      if (!v) continue;
      (e.key == "raw" ? config_.retention.raw : config_.retention.rollups) = *v;
    }
  }

  void parseShops(const MapEntry& section) {
    if (section.value.IsNull()) return;
    if (!section.value.IsSequence()) {
      ctx_.report(section.value, section.path, "expected a list of shops (`- name: ...`)");
      return;
    }
    for (std::size_t i = 0; i < section.value.size(); ++i) {
      parseShop(section.value[i], ParseContext::index(section.path, i));
    }
  }

  void parseShop(const YAML::Node& node, const std::string& path) {
    auto entries = ctx_.entries(node, path, kShopKeys);
    if (!entries) return;
    std::map<std::string_view, const MapEntry*> by_key;
    for (const auto& e : *entries) by_key[e.key] = &e;

    ShopConfig shop;
    std::vector<std::string> shop_secrets;
    bool ok = true;
    const MapEntry* name = by_key.count("name") ? by_key["name"] : nullptr;
    if (!name) {
      ctx_.report(node, ParseContext::child(path, "name"), "missing required key `name`");
      ok = false;
    } else if (auto v = ctx_.name(name->value, name->path)) {
      shop.name = *v;
    } else {
      ok = false;
    }
    if (const MapEntry* env = by_key.count("env") ? by_key["env"] : nullptr) {
      if (auto v = ctx_.name(env->value, env->path))
        shop.env = *v;
      else
        ok = false;
    }
    if (const MapEntry* base = by_key.count("base_url") ? by_key["base_url"] : nullptr) {
      if (auto v = ctx_.string(base->value, base->path, &shop_secrets)) {
        std::string problem;
        if (detail::validHttpUrl(*v, problem))
          shop.base_url = *v;
        else
          ctx_.report(base->value, base->path, problem);
      }
    }
    if (const MapEntry* limit =
            by_key.count("per_host_concurrency") ? by_key["per_host_concurrency"] : nullptr) {
      if (auto v = ctx_.integer(limit->value, limit->path, 1, 1000)) {
        shop.per_host_concurrency = static_cast<int>(*v);
      }
    }
    if (ok) {
      const std::string id = shop.name + "\n" + shop.env;
      auto [it, inserted] = shop_positions_.emplace(id, position(name->value));
      if (!inserted) {
        ctx_.report(name->value, name->path,
                    "duplicate shop `" + shop.name + "` in env `" + shop.env +
                        "` (first defined at " + it->second + ")");
      }
    }

    CheckDraft base;
    base.spec.key.shop = shop.name;
    base.spec.key.env = shop.env;
    base.spec.per_host_limit = shop.per_host_concurrency;
    base.spec.secrets = shop_secrets;
    if (const MapEntry* defaults = by_key.count("defaults") ? by_key["defaults"] : nullptr) {
      // Parsed against the check keys so that `name`/`url` get a precise message, not a typo hint.
      if (auto d = ctx_.entries(defaults->value, defaults->path, detail::checkKeys(), true)) {
        for (const auto& e : *d) {
          if (e.key == "name" || e.key == "url") {
            ctx_.report(e.key_node, e.path,
                        "`" + e.key + "` cannot be a default: each check sets its own");
          }
        }
        detail::applyCheckEntries(ctx_, *d, base);
      }
    }
    if (const MapEntry* checks = by_key.count("checks") ? by_key["checks"] : nullptr) {
      if (!checks->value.IsNull() && !checks->value.IsSequence()) {
        ctx_.report(checks->value, checks->path, "expected a list of checks (`- name: ...`)");
      } else {
        std::map<std::string, std::string> check_positions;
        for (std::size_t i = 0; i < checks->value.size(); ++i) {
          parseCheck(checks->value[i], ParseContext::index(checks->path, i), shop, base,
                     check_positions);
        }
      }
    }
    config_.shops.push_back(std::move(shop));
  }

  void parseCheck(const YAML::Node& node, const std::string& path, const ShopConfig& shop,
                  const CheckDraft& base, std::map<std::string, std::string>& check_positions) {
    const std::size_t errors_before = errorCount();
    auto entries = ctx_.entries(node, path, detail::checkKeys());
    if (!entries) return;
    CheckDraft draft = base;
    const MapEntry* name = nullptr;
    const MapEntry* url = nullptr;
    for (const auto& e : *entries) {
      if (e.key == "name") name = &e;
      if (e.key == "url") url = &e;
    }
    if (!name) {
      ctx_.report(node, ParseContext::child(path, "name"), "missing required key `name`");
    } else if (auto v = ctx_.name(name->value, name->path)) {
      draft.spec.key.check = *v;
      auto [it, inserted] = check_positions.emplace(*v, position(name->value));
      if (!inserted) {
        ctx_.report(name->value, name->path,
                    "duplicate check name `" + *v + "` in shop `" + shop.name + "` env `" +
                        shop.env + "` (first defined at " + it->second + ")");
      }
    }
    detail::applyCheckEntries(ctx_, *entries, draft);
    if (!url) {
      ctx_.report(node, ParseContext::child(path, "url"),
                  "missing required key `url` (a path relative to base_url, or an absolute URL)");
    } else if (auto v = ctx_.string(url->value, url->path, &draft.spec.secrets)) {
      resolveUrl(*v, *url, shop, draft);
    }
    validate(node, path, draft);
    if (errorCount() == errors_before) {
      config_.checks.push_back(std::make_shared<const core::HttpCheckSpec>(std::move(draft.spec)));
    }
  }

  void resolveUrl(const std::string& url, const MapEntry& entry, const ShopConfig& shop,
                  CheckDraft& draft) {
    if (!url.empty() && url.front() == '/') {
      if (shop.base_url.empty()) {
        ctx_.report(
            entry.value, entry.path,
            "relative URL `" + url + "` needs the shop's `base_url` (or give an absolute URL)");
        return;
      }
      // Appended to the base URL's path, so a shop under https://host/de/ keeps its prefix.
      std::string base = shop.base_url;
      while (!base.empty() && base.back() == '/') base.pop_back();
      draft.spec.url = base + url;
      return;
    }
    std::string problem;
    if (!detail::validHttpUrl(url, problem)) {
      ctx_.report(entry.value, entry.path,
                  problem +
                      " (use a path starting with `/`, relative to base_url, or an absolute "
                      "http(s) URL)");
      return;
    }
    draft.spec.url = url;
  }

  void validate(const YAML::Node& node, const std::string& path, const CheckDraft& draft) {
    const core::HttpCheckSpec& spec = draft.spec;
    auto where = [&](const std::optional<Origin>& first, const std::optional<Origin>& second,
                     const char* key) -> Origin {
      if (first) return *first;
      if (second) return *second;
      return Origin{node, ParseContext::child(path, key)};
    };
    const std::string check = spec.key.check.empty() ? path : "`" + spec.key.check + "`";
    // The scheduler and the store work in whole milliseconds; a sub-second interval is a typo in
    // practice (`500ms` for `500s`) and would hammer the shop.
    const bool interval_ok = spec.interval >= std::chrono::seconds{1};
    if (!interval_ok) {
      Origin at = where(draft.interval, std::nullopt, "interval");
      ctx_.report(at.node, at.path,
                  "interval must be at least 1s, got " + core::formatDuration(spec.interval) +
                      " for check " + check);
    }
    if (spec.timeout < std::chrono::milliseconds{1}) {
      Origin at = where(draft.timeout, std::nullopt, "timeout");
      ctx_.report(at.node, at.path,
                  "timeout must be at least 1ms, got " + core::formatDuration(spec.timeout) +
                      " for check " + check);
    }
    if (interval_ok && spec.timeout > spec.interval) {
      Origin at = where(draft.timeout, draft.interval, "timeout");
      ctx_.report(at.node, at.path,
                  "timeout " + core::formatDuration(spec.timeout) + " exceeds interval " +
                      core::formatDuration(spec.interval) + " of check " + check);
    }
    if (interval_ok && spec.confirm && spec.confirm_delay >= spec.interval) {
      Origin at = where(draft.confirm_delay, draft.interval, "confirm_delay");
      ctx_.report(at.node, at.path,
                  "confirm_delay " + core::formatDuration(spec.confirm_delay) +
                      " must be shorter than interval " + core::formatDuration(spec.interval) +
                      " of check " + check);
    }
    if (!spec.tls.key_file.empty() && spec.tls.cert_file.empty()) {
      ctx_.report(node, ParseContext::child(path, "tls.cert_file"),
                  "tls.key_file needs tls.cert_file");
    }
  }

  std::size_t errorCount() const { return ctx_.errorCount(); }

  ParseContext ctx_;
  const LoadOptions& options_;
  AgentConfig config_;
  std::map<std::string, std::string> shop_positions_;
};

LoadResult singleError(const std::string& file, std::string message) {
  LoadResult result;
  result.errors.push_back(ConfigError{file, 0, 0, "", std::move(message)});
  return result;
}

LoadResult load(const std::string& yaml, const std::string& name, const LoadOptions& options,
                std::filesystem::path base_dir) {
  try {
    ConfigParser parser(name, options, std::move(base_dir));
    return parser.parse(yaml);
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse we did not foresee; a config problem must never crash the agent.
    return singleError(name, std::string("internal error while reading the config: ") + e.what());
  }
}

}  // namespace

LoadResult loadConfigString(const std::string& yaml, const std::string& name,
                            const LoadOptions& options) {
  std::error_code ec;
  return load(yaml, name, options, std::filesystem::current_path(ec));
}

LoadResult loadConfigFile(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return singleError(path, "cannot read config file: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return singleError(path, std::string("cannot read config file: ") + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return singleError(path, "cannot read config file: read error");
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return load(content.str(), path, options, absolute.parent_path());
}

}  // namespace shopwatch::agent
