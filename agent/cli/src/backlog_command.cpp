// `shopwatch backlog check -c FILE`: verifies the configured sinks before an incident needs them —
// Jira's credentials, projects, issue type, create screen and transitions (checkJira), Redmine's key,
// projects, tracker, statuses, priorities and fingerprint field (checkRedmine), and that the webhook
// and Alertmanager answer. Creates nothing anywhere.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "command_config.h"
#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/core/redact.h"

namespace shopwatch::cli {
namespace {

namespace backlog = agent::backlog;

struct Findings {
  std::vector<std::string> ok;
  std::vector<std::string> problems;
};

// Any HTTP answer means the endpoint is there: a webhook receiver may well refuse HEAD (405).
void checkWebhook(const agent::WebhookSettings& webhook, backlog::HttpClient& http, Findings& out) {
  backlog::HttpCall call;
  call.method = "HEAD";
  call.url = webhook.url;
  call.timeout = webhook.timeout;
  const backlog::HttpReply reply = http.perform(call);
  if (reply.status == 0) {
    out.problems.push_back("webhook: no answer from the URL (" + reply.error + ")");
    return;
  }
  out.ok.push_back("webhook: reachable (HEAD answered " + std::to_string(reply.status) + ")" +
                   (webhook.secret.empty() ? "; payloads are unsigned (no secret)" : ""));
}

void checkAlertmanager(const agent::AlertmanagerSettings& am, backlog::HttpClient& http,
                       Findings& out) {
  backlog::HttpCall call;
  call.url = am.url + "/-/healthy";
  call.timeout = am.timeout;
  const backlog::HttpReply reply = http.perform(call);
  if (reply.status == 0) {
    out.problems.push_back("alertmanager: no answer (" + reply.error + ")");
  } else if (reply.status == 200) {
    out.ok.push_back("alertmanager: healthy (GET /-/healthy answered 200)");
  } else {
    out.problems.push_back("alertmanager: GET /-/healthy answered " + std::to_string(reply.status) +
                           ": is this Alertmanager's base URL?");
  }
}

}  // namespace

int backlogCheckCommand(const std::string& config_path) {
  auto config = loadCommandConfig(config_path);
  if (!config) return kExitFailed;
  const agent::BacklogSettings& settings = config->backlog;
  Findings findings;
  backlog::HttpClient http;
  if (settings.jira) {
    const backlog::JiraCheckReport report = backlog::checkJira(*settings.jira, http);
    for (const auto& line : report.ok) findings.ok.push_back("jira: " + line);
    for (const auto& line : report.problems) findings.problems.push_back("jira: " + line);
  }
  if (settings.redmine) {
    const backlog::SinkCheckReport report = backlog::checkRedmine(*settings.redmine, http);
    for (const auto& line : report.ok) findings.ok.push_back("redmine: " + line);
    for (const auto& line : report.problems) findings.problems.push_back("redmine: " + line);
  }
  if (settings.webhook) checkWebhook(*settings.webhook, http, findings);
  if (settings.alertmanager) checkAlertmanager(*settings.alertmanager, http, findings);
  // A reply may quote a URL or header that holds an expanded secret.
  for (const auto& line : findings.ok)
    std::printf("ok       %s\n", core::redact(line, config->secrets).c_str());
  for (const auto& line : findings.problems)
    std::printf("problem  %s\n", core::redact(line, config->secrets).c_str());
  if (!settings.jira && !settings.redmine) {
    std::fprintf(stderr, "shopwatch: no backlog.jira configured (nor backlog.redmine) in %s\n",
                 config_path.c_str());
    return kExitFailed;
  }
  if (!findings.problems.empty()) {
    std::fprintf(stderr, "%zu problem%s\n", findings.problems.size(),
                 findings.problems.size() == 1 ? "" : "s");
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace shopwatch::cli
