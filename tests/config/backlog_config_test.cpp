// `backlog:` (Jira, webhook, Alertmanager) and `notify:` of rules and SLOs ([D]): the issue's YAML
// loads exactly as written, defaults are the documented ones, and every problem is an error (or a
// warning) at its FILE:LINE:COL saying what to write instead.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/backlog_summary.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/config_reference.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

const std::map<std::string, std::string> kEnv = {{"JIRA_TOKEN", "jira-secret-123"},
                                                 {"WEBHOOK_SECRET", "hook-secret-456"}};

std::vector<ConfigError> errorsAfterShop(const std::string& section) {
  auto result = load(std::string(kShop) + section, kEnv);
  INFO(allErrors(result));
  CHECK_FALSE(result.config);
  CHECK_FALSE(result.errors.empty());
  return result.errors;
}

void checkError(const ConfigError& e, int line, int column, const std::string& path,
                const std::string& message_part) {
  INFO(e.format());
  CHECK(e.file == "acme.yaml");
  CHECK(e.line == line);
  CHECK(e.column == column);
  CHECK(e.path == path);
  CHECK_THAT(e.message, Catch::Contains(message_part));
}

// A valid Jira block (lines 15-20 after kShop) for tests that vary one key after it.
constexpr const char* kJira = R"(backlog:
  jira:
    url: https://acme.atlassian.net
    flavor: cloud
    email: ops@agency.example
    token: ${env:JIRA_TOKEN}
)";

}  // namespace

TEST_CASE("the issue's backlog example loads exactly as written") {
  auto result = load(readFixture("issue-d-backlog.yaml"), kEnv);
  const AgentConfig& config = loaded(result);
  CHECK(allWarnings(result).empty());
  const BacklogSettings& backlog = config.backlog;
  CHECK(backlog.sinkNames() == std::vector<std::string>{"jira", "webhook", "alertmanager"});

  REQUIRE(backlog.jira);
  const JiraSettings& jira = *backlog.jira;
  CHECK(jira.url == "https://acme.atlassian.net");
  CHECK(jira.flavor == JiraSettings::Flavor::Cloud);
  CHECK(jira.email == "ops@agency.example");
  CHECK(jira.token == "jira-secret-123");
  CHECK(jira.project == "SHOP");
  CHECK(jira.projects == std::map<std::string, std::string>{{"staging", "SHOPSTAGE"}});
  CHECK(jira.projectFor("staging") == "SHOPSTAGE");
  CHECK(jira.projectFor("production") == "SHOP");
  CHECK(jira.issue_type == "Incident");
  CHECK(jira.labels == std::vector<std::string>{"shopwatch"});
  CHECK(jira.fields_json ==
        R"({"components":[{"name":"Webshop"}],"customfield_10010":{"value":"Monitoring"}})");
  CHECK(jira.priority == std::map<rules::Severity, std::string>{{rules::Severity::Critical, "High"},
                                                                {rules::Severity::Warning, "Medium"},
                                                                {rules::Severity::Info, "Low"}});
  CHECK(jira.auto_resolve);
  CHECK(jira.resolve_transition == "Done");
  CHECK(jira.reopen_transition == "Reopen");
  REQUIRE(jira.reopen_window);
  CHECK(*jira.reopen_window == std::chrono::hours{24});
  CHECK(jira.wont_fix_resolution == "Won't Do");
  CHECK(jira.comment_interval == std::chrono::hours{4});

  REQUIRE(backlog.webhook);
  CHECK(backlog.webhook->url == "https://hooks.agency.example/shopwatch");
  CHECK(backlog.webhook->secret == "hook-secret-456");
  REQUIRE(backlog.alertmanager);
  CHECK(backlog.alertmanager->url == "http://127.0.0.1:9093");

  CHECK(config.notify == std::map<std::string, std::vector<std::string>>{
                             {"checkout-down", {"jira", "webhook"}}, {"checkout-slow", {}}});
  CHECK(std::find(config.secrets.begin(), config.secrets.end(), "jira-secret-123") !=
        config.secrets.end());
  CHECK(std::find(config.secrets.begin(), config.secrets.end(), "hook-secret-456") !=
        config.secrets.end());
}

