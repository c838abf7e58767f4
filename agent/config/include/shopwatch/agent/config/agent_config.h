#pragma once
/// The validated agent configuration (DESIGN.md): what `shopwatch run` and `check-config` work
/// from. Plain data, immutable once loaded; the checks are shared with the scheduler and the
/// engine.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/agent/config/insights_settings.h"
#include "shopwatch/agent/config/sla_settings.h"
#include "shopwatch/agent/config/web_settings.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/rule_spec.h"

namespace shopwatch::agent {

/// The shop and env of the agent's own canary checks (`agent.canary`); no user shop may use the name.
inline constexpr std::string_view kCanaryShop = "shopwatch";
inline constexpr std::string_view kCanaryEnv = "agent";

/// `retention:` — how long raw results and hourly rollups are kept.
struct RetentionSettings {
  core::Micros raw = std::chrono::hours{24 * 14};
  core::Micros rollups = std::chrono::hours{24 * 400};
};

/// `agent:` — process-wide settings.
struct AgentSettings {
  std::string client;  ///< identity; empty only when LoadOptions::require_client is false
  /// As written; always accepted by core::parseListenAddress (the server binds through it too).
  std::string listen = "127.0.0.1:9834";
  /// SQLite file. When the key is missing: "shopwatch-<client>.db" ("shopwatch.db" without a
  /// client), relative to the working directory (systemd's WorkingDirectory / StateDirectory).
  std::string database;
  std::string log_level = "info";     ///< trace | debug | info | warn | error
  std::size_t store_buffer = 100000;  ///< results buffered in memory while the database is unusable
  /// `api_token: ${env:...}` (expanded secret): the bearer token of the API's write routes
  /// (`/api/v1/maintenance`). Empty: those routes answer 403.
  std::string api_token;
  /// `canary: [URL, ...]`: the monitoring host's own connectivity checks (see AgentConfig::canaries).
  std::vector<std::string> canary;
  /// `timezone:` the contract time zone (IANA name, validated): report months and days are its
  /// calendar months and days ([E]).
  std::string timezone = "UTC";
};

/// `shops[]:` — one shop in one environment.
struct ShopConfig {
  std::string name;
  std::string env = "production";
  /// http(s) URL, secrets expanded; may be empty when every check URL is absolute.
  std::string base_url;
  int per_host_concurrency = 4;
};

/// Where a check's effective value came from (`check-config -v`).
enum class ValueSource {
  Default,       ///< the built-in default: nobody wrote the key
  FromDefaults,  ///< the shop's `defaults:`
  Set,           ///< the check itself
  Derived,       ///< computed from another value (an unset `timeout` from the interval)
};

/// The sources of one check's values, keyed by dotted key path (`timeout`, `expect.status`).
/// A key that is not listed has its built-in default.
struct CheckSources {
  std::map<std::string, ValueSource, std::less<>> keys;

  ValueSource of(std::string_view key) const {
    auto it = keys.find(key);
    return it == keys.end() ? ValueSource::Default : it->second;
  }
};

struct AgentConfig {
  std::string source;  ///< the file path or name the config was loaded from
  AgentSettings agent;
  RetentionSettings retention;
  WebSettings web;  ///< `web:` (TLS, basic auth of the endpoint)
  std::vector<ShopConfig> shops;
  /// Every check of every shop, in file order, fully resolved (defaults applied, derived values
  /// filled in, URL absolute). Plain HTTP checks have `request.timeout == schedule.timeout`.
  std::vector<std::shared_ptr<const core::Check>> checks;
  /// Where each check's values came from, by check key (a side table for `check-config -v`; the
  /// runtime does not need it).
  std::map<core::CheckKey, CheckSources> sources;
  /// `agent.canary` as checks: shop `shopwatch`, env `agent`, names `canary-1`, `canary-2`, … (GET,
  /// 2xx expected, interval 30s, timeout 10s, confirm on). Scheduled and stored like checks, judged by the
  /// rule engine as a group; not part of `checks`.
  std::vector<std::shared_ptr<const core::Check>> canaries;
  /// `rules:`, `slos:`, `maintenance:` (top level), validated: targets match existing checks or steps,
  /// calendars parse, time zones exist.
  std::vector<rules::RuleSpec> rules;
  std::vector<rules::SloSpec> slos;
  std::vector<rules::MaintenanceSpec> maintenance;
  /// `depends_on:` of checks: child check key → parent check key (same env when the parent's shop has
  /// it, else the only env that has it). Acyclic.
  std::map<core::CheckKey, core::CheckKey> depends_on;
  /// `backlog:` ([D]).
  BacklogSettings backlog;
  /// `notify:` of rules and SLOs, by rule/SLO name: the sinks its incidents go to. A name that is not
  /// listed notifies every configured sink; `notify: []` files nothing.
  std::map<std::string, std::vector<std::string>> notify;
  /// `sla:` ([E]), in file order; a shop appears in at most one entry.
  std::vector<SlaTerms> sla;
  /// `insights:` ([F])
  InsightsSettings insights;
  /// Every expanded secret value (deduplicated): pass to core::redact() wherever text is shown.
  std::vector<std::string> secrets;
};

}  // namespace shopwatch::agent
