#pragma once
/// The validated agent configuration (DESIGN.md): what `shopwatch run` and `check-config` work
/// from. Plain data, immutable once loaded; the check specs are shared with the probe side.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "shopwatch/core/check_spec.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent {

/// `retention:` — how long raw results and hourly rollups are kept.
struct RetentionSettings {
  core::Micros raw = std::chrono::hours{24 * 14};
  core::Micros rollups = std::chrono::hours{24 * 400};
};

/// `agent:` — process-wide settings.
struct AgentSettings {
  std::string client;  ///< identity; empty only when LoadOptions::require_client is false
  std::string listen = "127.0.0.1:9834";  ///< host:port (IPv6 as [::1]:9834)
  /// SQLite file. When the key is missing: "shopwatch-<client>.db" ("shopwatch.db" without a
  /// client), relative to the working directory (systemd's WorkingDirectory / StateDirectory).
  std::string database;
  std::string log_level = "info";     ///< trace | debug | info | warn | error
  std::size_t store_buffer = 100000;  ///< results buffered in memory while the database is unusable
};

/// `shops[]:` — one shop in one environment.
struct ShopConfig {
  std::string name;
  std::string env = "production";
  std::string
      base_url;  ///< http(s) URL, secrets expanded; may be empty when every check URL is absolute
  int per_host_concurrency = 4;
};

struct AgentConfig {
  std::string source;  ///< the file path or name the config was loaded from
  AgentSettings agent;
  RetentionSettings retention;
  std::vector<ShopConfig> shops;
  /// Every check of every shop, in file order, fully resolved (defaults applied, URL absolute).
  std::vector<std::shared_ptr<const core::HttpCheckSpec>> checks;
  /// Every expanded secret value (deduplicated): pass to core::redact() wherever text is shown.
  std::vector<std::string> secrets;
};

}  // namespace shopwatch::agent