TEST_CASE("a minimal Data Center sink gets the documented defaults") {
  auto result = load(std::string(kShop) + R"(backlog:
  jira:
    url: https://jira.agency.example/jira/
    flavor: datacenter
    token: ${env:JIRA_TOKEN}
    project: OPS
)",
                     kEnv);
  const AgentConfig& config = loaded(result);
  REQUIRE(config.backlog.jira);
  const JiraSettings& jira = *config.backlog.jira;
  CHECK(jira.url == "https://jira.agency.example/jira");
  CHECK(jira.flavor == JiraSettings::Flavor::DataCenter);
  CHECK(jira.email.empty());
  CHECK(jira.issue_type == "Incident");
  CHECK(jira.labels == std::vector<std::string>{"shopwatch"});
  CHECK(jira.fields_json == "{}");
  CHECK(jira.priority.at(rules::Severity::Warning) == "Medium");
  CHECK(jira.auto_resolve);
  CHECK(jira.reopen_window == std::optional<core::Micros>(std::chrono::hours{24}));
  CHECK(jira.comment_interval == std::chrono::hours{4});
  CHECK_FALSE(config.backlog.webhook);
  CHECK_FALSE(config.backlog.alertmanager);
  CHECK(config.notify.empty());
}

TEST_CASE("reopen_window takes a duration, 0s or never, and priority overrides one severity") {
  auto with = [](const std::string& extra) {
    return load(std::string(kShop) + kJira + "    project: SHOP\n" + extra, kEnv);
  };
  auto never = with("    reopen_window: never\n    priority: {info: Lowest}\n");
  const JiraSettings& a = *loaded(never).backlog.jira;
  CHECK_FALSE(a.reopen_window);
  CHECK(a.priority == std::map<rules::Severity, std::string>{{rules::Severity::Critical, "High"},
                                                             {rules::Severity::Warning, "Medium"},
                                                             {rules::Severity::Info, "Lowest"}});
  CHECK(formatReopenWindow(a) == "never (always a new issue)");
  auto zero = with("    reopen_window: 0s\n    auto_resolve: false\n    labels: []\n");
  const JiraSettings& b = *loaded(zero).backlog.jira;
  REQUIRE(b.reopen_window);
  CHECK(b.reopen_window->count() == 0);
  CHECK_FALSE(b.auto_resolve);
  CHECK(b.labels.empty());
  CHECK(formatReopenWindow(b) == "0s (always reopen)");
  auto bad = with("    reopen_window: sometimes\n");
  REQUIRE(bad.errors.size() == 1);
  checkError(bad.errors[0], 22, 20, "backlog.jira.reopen_window",
             "expected a duration (`24h`; `0s`: always reopen) or `never`");
}

TEST_CASE("plain http is refused for Jira except to loopback") {
  auto errors = errorsAfterShop(R"(backlog:
  jira:
    url: http://acme.atlassian.net
    flavor: cloud
    email: ops@agency.example
    token: ${env:JIRA_TOKEN}
    project: SHOP
)");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 17, 10, "backlog.jira.url",
             "use https:// — the token would travel in clear text over http://");
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}) {
    auto result = load(std::string(kShop) + "backlog:\n  jira:\n    url: http://" + host +
                           "/\n    flavor: cloud\n    email: a@b.example\n"
                           "    token: ${env:JIRA_TOKEN}\n    project: SHOP\n",
                       kEnv);
    INFO(host);
    CHECK(loaded(result).backlog.jira->url == std::string("http://") + host);
  }
}

TEST_CASE("a Jira URL with the API path, a query or credentials is an error") {
  auto errors = errorsAfterShop(R"(backlog:
  jira: {url: "https://acme.atlassian.net/rest/api/3", flavor: cloud, email: a@b.example, token: "${env:JIRA_TOKEN}", project: SHOP}
  webhook: {url: "https://user:pw@hooks.example/x"}
  alertmanager: {url: "ftp://127.0.0.1:9093"}
)");
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 16, 15, "backlog.jira.url", "without `/rest/…`");
  checkError(errors[1], 17, 18, "backlog.webhook.url", "must not hold credentials");
  checkError(errors[2], 18, 23, "backlog.alertmanager.url", "expected an http:// or https:// URL");
}

TEST_CASE("missing Jira keys are named, and cloud needs an email") {
  auto errors = errorsAfterShop(R"(backlog:
  jira:
    url: https://acme.atlassian.net
    flavor: cloud
)");
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 17, 5, "backlog.jira.token", "missing required key `token`");
  checkError(errors[1], 17, 5, "backlog.jira.project", "missing required key `project`");
  checkError(errors[2], 17, 5, "backlog.jira.email", "Jira Cloud authenticates with the account's");
}

TEST_CASE("an email with flavor datacenter is a warning, not an error") {
  auto result = load(std::string(kShop) + R"(backlog:
  jira:
    url: https://jira.agency.example
    flavor: datacenter
    email: ops@agency.example
    token: ${env:JIRA_TOKEN}
    project: OPS
)",
                     kEnv);
  loaded(result);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].line == 19);
  CHECK(result.warnings[0].column == 5);
  CHECK_THAT(result.warnings[0].message, Catch::Contains("email is not used with flavor datacenter"));
}

