// `backlog.redmine` ([D2]): the issue's YAML loads exactly as written, defaults are the documented
// ones, `notify: [redmine]` picks it, and every problem is an error at its FILE:LINE:COL.
#include <catch2/catch.hpp>

#include "rules_test_util.h"
#include "shopwatch/agent/config/backlog_summary.h"
#include "shopwatch/agent/config/config_loader.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

const std::map<std::string, std::string> kEnv = {{"REDMINE_API_KEY", "redmine-key-123"}};

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

// A valid Redmine block (lines 15-19 after kShop) for tests that vary one key after it.
constexpr const char* kRedmine = R"(backlog:
  redmine:
    url: https://redmine.agency.example
    api_key: ${env:REDMINE_API_KEY}
    project: shop
)";

}  // namespace

TEST_CASE("the issue's Redmine example loads exactly as written") {
  auto result = load(readFixture("issue-d2-redmine.yaml"), kEnv);
  const AgentConfig& config = loaded(result);
  CHECK(allWarnings(result).empty());
  CHECK(config.backlog.sinkNames() == std::vector<std::string>{"redmine"});
  REQUIRE(config.backlog.redmine);
  const RedmineSettings& r = *config.backlog.redmine;
  CHECK(r.url == "https://redmine.agency.example");
  CHECK(r.api_key == "redmine-key-123");
  CHECK(r.project == "shop");
  CHECK(r.projects.empty());
  CHECK(r.tracker == "Bug");
  CHECK(r.priority == std::map<rules::Severity, std::string>{{rules::Severity::Critical, "Urgent"},
                                                             {rules::Severity::Warning, "High"},
                                                             {rules::Severity::Info, "Normal"}});
  CHECK(r.fingerprint_field == "fingerprint");
  CHECK(r.closed_status == "Closed");
  CHECK(r.reopen_status == "New");
  REQUIRE(r.reopen_window);
  CHECK(*r.reopen_window == std::chrono::hours{24});
  CHECK(r.comment_interval == std::chrono::hours{4});
  CHECK(r.text_format == "textile");
  CHECK(r.timeout == std::chrono::seconds{15});
  CHECK(config.notify == std::map<std::string, std::vector<std::string>>{{"checkout-down", {"redmine"}}});
  CHECK(std::find(config.secrets.begin(), config.secrets.end(), "redmine-key-123") != config.secrets.end());
  const auto lines = backlogSummary(config);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] ==
        "redmine  https://redmine.agency.example  project shop  tracker Bug  fingerprint field "
        "fingerprint  reopen window 1d  digest every 4h  closes with \"Closed\", reopens with \"New\"");
  for (const auto& line : lines) CHECK(line.find("redmine-key-123") == std::string::npos);
}

TEST_CASE("every optional Redmine key is read and beside Jira both sinks are configured") {
  auto result = load(std::string(kShop) + kRedmine + R"(    projects: {production: shop-live}
    text_format: common_mark
    timeout: 5s
    comment_interval: 1h
    reopen_window: never
    fingerprint_field: "7"
    priority: {info: Low}
  jira:
    url: https://acme.atlassian.net
    flavor: datacenter
    token: ${env:REDMINE_API_KEY}
    project: SHOP
rules:
  - {name: r, check: acme/home, expr: p95 > 1s, notify: [redmine, jira]}
)",
                     kEnv);
  const AgentConfig& config = loaded(result);
  CHECK(config.backlog.sinkNames() == std::vector<std::string>{"jira", "redmine"});
  const RedmineSettings& r = *config.backlog.redmine;
  CHECK(r.projectFor("production") == "shop-live");
  CHECK(r.projectFor("staging") == "shop");
  CHECK(r.text_format == "common_mark");
  CHECK(r.timeout == std::chrono::seconds{5});
  CHECK(r.comment_interval == std::chrono::hours{1});
  CHECK_FALSE(r.reopen_window);
  CHECK(formatReopenWindow(r) == "never (always a new issue)");
  CHECK(r.fingerprint_field == "7");
  CHECK(r.priority.at(rules::Severity::Info) == "Low");
  CHECK(r.priority.at(rules::Severity::Critical) == "Urgent");
  CHECK(config.notify.at("r") == std::vector<std::string>{"redmine", "jira"});
}

