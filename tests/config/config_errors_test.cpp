#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"

using namespace shopwatch::agent;
using namespace shopwatch::agent::test;

namespace {

/// Loads `text`, expects it to fail, and returns the errors formatted one per line.
std::vector<ConfigError> errorsOf(const std::string& text,
                                  std::map<std::string, std::string> env = {}) {
  auto result = loadConfigString(text, "acme.yaml", optionsWithEnv(std::move(env)));
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

const char* kShopPrefix = R"(
agent:
  client: acme
shops:
  - name: acme
    base_url: https://shop.acme.example
    checks:
)";

}  // namespace

TEST_CASE("an error formats as file, line, column, key path and message") {
  ConfigError e{"acme.yaml", 12, 9, "shops[0].checks[1].expect.status", "bad"};
  CHECK(e.format() == "acme.yaml:12:9: shops[0].checks[1].expect.status: bad");
  CHECK(ConfigError{"x.yaml", 0, 0, "", "cannot read"}.format() == "x.yaml: cannot read");
}

TEST_CASE("an unknown key is an error that suggests the closest valid key") {
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"(
      - name: home
        url: /
        intervall: 30s
        expect: {stauts: [200]}
)"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 9, 9, "shops[0].checks[0].intervall",
             "unknown key `intervall`; did you mean `interval`?");
  checkError(errors[1], 10, 18, "shops[0].checks[0].expect.stauts",
             "unknown key `stauts`; did you mean `status`?");
}

TEST_CASE("an unknown key without a close match lists the valid keys") {
  auto errors = errorsOf("agent: {client: acme}\nfrobnicate: 1\n");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 2, 1, "frobnicate",
             "valid keys: `agent`, `shops`, `retention`, `rules`, `slos`, `maintenance`, `backlog`, `web`, `sla` or `insights`");
}

TEST_CASE("a bad duration names the key and the problem") {
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"(
      - name: home
        url: /
        interval: 30
        timeout: 5 seconds
)"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 9, 19, "shops[0].checks[0].interval", "missing unit");
  checkError(errors[1], 10, 18, "shops[0].checks[0].timeout", "invalid duration");
}

TEST_CASE("names must be lowercase identity names") {
  auto errors = errorsOf(yaml(R"(
agent:
  client: ACME
shops:
  - name: my shop
    env: Prod
    checks:
      - name: ""
        url: http://127.0.0.1/
)"));
  REQUIRE(errors.size() == 4);
  checkError(errors[0], 2, 11, "agent.client", "invalid name `ACME`");
  checkError(errors[1], 4, 11, "shops[0].name", "invalid name `my shop`");
  checkError(errors[2], 5, 10, "shops[0].env", "invalid name `Prod`");
  checkError(errors[3], 7, 15, "shops[0].checks[0].name", "must not be empty");
}

TEST_CASE("duplicate check names in a shop and duplicate shop envs are errors") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: home, url: http://127.0.0.1/}
      - {name: home, url: http://127.0.0.1/x}
  - name: acme
    env: staging
    checks:
      - {name: home, url: http://127.0.0.1/}
  - name: acme
    env: production
)"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 6, 16, "shops[0].checks[1].name",
             "duplicate check name `home` in shop `acme` env `production` (first defined at 5:16)");
  checkError(errors[1], 11, 11, "shops[2].name",
             "duplicate shop `acme` in env `production` (first defined at 3:11)");
}

TEST_CASE("a missing client is an error unless the caller allows it") {
  auto errors = errorsOf("agent:\n  listen: 127.0.0.1:1\n");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 2, 3, "agent.client", "missing required key `client`");

  auto no_agent = errorsOf("shops: []\n");
  REQUIRE(no_agent.size() == 1);
  checkError(no_agent[0], 1, 1, "agent.client", "missing required key `client`");
}

TEST_CASE("a literal password or bearer token is rejected") {
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"(
      - name: a
        url: /
        auth: {basic: {user: monitor, password: hunter2}}
      - name: b
        url: /
        auth:
          bearer: "abc${env:TOKEN}"
)"),
                         {{"TOKEN", "t"}});
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 9, 49, "shops[0].checks[0].auth.basic.password",
             "secrets must come from ${env:NAME} or ${file:/path}");
  checkError(errors[1], 13, 19, "shops[0].checks[1].auth.bearer",
             "secrets must come from ${env:NAME} or ${file:/path}");
}

