#pragma once
/// What `check-config -v` shows of `backlog:` and `notify:`: one line per configured sink (URL,
/// project per env, reopen window, …) and one per rule or SLO with its own `notify:`. Never shows a
/// token or secret (URLs are redacted with AgentConfig::secrets). Pure; thread-safe.

#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"

namespace shopwatch::agent {

/// "jira  cloud https://acme.atlassian.net  project SHOP (staging: SHOPSTAGE)  issue type Incident
/// …", "redmine  https://redmine.agency.example  project shop  tracker Bug …", "webhook  https://hooks.agency.example/shopwatch  signed", "alertmanager  http://…",
/// then "notify  home-slow: jira, webhook" per rule/SLO with `notify:` (`[]`: "none"). Empty when
/// no sink is configured and no rule names one.
std::vector<std::string> backlogSummary(const AgentConfig& config);

/// `reopen_window` as written back: "24h", "0s (always reopen)", "never (always a new issue)".
std::string formatReopenWindow(const JiraSettings& jira);
std::string formatReopenWindow(const RedmineSettings& redmine);

}  // namespace shopwatch::agent
