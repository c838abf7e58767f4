#pragma once
/// `backlog:` — where incidents are filed ([D], [D2]): Jira (Cloud or Data Center), Redmine, a webhook,
/// Alertmanager.
/// Plain data; secrets expanded (and listed in AgentConfig::secrets).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/duration.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent {

struct JiraSettings {
  enum class Flavor { Cloud, DataCenter };
  std::string url;                      ///< https://acme.atlassian.net (no trailing slash)
  Flavor flavor = Flavor::Cloud;        ///< cloud: REST v3, ADF, /search/jql, email + API token
                                        ///< datacenter: REST v2, wiki text, /search, Bearer PAT
  std::string email;                    ///< cloud only
  std::string token;                    ///< secret
  std::string project;                  ///< default project key
  std::map<std::string, std::string> projects;  ///< per shop env: env → project key
  std::string issue_type = "Incident";
  std::vector<std::string> labels{"shopwatch"};
  /// Extra create fields as a JSON object text (`fields:` as written, converted to JSON).
  std::string fields_json = "{}";
  std::map<rules::Severity, std::string> priority{{rules::Severity::Critical, "High"},
                                                  {rules::Severity::Warning, "Medium"},
                                                  {rules::Severity::Info, "Low"}};
  bool auto_resolve = true;             ///< false: comment + label shopwatch-recovered, a human closes
  std::string resolve_transition = "Done";   ///< else the single transition into the done category
  std::string reopen_transition = "Reopen";  ///< else the single transition out of done
  /// Fires again within this after resolving → reopen; later → a new issue linked to the previous.
  /// 0: always reopen; empty ("never"): always a new issue.
  std::optional<core::Micros> reopen_window = std::chrono::hours{24};
  std::string wont_fix_resolution = "Won't Do";
  core::Micros comment_interval = std::chrono::hours{4};  ///< digest comments while firing
  core::Micros timeout = std::chrono::seconds{15};         ///< per request

  /// The project for a shop env.
  const std::string& projectFor(const std::string& env) const {
    auto it = projects.find(env);
    return it == projects.end() ? project : it->second;
  }
};

/// `backlog.redmine` ([D2]): Redmine's REST API (JSON), key sent as X-Redmine-API-Key. The
/// fingerprint lives in an issue custom field (text, "used as a filter") the admin creates.
struct RedmineSettings {
  std::string url;                      ///< https://redmine.agency.example (no trailing slash)
  std::string api_key;                  ///< secret
  std::string project;                  ///< project identifier ("shop")
  std::map<std::string, std::string> projects;  ///< per shop env: env → project identifier
  std::string tracker = "Bug";
  std::map<rules::Severity, std::string> priority{{rules::Severity::Critical, "Urgent"},
                                                  {rules::Severity::Warning, "High"},
                                                  {rules::Severity::Info, "Normal"}};
  /// The custom field's name as the admin created it; all digits: its id.
  std::string fingerprint_field = "fingerprint";
  std::string closed_status = "Closed";
  std::string reopen_status = "New";
  /// As JiraSettings::reopen_window: 0 always reopen; empty ("never") always a new issue.
  std::optional<core::Micros> reopen_window = std::chrono::hours{24};
  core::Micros comment_interval = std::chrono::hours{4};  ///< digest notes while firing
  /// The server's text formatting (Administration → Settings → Text formatting): textile | markdown
  /// | common_mark (Redmine 5 names). Notes and descriptions are written in it.
  std::string text_format = "textile";
  core::Micros timeout = std::chrono::seconds{15};  ///< per request

  const std::string& projectFor(const std::string& env) const {
    auto it = projects.find(env);
    return it == projects.end() ? project : it->second;
  }
};

struct WebhookSettings {
  std::string url;
  std::string secret;  ///< HMAC-SHA256 key; empty: unsigned
  core::Micros timeout = std::chrono::seconds{10};
};

struct AlertmanagerSettings {
  std::string url;  ///< http://127.0.0.1:9093 (the sink posts to /api/v2/alerts)
  core::Micros resend_every = std::chrono::minutes{1};  ///< well within Alertmanager's resolve_timeout
  core::Micros timeout = std::chrono::seconds{10};
};

struct BacklogSettings {
  std::optional<JiraSettings> jira;
  std::optional<RedmineSettings> redmine;
  std::optional<WebhookSettings> webhook;
  std::optional<AlertmanagerSettings> alertmanager;

  /// Names of the configured sinks, in the order jira, redmine, webhook, alertmanager.
  std::vector<std::string> sinkNames() const {
    std::vector<std::string> out;
    if (jira) out.emplace_back("jira");
    if (redmine) out.emplace_back("redmine");
    if (webhook) out.emplace_back("webhook");
    if (alertmanager) out.emplace_back("alertmanager");
    return out;
  }
};

}  // namespace shopwatch::agent
