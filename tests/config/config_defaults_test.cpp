// Derived defaults, value sources (`check-config -v`), the key tables and the shared grammars.
#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/config/config_reference.h"
#include "shopwatch/core/listen_address.h"
#include "shopwatch/core/status_set.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

namespace {

LoadResult loadText(const std::string& text) {
  return loadConfigString(text, "acme.yaml", optionsWithEnv());
}

std::string shopWith(const std::string& defaults, const std::string& check) {
  std::string text = "agent: {client: acme}\nshops:\n  - name: acme\n";
  if (!defaults.empty()) text += "    defaults: " + defaults + "\n";
  text += "    checks:\n      - " + check + "\n";
  return text;
}

const core::Check& onlyCheck(const LoadResult& result) {
  INFO(allErrors(result));
  REQUIRE(result.config);
  REQUIRE(result.config->checks.size() == 1);
  return *result.config->checks.front();
}

ValueSource sourceOf(const LoadResult& result, std::string_view key) {
  const core::Check& check = onlyCheck(result);
  auto it = result.config->sources.find(check.key);
  REQUIRE(it != result.config->sources.end());
  return it->second.of(key);
}

}  // namespace

TEST_CASE("a check with only a 5s interval loads, with timeout and confirm_delay fitted to it") {
  auto result = loadText(shopWith("", "{name: a, url: http://127.0.0.1/, interval: 5s}"));
  const core::Check& check = onlyCheck(result);
  CHECK(check.schedule.interval == 5s);
  CHECK(check.schedule.timeout == 5s);
  CHECK(check.schedule.confirm_delay == 2500ms);
  REQUIRE(check.http());
  CHECK(check.http()->request.timeout == 5s);
  CHECK(sourceOf(result, "interval") == ValueSource::Set);
  CHECK(sourceOf(result, "timeout") == ValueSource::Derived);
  CHECK(sourceOf(result, "confirm_delay") == ValueSource::Derived);
}

TEST_CASE("the shortest interval, 1s, still gets a timeout and a confirm_delay that fit") {
  auto result = loadText(shopWith("{interval: 1s}", "{name: a, url: http://127.0.0.1/}"));
  const core::Check& check = onlyCheck(result);
  CHECK(check.schedule.timeout == 1s);
  CHECK(check.schedule.confirm_delay == 500ms);
  CHECK(sourceOf(result, "interval") == ValueSource::FromDefaults);
  CHECK(sourceOf(result, "timeout") == ValueSource::Derived);
}

TEST_CASE("a long interval keeps the built-in timeout and confirm_delay") {
  auto result = loadText(shopWith("", "{name: a, url: http://127.0.0.1/, interval: 2m}"));
  const core::Check& check = onlyCheck(result);
  CHECK(check.schedule.timeout == 10s);
  CHECK(check.schedule.confirm_delay == 5s);
  CHECK(check.http()->request.timeout == 10s);
  CHECK(sourceOf(result, "timeout") == ValueSource::Default);
  CHECK(sourceOf(result, "confirm_delay") == ValueSource::Default);
}

TEST_CASE("a written timeout above the interval is an error at the timeout") {
  auto result =
      loadText(shopWith("", "{name: a, url: http://127.0.0.1/, interval: 5s, timeout: 10s}"));
  INFO(allErrors(result));
  REQUIRE(result.errors.size() == 1);
  const ConfigError& e = result.errors[0];
  CHECK(e.line == 5);
  CHECK(e.column == 66);
  CHECK(e.path == "shops[0].checks[0].timeout");
  CHECK(e.message == "timeout 10s exceeds interval 5s of check `a`");
}

TEST_CASE("a timeout in the shop's defaults above a check's interval is an error at the defaults") {
  // The defaults are written by the user, so they count as written there; the check's own interval
  // cannot silently shorten them.
  auto result =
      loadText(shopWith("{timeout: 10s}", "{name: a, url: http://127.0.0.1/, interval: 5s}"));
  INFO(allErrors(result));
  REQUIRE(result.errors.size() == 1);
  const ConfigError& e = result.errors[0];
  CHECK(e.line == 4);
  CHECK(e.column == 25);
  CHECK(e.path == "shops[0].defaults.timeout");
  CHECK(e.message == "timeout 10s exceeds interval 5s of check `a`");
}

TEST_CASE("a confirm_delay in the shop's defaults not below a check's interval is an error there") {
  auto result =
      loadText(shopWith("{confirm_delay: 5s}", "{name: a, url: http://127.0.0.1/, interval: 5s}"));
  INFO(allErrors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 4);
  CHECK(result.errors[0].path == "shops[0].defaults.confirm_delay");
  CHECK(result.errors[0].message ==
        "confirm_delay 5s must be shorter than interval 5s of check `a`");
}

TEST_CASE("a rejected timeout is reported once, not again as a conflict with the interval") {
  auto result =
      loadText(shopWith("", "{name: a, url: http://127.0.0.1/, interval: 5s, timeout: ten}"));
  INFO(allErrors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].path == "shops[0].checks[0].timeout");
  CHECK_THAT(result.errors[0].message, Catch::Contains("invalid duration"));
}

