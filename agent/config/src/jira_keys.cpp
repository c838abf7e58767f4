// `backlog.jira` — the Jira sink: site, flavor, credentials, project(s), what an issue is created
// with, and the lifecycle knobs (research/ticketing-slo.md §2–§5).
#include <array>
#include <set>

#include <nlohmann/json.hpp>

#include "backlog_draft.h"
#include "json_value.h"
#include "load_state.h"

namespace shopwatch::agent::detail {
namespace {

constexpr std::size_t kMaxLabel = 255;  // Jira's limit per label

// Fields shopwatch fills itself: a second value in `fields:` would silently lose or win.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kOwnFields = {{
    {"project", "project"},
    {"issuetype", "issue_type"},
    {"summary", ""},
    {"description", ""},
    {"labels", "labels"},
    {"priority", "priority"},
}};

// Jira project keys: an uppercase letter, then uppercase letters, digits or `_` (Jira's default
// key pattern; admins may narrow it, never widen it to lowercase).
bool projectKey(std::string_view key) {
  if (key.empty() || key.front() < 'A' || key.front() > 'Z') return false;
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::optional<std::string> readProjectKey(ParseContext& ctx, const YAML::Node& node,
                                          const std::string& path) {
  auto key = ctx.scalar(node, path, "a Jira project key (e.g. `SHOP`)");
  if (!key) return std::nullopt;
  if (!projectKey(*key)) {
    ctx.report(node, path,
               "`" + *key +
                   "` is not a Jira project key: uppercase letters, digits and `_`, starting with "
                   "a letter (e.g. `SHOP`)");
    return std::nullopt;
  }
  return key;
}

void applyUrl(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto url = sinkUrl(ctx, e, SinkUrl::HttpsOrLoopback, "/rest/")) d.settings.url = *url;
}

void applyFlavor(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  auto v = ctx.scalar(e.value, e.path, "`cloud` or `datacenter`");
  if (!v) return;
  if (*v == "cloud") {
    d.settings.flavor = JiraSettings::Flavor::Cloud;
  } else if (*v == "datacenter") {
    d.settings.flavor = JiraSettings::Flavor::DataCenter;
  } else {
    ctx.report(e.value, e.path,
               "invalid flavor `" + *v +
                   "` (use `cloud` for *.atlassian.net or `datacenter` for a self-hosted Jira)");
  }
}

void applyEmail(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  auto v = nonEmpty(ctx, e);
  if (!v) return;
  if (v->find('@') == std::string::npos) {
    ctx.report(e.value, e.path, "expected the Atlassian account's email address, got `" + *v + "`");
    return;
  }
  d.settings.email = *v;
}

void applyToken(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = secretReference(ctx, e)) d.settings.token = *v;
}

void applyProject(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = readProjectKey(ctx, e.value, e.path)) d.settings.project = *v;
}

void applyProjects(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  readProjects(ctx, e, "a map of shop env to project key (`{staging: SHOPSTAGE}`)", readProjectKey,
               d.settings.projects, d.draft);
}

void applyIssueType(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.issue_type = *v;
}

void applyLabels(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (!e.value.IsSequence()) {
    ctx.report(e.value, e.path, "expected a list of labels (`[shopwatch]`)");
    return;
  }
  std::vector<std::string> labels;
  bool ok = true;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node& item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto label = ctx.scalar(item, path, "a label");
    if (!label) {
      ok = false;
      continue;
    }
    std::string problem;
    if (label->empty()) {
      problem = "a label must not be empty";
    } else if (label->size() > kMaxLabel) {
      problem = "label is " + std::to_string(label->size()) + " characters; Jira allows 255";
    } else if (label->find_first_of(" \t\r\n") != std::string::npos) {
      problem = "label `" + *label + "` has a space: Jira labels are single words";
    } else if (std::any_of(label->begin(), label->end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      problem = "label `" + *label + "` must be lowercase";
    } else if (label->starts_with("shopwatch-")) {
      problem = "labels starting with `shopwatch-` are shopwatch's own (fingerprints, "
                "shopwatch-recovered): choose another";
    } else if (std::find(labels.begin(), labels.end(), *label) != labels.end()) {
      problem = "label `" + *label + "` is listed twice";
    }
    if (!problem.empty()) {
      ctx.report(item, path, problem);
      ok = false;
      continue;
    }
    labels.push_back(*label);
  }
  if (ok) d.settings.labels = std::move(labels);
}

void applyFields(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path,
               "expected a map of Jira field to value (`{components: [{name: Webshop}]}`)");
    return;
  }
  for (const auto& pair : e.value) {
    if (!pair.first.IsScalar()) continue;  // yamlToJson reports it
    for (const auto& [field, key] : kOwnFields) {
      if (pair.first.Scalar() != field) continue;
      ctx.report(pair.first, ParseContext::child(e.path, field),
                 "field `" + std::string(field) + "` is set by shopwatch" +
                     (key.empty() ? std::string() : "; use `backlog.jira." + std::string(key) + "`"));
      return;
    }
  }
  std::vector<std::string> secrets;
  auto json = yamlToJson<nlohmann::ordered_json>(ctx, e.value, e.path, &secrets);
  if (!json) return;
  if (auto text = jsonText(ctx, e.value, e.path, *json)) d.settings.fields_json = *text;
}

