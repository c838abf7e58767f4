// `backlog:` — where incidents are filed: `jira:` (jira_keys.cpp), `redmine:` (redmine_keys.cpp),
// `webhook:` and `alertmanager:`, and the readers the sinks share (URL, secret, names, `projects:`,
// comment_interval, reopen_window).
#include <algorithm>
#include <array>
#include <cctype>

#include "backlog_draft.h"
#include "load_state.h"
#include "secret_expander.h"

namespace shopwatch::agent::detail {
namespace {

constexpr core::Micros kMinCommentInterval = std::chrono::minutes{5};

bool loopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void applyWebhookUrl(ParseContext& ctx, const MapEntry& e, WebhookSettings& webhook) {
  if (auto url = sinkUrl(ctx, e, SinkUrl::Http, "")) webhook.url = *url;
}

void applyWebhookSecret(ParseContext& ctx, const MapEntry& e, WebhookSettings& webhook) {
  if (auto secret = secretReference(ctx, e)) webhook.secret = *secret;
}

void applyAlertmanagerUrl(ParseContext& ctx, const MapEntry& e, AlertmanagerSettings& am) {
  if (auto url = sinkUrl(ctx, e, SinkUrl::Http, "/api/")) am.url = *url;
}

constexpr std::array<KeyRow<WebhookSettings>, 2> kWebhookRows = {{
    {"url", applyWebhookUrl, "required; http(s) URL the incident events are POSTed to"},
    {"secret", applyWebhookSecret,
     "${env:NAME} or ${file:PATH}: HMAC-SHA256 key of X-Shopwatch-Signature (unset: unsigned)"},
}};

constexpr std::array<KeyRow<AlertmanagerSettings>, 1> kAlertmanagerRows = {{
    {"url", applyAlertmanagerUrl,
     "required; Alertmanager's base URL, e.g. http://127.0.0.1:9093 (alerts go to /api/v2/alerts)"},
}};

void applyWebhook(ParseContext& ctx, const MapEntry& e, BacklogSettings& backlog) {
  auto entries = webhookKeyTable().entries(ctx, e.value, e.path);
  if (!entries) return;
  WebhookSettings webhook;
  webhookKeyTable().apply(ctx, *entries, webhook);
  requireKeys(ctx, e.value, e.path, *entries, {{"url", "e.g. `https://hooks.agency.example/x`"}});
  if (!webhook.url.empty()) backlog.webhook = std::move(webhook);
}

void applyAlertmanager(ParseContext& ctx, const MapEntry& e, BacklogSettings& backlog) {
  auto entries = alertmanagerKeyTable().entries(ctx, e.value, e.path);
  if (!entries) return;
  AlertmanagerSettings am;
  alertmanagerKeyTable().apply(ctx, *entries, am);
  requireKeys(ctx, e.value, e.path, *entries, {{"url", "e.g. `http://127.0.0.1:9093`"}});
  if (!am.url.empty()) backlog.alertmanager = std::move(am);
}

// `jira` and `redmine` need the draft (projects envs), so the section applies them itself
// (apply == nullptr).
constexpr std::array<KeyRow<BacklogSettings>, 4> kBacklogRows = {{
    {"jira", nullptr, "Jira Cloud or Data Center: issues created, commented, resolved, reopened"},
    {"redmine", nullptr, "Redmine (REST API): issues created, noted, closed, reopened"},
    {"webhook", applyWebhook, "a signed JSON POST per incident event (docs/webhook.md)"},
    {"alertmanager", applyAlertmanager, "firing and resolved alerts POSTed to Alertmanager"},
}};

}  // namespace

std::optional<std::string> sinkUrl(ParseContext& ctx, const MapEntry& e, SinkUrl kind,
                                   std::string_view forbidden_path) {
  auto value = ctx.string(e.value, e.path, nullptr);
  if (!value) return std::nullopt;
  std::string url = *value;
  const std::string low = lower(url);
  const bool https = low.starts_with("https://");
  if (!https && !low.starts_with("http://")) {
    ctx.report(e.value, e.path, "expected an http:// or https:// URL, got `" + url + "`");
    return std::nullopt;
  }
  const std::size_t host_start = https ? 8 : 7;
  const std::size_t host_end = std::min(url.find('/', host_start), url.size());
  const std::string authority = low.substr(host_start, host_end - host_start);
  if (url.find_first_of("?#") != std::string::npos) {
    ctx.report(e.value, e.path, "the URL must not have a query or fragment: `" + url + "`");
    return std::nullopt;
  }
  if (authority.find('@') != std::string::npos) {
    ctx.report(e.value, e.path,
               "the URL must not hold credentials (`user@`): use the sink's token or secret key");
    return std::nullopt;
  }
  std::string host = authority;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') == std::string::npos ? host.size() : host.find(']') + 1);
  } else if (auto colon = host.find(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty() || host == "[") {
    ctx.report(e.value, e.path, "the URL has no host: `" + url + "`");
    return std::nullopt;
  }
  if (kind == SinkUrl::HttpsOrLoopback && !https && !loopbackHost(host)) {
    ctx.report(e.value, e.path,
               "use https:// — the token would travel in clear text over http:// (plain http is "
               "allowed only to 127.0.0.1 or localhost)");
    return std::nullopt;
  }
  if (!forbidden_path.empty() && low.find(forbidden_path, host_end) != std::string::npos) {
    ctx.report(e.value, e.path,
               "write the base URL only, without `" + std::string(forbidden_path) +
                   "…`: shopwatch adds the API paths itself");
    return std::nullopt;
  }
  while (url.size() > host_end && url.back() == '/') url.pop_back();
  return url;
}