TEST_CASE(
    "effective values name their source: the check, the shop's defaults, built in or derived") {
  auto result = loadText(shopWith("{interval: 5s, method: HEAD, expect: {status: [200, \"3xx\"]}}",
                                  "{name: a, url: http://127.0.0.1/x, max_body: 64KiB}"));
  const core::Check& check = onlyCheck(result);
  auto values = effectiveValues(*result.config, check);
  std::vector<std::string> lines;
  for (const auto& v : values) {
    lines.push_back(v.key + " " + v.value + " " + std::string(describeSource(v.source)));
  }
  CHECK(lines == std::vector<std::string>{
                     "url http://127.0.0.1/x (set)",
                     "method HEAD (from defaults)",
                     "interval 5s (from defaults)",
                     "timeout 5s (derived from interval)",
                     "confirm true (default)",
                     "confirm_delay 2500ms (derived from interval)",
                     "max_body 64KiB (set)",
                     "follow_redirects true (default)",
                     "expect.status 200, 300-399 (from defaults)",
                 });
}

TEST_CASE("a key written in a check overrides the defaults' source, and secrets stay redacted") {
  auto result =
      loadConfigString(shopWith("{timeout: 3s, follow_redirects: false}",
                                "{name: a, url: \"http://127.0.0.1/?k=${env:KEY}\", timeout: 2s}"),
                       "acme.yaml", optionsWithEnv({{"KEY", "s3cr3t"}}));
  const core::Check& check = onlyCheck(result);
  CHECK(sourceOf(result, "timeout") == ValueSource::Set);
  CHECK(sourceOf(result, "follow_redirects") == ValueSource::FromDefaults);
  CHECK(sourceOf(result, "expect.status") == ValueSource::Default);
  auto values = effectiveValues(*result.config, check);
  REQUIRE_FALSE(values.empty());
  CHECK(values[0].key == "url");
  CHECK(values[0].value == "http://127.0.0.1/?k=<redacted>");
}

TEST_CASE("listen is checked with the server's own grammar: a host name is rejected") {
  auto listen = [](const std::string& value) {
    return loadConfigString("agent: {client: a, listen: '" + value + "'}\n", "l.yaml",
                            optionsWithEnv());
  };
  auto rejected = listen("monitor.local:9834");
  REQUIRE(rejected.errors.size() == 1);
  const auto expected = core::parseListenAddress("monitor.local:9834");
  REQUIRE_FALSE(expected);
  CHECK(rejected.errors[0].path == "agent.listen");
  CHECK(rejected.errors[0].message ==
        "invalid listen address `monitor.local:9834`: " + expected.error().message);
  for (const char* ok : {"localhost:9834", "[::1]:9834", "127.0.0.1:9834", "0.0.0.0:0"}) {
    INFO(ok);
    auto loaded = listen(ok);
    INFO(allErrors(loaded));
    REQUIRE(loaded.config);
    CHECK(loaded.config->agent.listen == ok);
    CHECK(core::parseListenAddress(loaded.config->agent.listen));
  }
}

TEST_CASE("a status item is checked with the shared status grammar and its message") {
  auto result =
      loadText(shopWith("", "{name: a, url: http://127.0.0.1/, expect: {status: [200, \"2xy\"]}}"));
  INFO(allErrors(result));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].path == "shops[0].checks[0].expect.status[1]");
  CHECK(result.errors[0].message == core::parseStatusItem("2xy").error().message);
}

TEST_CASE("the key reference lists every section's keys with a one-line doc") {
  auto rows = keyReference();
  auto find = [&](std::string_view section, std::string_view key) -> const KeyDoc* {
    for (const auto& row : rows) {
      if (row.section == section && row.key == key) return &row;
    }
    return nullptr;
  };
  for (const auto& row : rows) {
    INFO(row.section << "." << row.key);
    CHECK_FALSE(row.doc.empty());
    CHECK(row.doc.find('\n') == std::string::npos);
  }
  REQUIRE(find("", "shops"));
  REQUIRE(find("agent", "listen"));
  REQUIRE(find("retention", "rollups"));
  REQUIRE(find("shops[]", "defaults"));
  REQUIRE(find("check.expect", "status"));
  REQUIRE(find("check.tls", "server_name"));
  REQUIRE(find("check", "timeout"));
  CHECK(find("check", "timeout")->place == KeyPlace::Anywhere);
  REQUIRE(find("check", "url"));
  CHECK(find("check", "url")->place == KeyPlace::CheckOnly);
  CHECK(find("check", "name")->place == KeyPlace::CheckOnly);
  CHECK_FALSE(find("check", "intervall"));
}

TEST_CASE("the unknown-key check and the key reference read the same table") {
  // Every check key of the reference is accepted in a check (a wrong value is fine here: only
  // "unknown key" errors would mean the two disagree).
  std::string check = "{name: a, url: http://127.0.0.1/";
  for (const auto& row : keyReference()) {
    if (row.section == "check" && row.key != "name" && row.key != "url") {
      check += ", " + row.key + ": ~";
    }
  }
  auto result = loadText(shopWith("", check + "}"));
  for (const auto& e : result.errors) {
    INFO(e.format());
    CHECK(e.message.find("unknown key") == std::string::npos);
  }
  auto unknown = loadText(shopWith("", "{name: a, url: http://127.0.0.1/, frobnicate: 1}"));
  REQUIRE(unknown.errors.size() == 1);
  for (const auto& row : keyReference()) {
    if (row.section == "check") {
      CHECK_THAT(unknown.errors[0].message, Catch::Contains("`" + row.key + "`"));
    }
  }
}
