// `backlog.redmine` — the Redmine sink ([D2]): server, API key, project(s), what an issue is created
// with (tracker, priorities, the fingerprint custom field), the statuses of the lifecycle, and its
// timing knobs.
#include <array>

#include "backlog_draft.h"
#include "load_state.h"

namespace shopwatch::agent::detail {
namespace {

constexpr core::Micros kMaxTimeout = std::chrono::minutes{5};

// Redmine project identifiers: lowercase letters, digits, `-` and `_` (all digits: a project id).
bool projectIdentifier(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

std::optional<std::string> readProject(ParseContext& ctx, const YAML::Node& node, const std::string& path) {
  auto id = ctx.scalar(node, path, "a Redmine project identifier (e.g. `shop`)");
  if (!id) return std::nullopt;
  if (!projectIdentifier(*id)) {
    ctx.report(node, path,
               "`" + *id +
                   "` is not a Redmine project identifier: lowercase letters, digits, `-` and `_` "
                   "(the identifier in the project's URL, e.g. `shop`)");
    return std::nullopt;
  }
  return id;
}

void applyUrl(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto url = sinkUrl(ctx, e, SinkUrl::HttpsOrLoopback, "/issues")) d.settings.url = *url;
}

void applyApiKey(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = secretReference(ctx, e)) d.settings.api_key = *v;
}

void applyProject(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = readProject(ctx, e.value, e.path)) d.settings.project = *v;
}

void applyProjects(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  readProjects(ctx, e, "a map of shop env to project identifier (`{staging: shop-staging}`)",
               readProject, d.settings.projects, d.draft);
}

void applyTracker(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.tracker = *v;
}

void applyPriority(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  auto entries = redminePriorityKeyTable().entries(ctx, e.value, e.path);
  if (entries) redminePriorityKeyTable().apply(ctx, *entries, d);
}

void applyFingerprintField(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.fingerprint_field = *v;
}

void applyClosedStatus(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.closed_status = *v;
}

void applyReopenStatus(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.reopen_status = *v;
}

void applyReopenWindow(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto w = reopenWindow(ctx, e)) d.settings.reopen_window = *w;
}

void applyCommentInterval(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  if (auto v = commentInterval(ctx, e, "digest note")) d.settings.comment_interval = *v;
}

void applyTextFormat(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  auto v = ctx.scalar(e.value, e.path, "`textile`, `markdown` or `common_mark`");
  if (!v) return;
  if (*v == "textile" || *v == "markdown" || *v == "common_mark") {
    d.settings.text_format = *v;
    return;
  }
  ctx.report(e.value, e.path,
             "invalid text_format `" + *v +
                 "` (use what Administration → Settings → General → Text formatting says: "
                 "`textile`, `markdown` or `common_mark`)");
}

void applyTimeout(ParseContext& ctx, const MapEntry& e, RedmineEntry& d) {
  auto v = boundedDuration(ctx, e.value, e.path, std::chrono::seconds{1}, kMaxTimeout);
  if (v) d.settings.timeout = *v;
}

constexpr std::array<KeyRow<RedmineEntry>, 13> kRedmineRows = {{
    {"url", applyUrl,
     "required; the server, e.g. https://redmine.agency.example (http only to 127.0.0.1/localhost)"},
    {"api_key", applyApiKey,
     "required; ${env:NAME} or ${file:PATH}: the user's API key (sent as X-Redmine-API-Key)"},
    {"project", applyProject, "required; the project identifier issues are created in, e.g. shop"},
    {"projects", applyProjects, "{ENV: IDENTIFIER}: another project for the shops of an env"},
    {"tracker", applyTracker, "the tracker name (default Bug; all digits: its id)"},
    {"priority", applyPriority,
     "{SEVERITY: NAME}: priority per severity (default critical Urgent, warning High, info Normal)"},
    {"fingerprint_field", applyFingerprintField,
     "the issue custom field (text, used as a filter) holding the fingerprint (default fingerprint)"},
    {"closed_status", applyClosedStatus, "status set on recovery (default Closed; a closed status)"},
    {"reopen_status", applyReopenStatus, "status set when it fires again within reopen_window (default New)"},
    {"reopen_window", applyReopenWindow,
     "re-fire within this reopens, later files a new related issue (default 24h; 0s, never)"},
    {"comment_interval", applyCommentInterval,
     "digest note at most this often while firing (default 4h, at least 5m)"},
    {"text_format", applyTextFormat,
     "the server's text formatting: textile (default), markdown or common_mark"},
    {"timeout", applyTimeout, "per request (default 15s)"},
}};

constexpr std::array<KeyRow<RedmineEntry>, 3> kPriorityRows = {{
    {"critical", applySeverityPriority<RedmineEntry, rules::Severity::Critical>,
     "priority name for critical alerts (default Urgent)"},
    {"warning", applySeverityPriority<RedmineEntry, rules::Severity::Warning>,
     "priority name for warning alerts (default High)"},
    {"info", applySeverityPriority<RedmineEntry, rules::Severity::Info>, "priority name for info alerts (default Normal)"},
}};

}  // namespace

const KeyTable<RedmineEntry>& redmineKeyTable() {
  static const KeyTable<RedmineEntry> table("backlog.redmine", kRedmineRows);
  return table;
}

const KeyTable<RedmineEntry>& redminePriorityKeyTable() {
  static const KeyTable<RedmineEntry> table("backlog.redmine.priority", kPriorityRows);
  return table;
}

void applyRedmine(ParseContext& ctx, const MapEntry& entry, BacklogSettings& backlog, BacklogDraft& draft) {
  const std::size_t errors_before = ctx.errorCount();
  auto entries = redmineKeyTable().entries(ctx, entry.value, entry.path);
  if (!entries) return;
  RedmineEntry d;
  d.draft = &draft;
  redmineKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, entry.value, entry.path, *entries,
              {{"url", "e.g. `https://redmine.agency.example`"},
               {"api_key", "e.g. `${env:REDMINE_API_KEY}`"},
               {"project", "e.g. `shop`"}});
  if (d.settings.closed_status == d.settings.reopen_status) {
    for (const auto& e : *entries) {
      if (e.key == "reopen_status" || e.key == "closed_status") {
        ctx.report(e.value, e.path, "closed_status and reopen_status must differ");
        break;
      }
    }
  }
  if (ctx.errorCount() == errors_before) backlog.redmine = std::move(d.settings);
}

}  // namespace shopwatch::agent::detail