TEST_CASE("a token written into the YAML is refused and never echoed") {
  auto errors = errorsAfterShop(R"(backlog:
  jira:
    url: https://acme.atlassian.net
    flavor: cloud
    email: ops@agency.example
    token: plain-token-789
    project: SHOP
  webhook:
    url: https://hooks.agency.example/x
    secret: also-plain
)");
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 20, 12, "backlog.jira.token",
             "token must come from ${env:NAME} or ${file:PATH}, never the YAML itself");
  checkError(errors[1], 24, 13, "backlog.webhook.secret", "secret must come from ${env:NAME}");
  for (const auto& e : errors) CHECK(e.message.find("plain") == std::string::npos);
}

TEST_CASE("unknown keys in backlog sections suggest the closest one") {
  auto errors = errorsAfterShop(std::string(kJira) + R"(    projet: SHOP
    priority: {critcal: Highest}
  webhok: {url: https://x.example}
)");
  REQUIRE(errors.size() == 4);
  checkError(errors[0], 17, 5, "backlog.jira.project", "missing required key `project`");
  checkError(errors[1], 21, 5, "backlog.jira.projet", "unknown key `projet`; did you mean `project`?");
  checkError(errors[2], 22, 16, "backlog.jira.priority.critcal",
             "unknown key `critcal`; did you mean `critical`?");
  checkError(errors[3], 23, 3, "backlog.webhok", "unknown key `webhok`; did you mean `webhook`?");
}

TEST_CASE("labels must be lowercase single words, not shopwatch's own, at most 255 characters") {
  auto errors = errorsAfterShop(std::string(kJira) + "    project: SHOP\n" +
                                "    labels: [ok, Webshop, two words, shopwatch-x, ok, " +
                                std::string(256, 'a') + "]\n");
  REQUIRE(errors.size() == 5);
  checkError(errors[0], 22, 18, "backlog.jira.labels[1]", "label `Webshop` must be lowercase");
  checkError(errors[1], 22, 27, "backlog.jira.labels[2]", "has a space");
  checkError(errors[2], 22, 38, "backlog.jira.labels[3]", "are shopwatch's own");
  checkError(errors[3], 22, 51, "backlog.jira.labels[4]", "label `ok` is listed twice");
  checkError(errors[4], 22, 55, "backlog.jira.labels[5]", "label is 256 characters; Jira allows 255");
}

TEST_CASE("project keys, fields shopwatch sets and a short comment_interval are errors") {
  auto errors = errorsAfterShop(std::string(kJira) + R"(    project: shop
    projects: {staging: SHOP-2}
    fields: {summary: x}
    comment_interval: 1m
    flavour: cloud
)");
  REQUIRE(errors.size() == 5);
  checkError(errors[0], 21, 14, "backlog.jira.project", "`shop` is not a Jira project key");
  checkError(errors[1], 22, 25, "backlog.jira.projects.staging", "`SHOP-2` is not a Jira project key");
  checkError(errors[2], 23, 14, "backlog.jira.fields.summary", "field `summary` is set by shopwatch");
  checkError(errors[3], 24, 23, "backlog.jira.comment_interval", "at least 5m");
  checkError(errors[4], 25, 5, "backlog.jira.flavour", "did you mean `flavor`?");
}

TEST_CASE("fields takes any YAML map as Jira's JSON, in file order") {
  auto result = load(std::string(kShop) + kJira + R"(    project: SHOP
    fields:
      customfield_2: [{value: red}, {value: blue}]
      customfield_1: "12"
      customfield_3: 12
      components: [{name: Webshop}]
)",
                     kEnv);
  const std::string json = loaded(result).backlog.jira->fields_json;
  CHECK(json ==
        R"({"customfield_2":[{"value":"red"},{"value":"blue"}],"customfield_1":"12","customfield_3":12,"components":[{"name":"Webshop"}]})");
  CHECK(nlohmann::json::parse(json).is_object());
}