TEST_CASE("a missing environment variable or secret file names the key") {
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"(
      - name: a
        url: /
        headers: {X-Token: "${env:MISSING_TOKEN}"}
        auth: {bearer: "${file:/nonexistent/shopwatch/token}"}
)"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 9, 28, "shops[0].checks[0].headers.X-Token",
             "environment variable `MISSING_TOKEN` is not set");
  checkError(errors[1], 10, 24, "shops[0].checks[0].auth.bearer",
             "cannot read secret file `/nonexistent/shopwatch/token`");
}

TEST_CASE("an invalid RE2 regex is reported with RE2's reason") {
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"YAML(
      - name: a
        url: /
        expect:
          body_regex: "total: (\\d+"
          headers: {X-Cache: "(?<name>x)"}
)YAML"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 10, 23, "shops[0].checks[0].expect.body_regex",
             "invalid RE2 regular expression `total: (\\d+`: missing )");
  checkError(errors[1], 11, 30, "shops[0].checks[0].expect.headers.X-Cache",
             "invalid RE2 regular expression");
}

TEST_CASE("a YAML syntax error is reported with its position") {
  auto errors = errorsOf("agent:\n  client: acme\nshops:\n  - name: [acme\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line >= 4);
  CHECK(errors[0].column >= 1);
  CHECK(errors[0].path.empty());
  CHECK_THAT(errors[0].message, Catch::StartsWith("YAML syntax error: "));

  auto tab = errorsOf("agent:\n  client: acme\n   bad: [\n");
  REQUIRE(tab.size() == 1);
  CHECK(tab[0].line == 3);
}

TEST_CASE("a missing config file gives one error naming the file") {
  auto result = loadConfigFile("/nonexistent/shopwatch/acme.yaml");
  REQUIRE(result.errors.size() == 1);
  CHECK_FALSE(result.config);
  CHECK(result.errors[0].file == "/nonexistent/shopwatch/acme.yaml");
  CHECK(result.errors[0].line == 0);
  CHECK_THAT(result.errors[0].format(),
             Catch::StartsWith("/nonexistent/shopwatch/acme.yaml: cannot read config file"));
}

TEST_CASE("timeout above interval and confirm_delay not below interval are errors") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    defaults: {timeout: 20s}
    checks:
      - {name: a, url: http://127.0.0.1/, interval: 10s}
      - {name: b, url: http://127.0.0.1/, interval: 30s, confirm_delay: 30s}
      - {name: c, url: http://127.0.0.1/, interval: 30s, confirm_delay: 30s, confirm: false}
)"));
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 4, 25, "shops[0].defaults.timeout",
             "timeout 20s exceeds interval 10s of check `a`");
  checkError(errors[1], 7, 73, "shops[0].checks[1].confirm_delay",
             "confirm_delay 30s must be shorter than interval 30s of check `b`");
}

TEST_CASE("an interval below 1s and a timeout below 1ms are errors") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: a, url: http://127.0.0.1/, interval: 500ms}
      - {name: b, url: http://127.0.0.1/, interval: 10s, timeout: 500us}
      - {name: c, url: http://127.0.0.1/, interval: 999999us, timeout: 1ms}
      - {name: d, url: http://127.0.0.1/, interval: 10s, timeout: 1ms}
)"));
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 5, 53, "shops[0].checks[0].interval",
             "interval must be at least 1s, got 500ms for check `a`");
  checkError(errors[1], 6, 67, "shops[0].checks[1].timeout",
             "timeout must be at least 1ms, got 500us for check `b`");
  checkError(errors[2], 7, 53, "shops[0].checks[2].interval", "interval must be at least 1s");
}

TEST_CASE("URLs must be relative to base_url or absolute http(s)") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    checks:
      - {name: a, url: /cart}
      - {name: b, url: ftp://shop.example/}
      - {name: c}
  - name: other
    base_url: file:///etc/passwd
)"));
  REQUIRE(errors.size() == 4);
  checkError(errors[0], 5, 24, "shops[0].checks[0].url", "needs the shop's `base_url`");
  checkError(errors[1], 6, 24, "shops[0].checks[1].url", "is not an http:// or https:// URL");
  checkError(errors[2], 7, 9, "shops[0].checks[2].url", "missing required key `url`");
  checkError(errors[3], 9, 15, "shops[1].base_url", "is not an http:// or https:// URL");
}