TEST_CASE("a Redmine API key written into the YAML is refused at its line and never echoed") {
  auto errors = errorsAfterShop(R"(backlog:
  redmine:
    url: https://redmine.agency.example
    api_key: 0123456789abcdef-literal
    project: shop
)");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 18, 14, "backlog.redmine.api_key",
             "api_key must come from ${env:NAME} or ${file:PATH}, never the YAML itself");
  CHECK(errors[0].message.find("literal") == std::string::npos);
}

TEST_CASE("notify accepts redmine and a configured Redmine is required for it") {
  auto ok = load(std::string(kShop) + kRedmine +
                     "rules:\n  - {name: r, check: acme/home, expr: p95 > 1s, notify: [redmine]}\n",
                 kEnv);
  CHECK(loaded(ok).notify.at("r") == std::vector<std::string>{"redmine"});
  auto typo = errorsAfterShop(std::string(kRedmine) +
                              "rules:\n  - {name: r, check: acme/home, expr: p95 > 1s, notify: [redmin]}\n");
  REQUIRE(typo.size() == 1);
  checkError(typo[0], 21, 58, "rules[0].notify[0]", "unknown sink `redmin`; did you mean `redmine`?");
  auto missing = errorsAfterShop("rules:\n  - {name: r, check: acme/home, expr: p95 > 1s, notify: [redmine]}\n");
  REQUIRE(missing.size() == 1);
  checkError(missing[0], 16, 58, "rules[0].notify[0]", "sink `redmine` is not configured under `backlog:`");
}

TEST_CASE("unknown Redmine keys suggest the closest one and required keys are named") {
  auto errors = errorsAfterShop(R"(backlog:
  redmine:
    url: https://redmine.agency.example
    apikey: ${env:REDMINE_API_KEY}
    project: shop
    trackr: Bug
    priority: {warnig: High}
)");
  REQUIRE(errors.size() == 4);
  checkError(errors[0], 17, 5, "backlog.redmine.api_key", "missing required key `api_key`");
  checkError(errors[1], 18, 5, "backlog.redmine.apikey", "unknown key `apikey`; did you mean `api_key`?");
  checkError(errors[2], 20, 5, "backlog.redmine.trackr", "unknown key `trackr`; did you mean `tracker`?");
  checkError(errors[3], 21, 16, "backlog.redmine.priority.warnig",
             "unknown key `warnig`; did you mean `warning`?");
  auto section = errorsAfterShop("backlog:\n  redmin: {url: https://x.example}\n");
  REQUIRE(section.size() == 1);
  checkError(section[0], 16, 3, "backlog.redmin", "unknown key `redmin`; did you mean `redmine`?");
}

TEST_CASE("Redmine values are checked: http, project identifier, text format, window, interval") {
  auto errors = errorsAfterShop(R"(backlog:
  redmine:
    url: http://redmine.agency.example
    api_key: ${env:REDMINE_API_KEY}
    project: Shop
    projects: {staging: "shop stage"}
    text_format: html
    reopen_window: sometimes
    comment_interval: 1m
    closed_status: ""
)");
  REQUIRE(errors.size() == 7);
  checkError(errors[0], 17, 10, "backlog.redmine.url", "use https://");
  checkError(errors[1], 19, 14, "backlog.redmine.project", "`Shop` is not a Redmine project identifier");
  checkError(errors[2], 20, 25, "backlog.redmine.projects.staging", "is not a Redmine project identifier");
  checkError(errors[3], 21, 18, "backlog.redmine.text_format", "invalid text_format `html`");
  checkError(errors[4], 22, 20, "backlog.redmine.reopen_window",
             "expected a duration (`24h`; `0s`: always reopen) or `never`");
  checkError(errors[5], 23, 23, "backlog.redmine.comment_interval", "at least 5m");
  checkError(errors[6], 24, 20, "backlog.redmine.closed_status", "must not be empty");
  auto loopback = load(std::string(kShop) +
                           "backlog:\n  redmine:\n    url: http://127.0.0.1:3000/\n"
                           "    api_key: ${env:REDMINE_API_KEY}\n    project: shop\n    reopen_window: 0s\n",
                       kEnv);
  const RedmineSettings& r = *loaded(loopback).backlog.redmine;
  CHECK(r.url == "http://127.0.0.1:3000");
  REQUIRE(r.reopen_window);
  CHECK(r.reopen_window->count() == 0);
}