TEST_CASE("notify names configured sinks only") {
  SECTION("a sink that is not configured names the configured ones") {
    auto errors = errorsAfterShop(R"(rules:
  - {name: r, check: acme/home, expr: p95 > 1s, notify: [webhook, jira]}
slos:
  - {name: s, check: acme/home, objective: 99%, notify: [alertmanager]}
backlog:
  webhook: {url: "https://hooks.agency.example/x"}
)");
    REQUIRE(errors.size() == 2);
    checkError(errors[0], 16, 67, "rules[0].notify[1]",
               "sink `jira` is not configured under `backlog:` (configured: `webhook`)");
    checkError(errors[1], 18, 58, "slos[0].notify[0]", "sink `alertmanager` is not configured");
  }
  SECTION("without a backlog section") {
    auto errors = errorsAfterShop("rules:\n  - {name: r, check: acme/home, expr: p95 > 1s, notify: [jira]}\n");
    REQUIRE(errors.size() == 1);
    checkError(errors[0], 16, 58, "rules[0].notify[0]", "(no sink is configured)");
  }
  SECTION("unknown names, repeats and a scalar") {
    auto errors = errorsAfterShop(R"(rules:
  - {name: r, check: acme/home, expr: p95 > 1s, notify: [jria]}
  - {name: q, check: acme/home, expr: p95 > 1s, notify: [jira, jira]}
  - {name: p, check: acme/home, expr: p95 > 1s, notify: jira}
)");
    REQUIRE(errors.size() == 3);
    checkError(errors[0], 16, 58, "rules[0].notify[0]", "unknown sink `jria`; did you mean `jira`?");
    checkError(errors[1], 17, 64, "rules[1].notify[1]", "sink `jira` is listed twice");
    checkError(errors[2], 18, 57, "rules[2].notify", "expected a list of sink names");
  }
  SECTION("a sink with its own errors is not reported again at notify") {
    auto errors = errorsAfterShop(R"(rules:
  - {name: r, check: acme/home, expr: p95 > 1s, notify: [jira]}
backlog:
  jira: {url: https://acme.atlassian.net, flavor: cloud}
)");
    for (const auto& e : errors) {
      INFO(e.format());
      CHECK(e.path.starts_with("backlog.jira"));
    }
  }
}

TEST_CASE("a projects env that no shop has is a warning") {
  auto result = load(std::string(kShop) + kJira + R"(    project: SHOP
    projects: {stagign: SHOPSTAGE, production: SHOP}
)",
                     kEnv);
  loaded(result);
  REQUIRE(result.warnings.size() == 1);
  CHECK(result.warnings[0].line == 22);
  CHECK(result.warnings[0].column == 16);
  CHECK(result.warnings[0].path == "backlog.jira.projects.stagign");
  CHECK_THAT(result.warnings[0].message,
             Catch::Contains("no shop has env `stagign`: this project is never used"));
}

TEST_CASE("the backlog summary shows sinks, projects and the reopen window, never a secret") {
  auto result = load(readFixture("issue-d-backlog.yaml"), kEnv);
  const auto lines = backlogSummary(loaded(result));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] ==
        "jira  cloud https://acme.atlassian.net  project SHOP (staging: SHOPSTAGE)  issue type "
        "Incident  reopen window 1d  digest every 4h  resolves with \"Done\"");
  CHECK(lines[1] == "webhook  https://hooks.agency.example/shopwatch  signed");
  CHECK(lines[2] == "alertmanager  http://127.0.0.1:9093");
  CHECK(lines[3] == "notify  checkout-down: jira, webhook");
  CHECK(lines[4] == "notify  checkout-slow: none");
  CHECK(lines[5] == "notify  every other rule and SLO: jira, webhook, alertmanager");
  for (const auto& line : lines) {
    CHECK(line.find("jira-secret-123") == std::string::npos);
    CHECK(line.find("hook-secret-456") == std::string::npos);
  }
  auto none = load(std::string(kShop));
  CHECK(backlogSummary(loaded(none)).empty());
}

TEST_CASE("the key reference documents the backlog and notify keys, read from the same tables") {
  auto has = [](std::string_view section, std::string_view key) {
    for (const auto& row : keyReference()) {
      if (row.section == section && row.key == key) return true;
    }
    return false;
  };
  CHECK(has("", "backlog"));
  for (const char* key : {"jira", "webhook", "alertmanager"}) CHECK(has("backlog", key));
  CHECK(has("rules[]", "notify"));
  CHECK(has("slos[]", "notify"));
  CHECK(has("backlog.webhook", "secret"));
  CHECK(has("backlog.alertmanager", "url"));
  CHECK(has("backlog.jira.priority", "critical"));
  // Every documented Jira key is accepted (a wrong value is fine: only "unknown key" would mean
  // the reference and the loader disagree).
  std::string jira = "backlog:\n  jira:\n";
  for (const auto& row : keyReference()) {
    if (row.section == "backlog.jira") jira += "    " + row.key + ": ~\n";
  }
  auto result = load(std::string(kShop) + jira, kEnv);
  CHECK_FALSE(result.errors.empty());
  for (const auto& e : result.errors) {
    INFO(e.format());
    CHECK(e.message.find("unknown key") == std::string::npos);
  }
}