TEST_CASE("every error in the file is reported, not only the first") {
  auto errors = errorsOf(yaml(R"(
agent:
  client: acme
  log_level: verbose
  store_buffer: 0
retention: {raw: forever}
shops:
  - name: acme
    per_host_concurrency: many
    checks:
      - name: a
        url: http://127.0.0.1/
        max_body: 10 MiB
        ip_version: 5
        follow_redirects: maybe
        expect:
          json:
            - {path: cart/total, gt: 1}
            - {path: /x, equals: 1, exists: true}
)"));
  REQUIRE(errors.size() == 9);
  checkError(errors[0], 3, 14, "agent.log_level", "invalid log level `verbose`");
  checkError(errors[1], 4, 17, "agent.store_buffer", "must be between 1 and");
  checkError(errors[2], 5, 18, "retention.raw", "invalid duration");
  checkError(errors[3], 8, 27, "shops[0].per_host_concurrency", "expected an integer");
  checkError(errors[4], 12, 19, "shops[0].checks[0].max_body", "invalid size");
  checkError(errors[5], 13, 21, "shops[0].checks[0].ip_version", "expected `any`, `4` or `6`");
  checkError(errors[6], 14, 27, "shops[0].checks[0].follow_redirects", "expected true or false");
  checkError(errors[7], 17, 22, "shops[0].checks[0].expect.json[0].path", "invalid JSON pointer");
  checkError(errors[8], 18, 15, "shops[0].checks[0].expect.json[1]", "needs exactly one of");
}

TEST_CASE("a duplicate key in one mapping is an error") {
  auto errors = errorsOf("agent:\n  client: acme\n  client: other\n");
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 3, 3, "agent.client", "duplicate key `client`");
}

TEST_CASE("a problem in shop defaults is reported once, and name or url cannot be defaults") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    defaults: {timout: 5s, url: /, max_body: lots}
    checks:
      - {name: a, url: http://127.0.0.1/}
      - {name: b, url: http://127.0.0.1/}
)"));
  REQUIRE(errors.size() == 3);
  checkError(errors[0], 4, 16, "shops[0].defaults.timout", "did you mean `timeout`?");
  checkError(errors[1], 4, 28, "shops[0].defaults.url", "`url` cannot be a default");
  checkError(errors[2], 4, 46, "shops[0].defaults.max_body", "invalid size \"lots\"");
}

TEST_CASE("a value of the wrong shape says what was expected and what was found") {
  auto errors = errorsOf("agent: 5\nshops:\n  - name: s\n    checks: {name: c}\n");
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 1, 8, "agent", "expected a map (with keys `client`");
  CHECK_THAT(errors[0].message, Catch::EndsWith("got `5`"));
  checkError(errors[1], 4, 13, "shops[0].checks", "expected a list of checks");
}

TEST_CASE("error messages never show an expanded secret") {
  auto errors = errorsOf(yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    checks:
      - name: a
        url: "ftp://shop.example/?token=${env:TOKEN}"
)"),
                         {{"TOKEN", "sup3rsecret"}});
  REQUIRE(errors.size() == 1);
  checkError(errors[0], 6, 14, "shops[0].checks[0].url", "?token=<redacted>");
  CHECK(errors[0].message.find("sup3rsecret") == std::string::npos);
}

TEST_CASE("a JSON expectation value that is not UTF-8 is an error at the value, not an internal one") {
  // Found by tests/fuzz/config_fuzzer: a raw byte that is not UTF-8 inside a JSON expectation value.
  auto errors = errorsOf(yaml(kShopPrefix) + yaml(R"(
      - name: api
        url: /
        interval: 30s
        expect:
)") + "          json: [{path: /a, equals: \"\xd1\"}, {path: /b, one_of: [1, \"\xff\"]}]\n");
  REQUIRE(errors.size() == 2);
  checkError(errors[0], 11, 37, "shops[0].checks[0].expect.json[0].equals", "not valid UTF-8");
  checkError(errors[1], 11, 66, "shops[0].checks[0].expect.json[1].one_of[1]", "not valid UTF-8");
}
