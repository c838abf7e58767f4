// The process-wide sections: the top level, `agent:` and `retention:` (the rules sections are
// rules_draft.h, `sla:` sla_keys.h, `insights:` insights_keys.h).
#include <algorithm>
#include <array>

#include "backlog_draft.h"
#include "insights_keys.h"
#include "load_state.h"
#include "shopwatch/core/listen_address.h"
#include "shopwatch/rules/maintenance.h"
#include "sla_keys.h"
#include "web_keys.h"

namespace shopwatch::agent::detail {
namespace {

constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};

void applyClient(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  if (auto v = ctx.name(e.value, e.path)) agent.client = *v;
}

// The grammar the server binds with (core/listen_address.h): what check-config accepts, run starts.
void applyListen(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  auto v = ctx.scalar(e.value, e.path, "HOST:PORT");
  if (!v) return;
  auto parsed = core::parseListenAddress(*v);
  if (!parsed) {
    ctx.report(e.value, e.path, "invalid listen address `" + *v + "`: " + parsed.error().message);
    return;
  }
  agent.listen = *v;
}

void applyDatabase(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  auto v = ctx.scalar(e.value, e.path, "a file path");
  if (!v) return;
  if (v->empty())
    ctx.report(e.value, e.path, "must not be empty");
  else
    agent.database = *v;
}

void applyLogLevel(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  auto v = ctx.scalar(e.value, e.path, "a log level");
  if (!v) return;
  if (std::find(kLogLevels.begin(), kLogLevels.end(), *v) == kLogLevels.end()) {
    ctx.report(e.value, e.path,
               "invalid log level `" + *v + "` (use " + quoteList(kLogLevels) + ")");
    return;
  }
  agent.log_level = *v;
}

void applyStoreBuffer(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  if (auto v = ctx.integer(e.value, e.path, 1, 100'000'000)) {
    agent.store_buffer = static_cast<std::size_t>(*v);
  }
}

// A bearer token in the YAML would be readable by everyone who can read the config (and end up in
// version control): it must come from the environment or a file, as other secrets do.
void applyApiToken(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  auto raw = ctx.scalar(e.value, e.path, "a ${env:NAME} or ${file:PATH} reference");
  if (!raw) return;
  if (!SecretExpander::isSingleReference(*raw)) {
    ctx.report(e.value, e.path,
               "api_token must come from ${env:NAME} or ${file:PATH}, never the YAML itself");
    return;
  }
  auto token = ctx.string(e.value, e.path, nullptr);
  if (!token) return;
  if (token->empty()) {
    ctx.report(e.value, e.path, "api_token is empty: `" + *raw + "` expands to nothing");
    return;
  }
  agent.api_token = *token;
}

// The contract time zone: reports' calendar months and days are its months and days.
void applyAgentTimezone(ParseContext& ctx, const MapEntry& e, AgentSettings& agent) {
  auto raw = ctx.scalar(e.value, e.path, "an IANA time zone (e.g. Europe/Vienna)");
  if (!raw) return;
  if (auto status = rules::validateTimezone(*raw); !status) {
    ctx.report(e.value, e.path, status.error().message);
    return;
  }
  agent.timezone = *raw;
}

constexpr std::array<KeyRow<AgentSettings>, 8> kAgentRows = {{
    {"client", applyClient, "required; the client this agent monitors, lowercase [a-z0-9._-]"},
    {"listen", applyListen,
     "IPv4:PORT, [IPv6]:PORT or localhost:PORT (default 127.0.0.1:9834); names are not resolved"},
    {"database", applyDatabase, "SQLite file (default ./shopwatch-<client>.db)"},
    {"log_level", applyLogLevel, "trace, debug, info, warn or error (default info)"},
    {"store_buffer", applyStoreBuffer,
     "results held in memory while the database cannot be written (default 100000)"},
    {"api_token", applyApiToken,
     "${env:NAME} or ${file:PATH}: bearer token of the API's write routes (unset: 403)"},
    {"canary", nullptr,
     "[URL, ...]: the host's own connectivity checks; when all fail, alerts are suppressed"},
    {"timezone", applyAgentTimezone,
     "IANA zone of the SLA reports' calendar months and days (default UTC)"},
}};

void applyRaw(ParseContext& ctx, const MapEntry& e, RetentionSettings& retention) {
  if (auto v = ctx.duration(e.value, e.path)) retention.raw = *v;
}

void applyRollups(ParseContext& ctx, const MapEntry& e, RetentionSettings& retention) {
  if (auto v = ctx.duration(e.value, e.path)) retention.rollups = *v;
}

constexpr std::array<KeyRow<RetentionSettings>, 2> kRetentionRows = {{
    {"raw", applyRaw, "how long raw results are kept (default 14d)"},
    {"rollups", applyRollups, "how long hourly rollups are kept (default 400d)"},
}};

void applyAgentSection(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  state.has_agent = true;
  auto entries = agentKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  agentKeyTable().apply(ctx, *entries, state.config.agent);
  for (const auto& e : *entries) {
    if (e.key == "canary") applyCanaries(ctx, e, state);
  }
  const bool has_client = std::any_of(entries->begin(), entries->end(),
                                      [](const MapEntry& e) { return e.key == "client"; });
  if (!has_client && state.options.require_client) {
    ctx.report(section.value.IsNull() ? section.key_node : section.value,
               ParseContext::child(section.path, "client"),
               "missing required key `client` (the client this agent monitors, e.g. `acme`)");
  }
}

void applyRetentionSection(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  auto entries = retentionKeyTable().entries(ctx, section.value, section.path, true);
  if (entries) retentionKeyTable().apply(ctx, *entries, state.config.retention);
}

constexpr std::array<KeyRow<LoadState>, 10> kTopRows = {{
    {"agent", applyAgentSection, "process-wide settings"},
    {"shops", applyShops, "the shops, each with its checks"},
    {"retention", applyRetentionSection, "how long results are kept"},
    {"rules", applyRules, "KPI rules: a target, an expression, a window and timers"},
    {"slos", applySlos, "service level objectives with error budgets and burn-rate alerts"},
    {"maintenance", applyMaintenance, "planned windows: alerts held, excluded from SLAs and SLOs"},
    {"backlog", applyBacklog, "where incidents are filed: jira, webhook, alertmanager"},
    {"web", applyWeb, "the endpoint's TLS and basic auth (exporter-toolkit's web config keys)"},
    {"sla", applySla, "contract terms the monthly SLA reports measure against"},
    {"insights", applyInsights,
     "performance insights: asset hosts, audits, weights, filing findings into the backlog"},
}};

}  // namespace

const KeyTable<LoadState>& topKeyTable() {
  static const KeyTable<LoadState> table("", kTopRows);
  return table;
}

const KeyTable<AgentSettings>& agentKeyTable() {
  static const KeyTable<AgentSettings> table("agent", kAgentRows);
  return table;
}

const KeyTable<RetentionSettings>& retentionKeyTable() {
  static const KeyTable<RetentionSettings> table("retention", kRetentionRows);
  return table;
}

std::string position(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return "?";
  return std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
}

}  // namespace shopwatch::agent::detail