// A token in the YAML would be readable by everyone who can read the config (and end up in version
// control): like agent.api_token it must come from the environment or a file.
std::optional<std::string> secretReference(ParseContext& ctx, const MapEntry& e) {
  auto raw = ctx.scalar(e.value, e.path, "a ${env:NAME} or ${file:PATH} reference");
  if (!raw) return std::nullopt;
  if (!SecretExpander::isSingleReference(*raw)) {
    ctx.report(e.value, e.path,
               e.key + " must come from ${env:NAME} or ${file:PATH}, never the YAML itself");
    return std::nullopt;
  }
  auto secret = ctx.string(e.value, e.path, nullptr);
  if (!secret) return std::nullopt;
  if (secret->empty()) {
    ctx.report(e.value, e.path, e.key + " is empty: `" + *raw + "` expands to nothing");
    return std::nullopt;
  }
  return secret;
}

std::optional<std::string> nonEmpty(ParseContext& ctx, const MapEntry& e) {
  auto v = ctx.string(e.value, e.path, nullptr);
  if (!v) return std::nullopt;
  if (v->empty()) {
    ctx.report(e.value, e.path, "must not be empty");
    return std::nullopt;
  }
  return v;
}

void readProjects(ParseContext& ctx, const MapEntry& e, std::string_view expected, ProjectReader read,
                  std::map<std::string, std::string>& projects, BacklogDraft* draft) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected " + std::string(expected));
    return;
  }
  for (const auto& pair : e.value) {
    auto env = ctx.name(pair.first, e.path);
    if (!env) continue;
    const std::string path = ParseContext::child(e.path, *env);
    if (projects.count(*env)) {
      ctx.report(pair.first, path, "duplicate key `" + *env + "`");
      continue;
    }
    auto project = read(ctx, pair.second, path);
    if (!project) continue;
    projects.emplace(*env, *project);
    if (draft) draft->project_envs.emplace_back(*env, Place{pair.first, path});
  }
}

std::optional<core::Micros> commentInterval(ParseContext& ctx, const MapEntry& e,
                                            std::string_view digest) {
  auto v = ctx.duration(e.value, e.path);
  if (!v) return std::nullopt;
  if (*v < kMinCommentInterval) {
    ctx.report(e.value, e.path,
               "comment_interval must be at least 5m (a " + std::string(digest) +
                   " more often is noise), got " + core::formatDuration(*v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::optional<core::Micros>> reopenWindow(ParseContext& ctx, const MapEntry& e) {
  if (e.value.IsScalar() && e.value.Scalar() == "never") return std::optional<core::Micros>{};
  if (e.value.IsScalar()) {
    if (auto parsed = core::parseDuration(e.value.Scalar())) return std::optional<core::Micros>{*parsed};
  }
  ctx.report(e.value, e.path,
             "expected a duration (`24h`; `0s`: always reopen) or `never` (always a new issue)" +
                 (e.value.IsScalar() ? ", got `" + e.value.Scalar() + "`" : std::string()));
  return std::nullopt;
}

const KeyTable<BacklogSettings>& backlogKeyTable() {
  static const KeyTable<BacklogSettings> table("backlog", kBacklogRows);
  return table;
}

const KeyTable<WebhookSettings>& webhookKeyTable() {
  static const KeyTable<WebhookSettings> table("backlog.webhook", kWebhookRows);
  return table;
}

const KeyTable<AlertmanagerSettings>& alertmanagerKeyTable() {
  static const KeyTable<AlertmanagerSettings> table("backlog.alertmanager", kAlertmanagerRows);
  return table;
}

void applyBacklog(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  auto entries = backlogKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  backlogKeyTable().apply(ctx, *entries, state.config.backlog);
  for (const auto& e : *entries) {
    state.backlog.declared.push_back(e.key);
    if (e.key == "jira") applyJira(ctx, e, state.config.backlog, state.backlog);
    if (e.key == "redmine") applyRedmine(ctx, e, state.config.backlog, state.backlog);
  }
}

}  // namespace shopwatch::agent::detail
