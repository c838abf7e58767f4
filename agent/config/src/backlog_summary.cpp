#include "shopwatch/agent/config/backlog_summary.h"

#include "shopwatch/core/redact.h"

namespace shopwatch::agent {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string jiraLine(const AgentConfig& config, const JiraSettings& jira) {
  std::string line = "jira  ";
  line += jira.flavor == JiraSettings::Flavor::Cloud ? "cloud " : "datacenter ";
  line += core::redact(jira.url, config.secrets);
  line += "  project " + jira.project;
  if (!jira.projects.empty()) {
    std::vector<std::string> per_env;
    for (const auto& [env, key] : jira.projects) per_env.push_back(env + ": " + key);
    line += " (" + joined(per_env) + ")";
  }
  line += "  issue type " + jira.issue_type;
  line += "  reopen window " + formatReopenWindow(jira);
  line += "  digest every " + core::formatDuration(jira.comment_interval);
  line += jira.auto_resolve ? "  resolves with \"" + jira.resolve_transition + "\""
                            : "  resolve: comment + label, a human closes";
  return line;
}

std::string windowText(const std::optional<core::Micros>& window) {
  if (!window) return "never (always a new issue)";
  if (window->count() == 0) return "0s (always reopen)";
  return core::formatDuration(*window);
}

std::string redmineLine(const AgentConfig& config, const RedmineSettings& redmine) {
  std::string line = "redmine  " + core::redact(redmine.url, config.secrets);
  line += "  project " + redmine.project;
  if (!redmine.projects.empty()) {
    std::vector<std::string> per_env;
    for (const auto& [env, id] : redmine.projects) per_env.push_back(env + ": " + id);
    line += " (" + joined(per_env) + ")";
  }
  line += "  tracker " + redmine.tracker;
  line += "  fingerprint field " + redmine.fingerprint_field;
  line += "  reopen window " + formatReopenWindow(redmine);
  line += "  digest every " + core::formatDuration(redmine.comment_interval);
  line += "  closes with \"" + redmine.closed_status + "\", reopens with \"" + redmine.reopen_status + "\"";
  return line;
}

}  // namespace

std::string formatReopenWindow(const JiraSettings& jira) { return windowText(jira.reopen_window); }

std::string formatReopenWindow(const RedmineSettings& redmine) { return windowText(redmine.reopen_window); }

std::vector<std::string> backlogSummary(const AgentConfig& config) {
  std::vector<std::string> out;
  const BacklogSettings& backlog = config.backlog;
  if (backlog.jira) out.push_back(jiraLine(config, *backlog.jira));
  if (backlog.redmine) out.push_back(redmineLine(config, *backlog.redmine));
  if (backlog.webhook) {
    out.push_back("webhook  " + core::redact(backlog.webhook->url, config.secrets) +
                  (backlog.webhook->secret.empty() ? "  unsigned" : "  signed"));
  }
  if (backlog.alertmanager)
    out.push_back("alertmanager  " + core::redact(backlog.alertmanager->url, config.secrets));
  for (const auto& [owner, sinks] : config.notify)
    out.push_back("notify  " + owner + ": " + (sinks.empty() ? "none" : joined(sinks)));
  if (!out.empty() && !backlog.sinkNames().empty())
    out.push_back("notify  every other rule and SLO: " + joined(backlog.sinkNames()));
  return out;
}

}  // namespace shopwatch::agent