void applyPriority(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  auto entries = jiraPriorityKeyTable().entries(ctx, e.value, e.path);
  if (entries) jiraPriorityKeyTable().apply(ctx, *entries, d);
}

void applyAutoResolve(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = ctx.boolean(e.value, e.path)) d.settings.auto_resolve = *v;
}

void applyResolveTransition(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.resolve_transition = *v;
}

void applyReopenTransition(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.reopen_transition = *v;
}

void applyReopenWindow(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto w = reopenWindow(ctx, e)) d.settings.reopen_window = *w;
}

void applyWontFix(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = ctx.string(e.value, e.path, nullptr)) d.settings.wont_fix_resolution = *v;
}

void applyCommentInterval(ParseContext& ctx, const MapEntry& e, JiraEntry& d) {
  if (auto v = commentInterval(ctx, e, "digest comment")) d.settings.comment_interval = *v;
}

constexpr std::array<KeyRow<JiraEntry>, 16> kJiraRows = {{
    {"url", applyUrl,
     "required; the site, e.g. https://acme.atlassian.net (http only to 127.0.0.1/localhost)"},
    {"flavor", applyFlavor,
     "required; cloud (REST v3, email + API token) or datacenter (REST v2, Bearer access token)"},
    {"email", applyEmail, "cloud: the account's email, with the API token (required for cloud)"},
    {"token", applyToken, "required; ${env:NAME} or ${file:PATH}: API token (cloud) or PAT"},
    {"project", applyProject, "required; the project key issues are created in, e.g. SHOP"},
    {"projects", applyProjects, "{ENV: KEY}: another project for the shops of an env"},
    {"issue_type", applyIssueType, "the issue type name (default Incident)"},
    {"labels", applyLabels,
     "[label, ...]: added to every issue (default [shopwatch]; lowercase, no spaces)"},
    {"fields", applyFields, "{FIELD: VALUE}: extra create fields as Jira's JSON (components, ...)"},
    {"priority", applyPriority,
     "{SEVERITY: NAME}: priority per severity (default critical High, warning Medium, info Low)"},
    {"auto_resolve", applyAutoResolve,
     "apply resolve_transition on recovery (default true; false: comment + label, a human closes)"},
    {"resolve_transition", applyResolveTransition,
     "transition name on recovery (default Done; else the single one into done)"},
    {"reopen_transition", applyReopenTransition,
     "transition name on re-fire (default Reopen; else the single one out of done)"},
    {"reopen_window", applyReopenWindow,
     "re-fire within this reopens, later files a new linked issue (default 24h; 0s, never)"},
    {"wont_fix_resolution", applyWontFix,
     "resolution a human sets to stop reopening (default \"Won't Do\")"},
    {"comment_interval", applyCommentInterval,
     "digest comment at most this often while firing (default 4h, at least 5m)"},
}};

constexpr std::array<KeyRow<JiraEntry>, 3> kPriorityRows = {{
    {"critical", applySeverityPriority<JiraEntry, rules::Severity::Critical>,
     "priority name for critical alerts (default High)"},
    {"warning", applySeverityPriority<JiraEntry, rules::Severity::Warning>,
     "priority name for warning alerts (default Medium)"},
    {"info", applySeverityPriority<JiraEntry, rules::Severity::Info>,
     "priority name for info alerts (default Low)"},
}};

}  // namespace

const KeyTable<JiraEntry>& jiraKeyTable() {
  static const KeyTable<JiraEntry> table("backlog.jira", kJiraRows);
  return table;
}

const KeyTable<JiraEntry>& jiraPriorityKeyTable() {
  static const KeyTable<JiraEntry> table("backlog.jira.priority", kPriorityRows);
  return table;
}

void applyJira(ParseContext& ctx, const MapEntry& entry, BacklogSettings& backlog,
               BacklogDraft& draft) {
  const std::size_t errors_before = ctx.errorCount();
  auto entries = jiraKeyTable().entries(ctx, entry.value, entry.path);
  if (!entries) return;
  JiraEntry d;
  d.draft = &draft;
  jiraKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, entry.value, entry.path, *entries,
              {{"url", "e.g. `https://acme.atlassian.net`"},
               {"flavor", "`cloud` or `datacenter`"},
               {"token", "e.g. `${env:JIRA_TOKEN}`"},
               {"project", "e.g. `SHOP`"}});
  const auto has = [&](std::string_view key) {
    return std::any_of(entries->begin(), entries->end(),
                       [&](const MapEntry& e) { return e.key == key; });
  };
  if (d.settings.flavor == JiraSettings::Flavor::Cloud && has("flavor") && !has("email")) {
    ctx.report(entry.value, ParseContext::child(entry.path, "email"),
               "missing required key `email`: Jira Cloud authenticates with the account's email "
               "and an API token");
  }
  if (d.settings.flavor == JiraSettings::Flavor::DataCenter && has("email")) {
    for (const auto& e : *entries) {
      if (e.key == "email")
        ctx.warn(e.key_node, e.path,
                 "email is not used with flavor datacenter (the token is sent as a Bearer "
                 "personal access token)");
    }
  }
  if (ctx.errorCount() == errors_before) backlog.jira = std::move(d.settings);
}

}  // namespace shopwatch::agent::detail
