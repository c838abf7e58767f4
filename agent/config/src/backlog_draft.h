#pragma once
// The top-level `backlog:` section ([D]: Jira, webhook, Alertmanager; [D2]: Redmine) and `notify:` of rules and
// SLOs. `backlog:` may come after `rules:`, and `projects:` names shop envs, so what needs the whole
// file (each notify name is a configured sink, each projects env has a shop) is checked by
// finalizeBacklog() at the places recorded here.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "key_table.h"
#include "parse_context.h"
#include "rules_draft.h"
#include "shopwatch/agent/config/backlog_settings.h"

namespace shopwatch::agent::detail {

struct LoadState;

/// A `notify:` list as written: the sink names with the place of each.
struct NotifyList {
  std::vector<std::string> sinks;
  std::vector<Place> items;
};

/// An accepted rule's or SLO's `notify:` (AgentConfig::notify[owner] once checked).
struct NotifyRef {
  std::string owner;  ///< the rule or SLO name
  NotifyList list;
};

struct BacklogDraft {
  std::vector<NotifyRef> notify;
  /// `backlog.jira.projects` and `backlog.redmine.projects` keys: env name and where it is written.
  std::vector<std::pair<std::string, Place>> project_envs;
  /// The sinks written under `backlog:`, loaded or not: a notify naming one that has its own
  /// errors is not reported a second time.
  std::vector<std::string> declared;
};

// ---- sections (backlog_keys.cpp, jira_keys.cpp, redmine_keys.cpp)
/// `backlog:` — the sinks into state.config.backlog.
void applyBacklog(ParseContext& ctx, const MapEntry& section, LoadState& state);
const KeyTable<BacklogSettings>& backlogKeyTable();
const KeyTable<WebhookSettings>& webhookKeyTable();
const KeyTable<AlertmanagerSettings>& alertmanagerKeyTable();
/// `backlog.jira` and its `priority:` map. The applier records `projects:` envs in `draft`.
struct JiraEntry {
  JiraSettings settings;
  BacklogDraft* draft = nullptr;
};
const KeyTable<JiraEntry>& jiraKeyTable();
const KeyTable<JiraEntry>& jiraPriorityKeyTable();
/// `backlog.jira` as a whole: its keys, the required ones, the cloud/datacenter rules.
void applyJira(ParseContext& ctx, const MapEntry& entry, BacklogSettings& backlog,
               BacklogDraft& draft);

/// `backlog.redmine` and its `priority:` map. The applier records `projects:` envs in `draft`.
struct RedmineEntry {
  RedmineSettings settings;
  BacklogDraft* draft = nullptr;
};
const KeyTable<RedmineEntry>& redmineKeyTable();
const KeyTable<RedmineEntry>& redminePriorityKeyTable();
/// `backlog.redmine` as a whole: its keys and the required ones.
void applyRedmine(ParseContext& ctx, const MapEntry& entry, BacklogSettings& backlog,
                  BacklogDraft& draft);

/// A `reopen_window`: a duration (`24h`; `0s`: always reopen) or `never` (always a new issue: the
/// inner optional empty). Nothing after reporting a wrong value.
std::optional<std::optional<core::Micros>> reopenWindow(ParseContext& ctx, const MapEntry& e);

/// What kind of URL a sink accepts.
enum class SinkUrl {
  HttpsOrLoopback,  ///< https, or http to 127.0.0.1 / localhost / [::1] only (credentials travel)
  Http,             ///< http or https
};
/// A sink URL: scheme, a host, no query or fragment; the trailing `/` dropped. `forbidden_path` (e.g.
/// "/rest/api") may not appear in it: the sink appends the API paths itself.
std::optional<std::string> sinkUrl(ParseContext& ctx, const MapEntry& e, SinkUrl kind,
                                   std::string_view forbidden_path);
/// A secret that must be one `${env:NAME}` or `${file:PATH}` reference (never the YAML itself) and
/// must not expand to nothing.
std::optional<std::string> secretReference(ParseContext& ctx, const MapEntry& e);
/// A string that must not be empty (issue type, tracker, priority and status names, ...).
std::optional<std::string> nonEmpty(ParseContext& ctx, const MapEntry& e);
/// Reads one project key / identifier; reports (and gives nothing) when it is not one.
using ProjectReader = std::optional<std::string> (*)(ParseContext& ctx, const YAML::Node& node,
                                                     const std::string& path);
/// A `projects:` map (shop env → project, each read by `read`) into `projects`; each env is recorded
/// in draft->project_envs for finalizeBacklog(). `expected` describes the map for a wrong value.
void readProjects(ParseContext& ctx, const MapEntry& e, std::string_view expected, ProjectReader read,
                  std::map<std::string, std::string>& projects, BacklogDraft* draft);
/// A `comment_interval`: a duration of at least 5m; `digest` names what it paces ("digest comment").
std::optional<core::Micros> commentInterval(ParseContext& ctx, const MapEntry& e,
                                            std::string_view digest);
/// `priority.<severity>`: a non-empty priority name into `d.settings.priority` (Jira and Redmine).
template <class Entry, rules::Severity kSeverity>
void applySeverityPriority(ParseContext& ctx, const MapEntry& e, Entry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.priority[kSeverity] = *v;
}

// ---- `notify:` (notify_keys.cpp)
/// A list of sink names (`[]` allowed); each is `jira`, `redmine`, `webhook` or `alertmanager`, once.
std::optional<NotifyList> readNotify(ParseContext& ctx, const MapEntry& e);
/// Every notify name is a configured sink (into AgentConfig::notify); every projects env has a shop.
void finalizeBacklog(LoadState& state);

}  // namespace shopwatch::agent::detail
