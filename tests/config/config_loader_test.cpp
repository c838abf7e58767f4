#include "shopwatch/agent/config/config_loader.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "config_test_util.h"
#include "shopwatch/core/redact.h"

using namespace shopwatch;
using namespace shopwatch::agent;
using namespace shopwatch::agent::test;
using namespace std::chrono_literals;

namespace {

// The example promised to users in issue [A1] (tests/fixtures/); it must load exactly as written.
std::string readDocumentedExample() {
  std::ifstream in(std::string(SHOPWATCH_SOURCE_DIR) + "/tests/fixtures/issue-a1-example.yaml");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
const std::string kDocumentedExample = readDocumentedExample();

const core::HttpRequest& request(const core::Check& check) {
  REQUIRE(check.http());
  return check.http()->request;
}
const core::Expectations& expect(const core::Check& check) {
  REQUIRE(check.http());
  return check.http()->expect;
}

const core::Check& onlyCheck(const LoadResult& result) {
  REQUIRE(result.config);
  REQUIRE(result.config->checks.size() == 1);
  return *result.config->checks.front();
}

}  // namespace

TEST_CASE("the documented example config loads and yields the promised check") {
  auto result = loadConfigString(kDocumentedExample, "acme.yaml", optionsWithEnv());
  INFO(allErrors(result));
  REQUIRE(result.errors.empty());
  const AgentConfig& config = *result.config;
  CHECK(config.source == "acme.yaml");
  CHECK(config.agent.client == "acme");
  CHECK(config.agent.listen == "127.0.0.1:9834");
  CHECK(config.agent.database == "/var/lib/shopwatch/acme/shopwatch.db");
  CHECK(config.agent.log_level == "info");
  CHECK(config.agent.store_buffer == 100000);
  CHECK(config.retention.raw == std::chrono::hours{24 * 14});
  CHECK(config.retention.rollups == std::chrono::hours{24 * 400});
  REQUIRE(config.shops.size() == 1);
  CHECK(config.shops[0].name == "acme");
  CHECK(config.shops[0].env == "production");
  CHECK(config.shops[0].base_url == "https://shop.acme.example");
  CHECK(config.shops[0].per_host_concurrency == 4);

  const auto& spec = onlyCheck(result);
  CHECK(spec.key == core::CheckKey{"acme", "production", "home"});
  CHECK(request(spec).url == "https://shop.acme.example/");
  CHECK(request(spec).method == "GET");
  CHECK(spec.schedule.interval == 30s);
  CHECK(spec.schedule.timeout == 5s);
  CHECK(request(spec).user_agent == "shopwatch (agency monitoring)");
  CHECK(expect(spec).status == std::vector<std::pair<int, int>>{{200, 200}});
  CHECK(expect(spec).body_contains == std::optional<std::string>("Warenkorb"));
  CHECK(expect(spec).max_duration == std::optional<core::Micros>(1500ms));
  CHECK(spec.per_host_limit == 4);
  CHECK(spec.schedule.confirm);
  CHECK(spec.schedule.confirm_delay == 5s);
  CHECK(request(spec).max_redirects == 10);
  CHECK(request(spec).max_body == 10ull * 1024 * 1024);
  CHECK(spec.secrets.empty());
  CHECK(config.secrets.empty());
}

TEST_CASE("every check key is parsed into the spec") {
  const std::string text = yaml(R"(
agent:
  client: acme
  log_level: debug
  store_buffer: 500
retention: {raw: 7d, rollups: 90d}
shops:
  - name: acme
    env: staging
    base_url: https://staging.acme.example/de/
    per_host_concurrency: 2
    checks:
      - name: api.cart_v2
        url: /api/cart?x=1
        method: post
        headers: {X-Shop: acme, Accept: application/json}
        body: '{"sku": "A-1"}'
        auth: {basic: {user: monitor, password: "${env:SHOP_PW}"}}
        proxy: socks5h://127.0.0.1:1080
        resolve: {"staging.acme.example": 127.0.0.1, "cdn.acme.example": "::1"}
        ip_version: 6
        user_agent: probe/1
        follow_redirects: false
        max_redirects: 3
        tls: {verify: false, server_name: shop.internal}
        max_body: 64KiB
        confirm: false
        confirm_delay: 2s
        histogram: true
        interval: 5m
        timeout: 20s
        expect:
          status: ["2xx", 304, "400-404"]
          body_contains: total
          body_not_contains: Fehler
          body_regex: '"total":\s*\d+'
          headers: {Content-Type: "^application/json", X-Cache: "HIT|MISS"}
          json:
            - {path: /cart/currency, equals: EUR}
            - {path: /cart/items, equals: 3}
            - {path: /cart/flag, equals: true}
            - {path: /cart/code, equals: "3"}
            - {path: /cart/state, one_of: [open, "closed", 1]}
            - {path: /cart/coupon, exists: false}
            - {path: /cart/total, gt: 10.5}
            - {path: /cart/total, lt: 1000}
          max_duration: 2s
      - name: bearer
        url: http://127.0.0.1:8080/health
        auth: {bearer: "${env:TOKEN}"}
        ip_version: 4
)");
  auto result = loadConfigString(text, "all.yaml",
                                 optionsWithEnv({{"SHOP_PW", "pw-123"}, {"TOKEN", "tok-456"}}));
  INFO(allErrors(result));
  REQUIRE(result.config);
  const AgentConfig& config = *result.config;
  CHECK(config.agent.log_level == "debug");
  CHECK(config.agent.store_buffer == 500);
  CHECK(config.retention.raw == std::chrono::hours{24 * 7});
  CHECK(config.retention.rollups == std::chrono::hours{24 * 90});
  REQUIRE(config.checks.size() == 2);

  const auto& s = *config.checks[0];
  CHECK(s.key == core::CheckKey{"acme", "staging", "api.cart_v2"});
  CHECK(request(s).url == "https://staging.acme.example/de/api/cart?x=1");
  CHECK(request(s).method == "POST");
  CHECK(request(s).headers == std::vector<std::pair<std::string, std::string>>{
                                  {"X-Shop", "acme"}, {"Accept", "application/json"}});
  CHECK(request(s).body == R"({"sku": "A-1"})");
  REQUIRE(request(s).basic_auth);
  CHECK(request(s).basic_auth->user == "monitor");
  CHECK(request(s).basic_auth->password == "pw-123");
  CHECK_FALSE(request(s).bearer_token);
  CHECK(request(s).proxy == "socks5h://127.0.0.1:1080");
  CHECK(request(s).resolve ==
        std::vector<std::pair<std::string, std::string>>{{"staging.acme.example", "127.0.0.1"},
                                                         {"cdn.acme.example", "::1"}});
  CHECK(request(s).ip_version == core::IpVersion::V6);
  CHECK(request(s).user_agent == "probe/1");
  CHECK_FALSE(request(s).follow_redirects);
  CHECK(request(s).max_redirects == 3);
  CHECK_FALSE(request(s).tls.verify);
  CHECK(request(s).tls.server_name == "shop.internal");
  CHECK(request(s).max_body == 64 * 1024);
  CHECK_FALSE(s.schedule.confirm);
  CHECK(s.schedule.confirm_delay == 2s);
  CHECK(s.histogram);
  CHECK(s.schedule.interval == 5min);
  CHECK(s.schedule.timeout == 20s);
  CHECK(s.per_host_limit == 2);
  CHECK(expect(s).status == std::vector<std::pair<int, int>>{{200, 299}, {304, 304}, {400, 404}});
  CHECK(expect(s).body_contains == std::optional<std::string>("total"));
  CHECK(expect(s).body_not_contains == std::optional<std::string>("Fehler"));
  CHECK(expect(s).body_regex == std::optional<std::string>(R"("total":\s*\d+)"));
  CHECK(expect(s).headers == std::vector<std::pair<std::string, std::string>>{
                                 {"Content-Type", "^application/json"}, {"X-Cache", "HIT|MISS"}});
  CHECK(expect(s).max_duration == std::optional<core::Micros>(2s));
  REQUIRE(expect(s).json.size() == 8);
  using Op = core::JsonExpectation::Op;
  CHECK(expect(s).json[0].path == "/cart/currency");
  CHECK(expect(s).json[0].op == Op::Equals);
  CHECK(expect(s).json[0].value == "\"EUR\"");
  CHECK(expect(s).json[1].value == "3");
  CHECK(expect(s).json[2].value == "true");
  CHECK(expect(s).json[3].value == "\"3\"");
  CHECK(expect(s).json[4].op == Op::OneOf);
  CHECK(expect(s).json[4].values == std::vector<std::string>{"\"open\"", "\"closed\"", "1"});
  CHECK(expect(s).json[5].op == Op::Exists);
  CHECK_FALSE(expect(s).json[5].exists);
  CHECK(expect(s).json[6].op == Op::Gt);
  CHECK(expect(s).json[6].number == Approx(10.5));
  CHECK(expect(s).json[7].op == Op::Lt);
  CHECK(expect(s).json[7].number == Approx(1000));
  CHECK(s.secrets == std::vector<std::string>{"pw-123"});

  const auto& b = *config.checks[1];
  CHECK(request(b).url == "http://127.0.0.1:8080/health");
  CHECK(request(b).bearer_token == std::optional<std::string>("tok-456"));
  CHECK_FALSE(request(b).basic_auth);
  CHECK(request(b).ip_version == core::IpVersion::V4);
  CHECK(expect(b).status.empty());
  CHECK(b.secrets == std::vector<std::string>{"tok-456"});
  CHECK(config.secrets == std::vector<std::string>{"pw-123", "tok-456"});
}

TEST_CASE("shop defaults apply to every check and check keys override them") {
  const std::string text = yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    base_url: http://127.0.0.1:8080
    defaults:
      interval: 2m
      timeout: 15s
      method: HEAD
      headers: {X-Agency: shopwatch, Accept: "*/*"}
      resolve: {shop.example: 127.0.0.1}
      tls: {verify: false, server_name: a.example}
      auth: {bearer: "${env:TOKEN}"}
      expect: {status: "3xx", body_contains: Warenkorb, headers: {Server: nginx}}
    checks:
      - name: inherits
        url: /a
      - name: overrides
        url: /b
        timeout: 1s
        method: GET
        headers: {accept: text/html, X-Extra: "1"}
        tls: {server_name: b.example}
        auth: {basic: {user: u, password: "${env:PW}"}}
        expect: {status: [200], headers: {X-Cache: HIT}}
)");
  auto result =
      loadConfigString(text, "d.yaml", optionsWithEnv({{"TOKEN", "t0k"}, {"PW", "pAss"}}));
  INFO(allErrors(result));
  REQUIRE(result.config);
  REQUIRE(result.config->checks.size() == 2);
  const auto& a = *result.config->checks[0];
  CHECK(request(a).url == "http://127.0.0.1:8080/a");
  CHECK(a.schedule.interval == 2min);
  CHECK(a.schedule.timeout == 15s);
  CHECK(request(a).method == "HEAD");
  CHECK(request(a).headers == std::vector<std::pair<std::string, std::string>>{
                                  {"X-Agency", "shopwatch"}, {"Accept", "*/*"}});
  CHECK(request(a).resolve ==
        std::vector<std::pair<std::string, std::string>>{{"shop.example", "127.0.0.1"}});
  CHECK_FALSE(request(a).tls.verify);
  CHECK(request(a).tls.server_name == "a.example");
  CHECK(request(a).bearer_token == std::optional<std::string>("t0k"));
  CHECK(expect(a).status == std::vector<std::pair<int, int>>{{300, 399}});
  CHECK(expect(a).body_contains == std::optional<std::string>("Warenkorb"));
  CHECK(expect(a).headers == std::vector<std::pair<std::string, std::string>>{{"Server", "nginx"}});

  const auto& b = *result.config->checks[1];
  CHECK(b.schedule.interval == 2min);
  CHECK(b.schedule.timeout == 1s);
  CHECK(request(b).method == "GET");
  // Header names compare case-insensitively: `accept` replaces the default `Accept` in place.
  CHECK(request(b).headers ==
        std::vector<std::pair<std::string, std::string>>{
            {"X-Agency", "shopwatch"}, {"Accept", "text/html"}, {"X-Extra", "1"}});
  CHECK_FALSE(request(b).tls.verify);
  CHECK(request(b).tls.server_name == "b.example");
  CHECK_FALSE(request(b).bearer_token);
  REQUIRE(request(b).basic_auth);
  CHECK(request(b).basic_auth->password == "pAss");
  CHECK(expect(b).status == std::vector<std::pair<int, int>>{{200, 200}});
  CHECK(expect(b).body_contains == std::optional<std::string>("Warenkorb"));
  CHECK(expect(b).headers ==
        std::vector<std::pair<std::string, std::string>>{{"Server", "nginx"}, {"X-Cache", "HIT"}});
}

TEST_CASE("secret references are expanded in any string and recorded for redaction") {
  const std::string text = yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    base_url: "https://${env:HOST}"
    checks:
      - name: api
        url: "/api?key=${env:API_KEY}&v=${journey_var}"
        headers: {X-Api-Key: "${env:API_KEY}"}
        body: "token=${env:BODY_SECRET}"
        proxy: "http://user:${env:PROXY_PW}@127.0.0.1:3128"
)");
  auto result = loadConfigString(text, "s.yaml",
                                 optionsWithEnv({{"HOST", "shop.example"},
                                                 {"API_KEY", "k3y"},
                                                 {"BODY_SECRET", "b0dy"},
                                                 {"PROXY_PW", "pr0xy"}}));
  INFO(allErrors(result));
  const auto& spec = onlyCheck(result);
  CHECK(request(spec).url == "https://shop.example/api?key=k3y&v=${journey_var}");
  CHECK(request(spec).headers[0].second == "k3y");
  CHECK(request(spec).body == "token=b0dy");
  CHECK(request(spec).proxy == "http://user:pr0xy@127.0.0.1:3128");
  CHECK(spec.secrets == std::vector<std::string>{"shop.example", "k3y", "b0dy", "pr0xy"});
  CHECK(result.config->secrets == spec.secrets);
  CHECK(core::redact(request(spec).url, result.config->secrets) ==
        "https://<redacted>/api?key=<redacted>&v=${journey_var}");
}

TEST_CASE("file secret references read the file and drop the trailing newline") {
  TempDir dir;
  const std::string absolute = dir.write("password", "s3cret\n");
  dir.write("token", "tok\r\n");
  const std::string config_path = dir.write("acme.yaml", yaml(R"(
agent: {client: acme}
shops:
  - name: acme
    checks:
      - name: a
        url: http://127.0.0.1/
        auth: {basic: {user: monitor, password: "${file:)") + absolute +
                                                             yaml(R"(}"}}
      - name: b
        url: http://127.0.0.1/
        auth: {bearer: "${file:token}"}
)"));
  auto result = loadConfigFile(config_path, optionsWithEnv());
  INFO(allErrors(result));
  REQUIRE(result.config);
  CHECK(result.config->source == config_path);
  REQUIRE(result.config->checks.size() == 2);
  CHECK(request(*result.config->checks[0]).basic_auth->password == "s3cret");
  // A relative path is taken relative to the config file's directory.
  CHECK(request(*result.config->checks[1]).bearer_token == std::optional<std::string>("tok"));
  CHECK(result.config->secrets == std::vector<std::string>{"s3cret", "tok"});
}

TEST_CASE("the database defaults to a per-client file and the client is optional for demo") {
  auto result = loadConfigString("agent: {client: acme}\n", "a.yaml", optionsWithEnv());
  INFO(allErrors(result));
  REQUIRE(result.config);
  CHECK(result.config->agent.database == "shopwatch-acme.db");
  CHECK(result.config->checks.empty());

  auto demo = loadConfigString("shops: []\n", "demo.yaml", optionsWithEnv({}, false));
  INFO(allErrors(demo));
  REQUIRE(demo.config);
  CHECK(demo.config->agent.client.empty());
  CHECK(demo.config->agent.database == "shopwatch.db");

  auto empty = loadConfigString("", "empty.yaml", optionsWithEnv({}, false));
  CHECK(empty.config);
}

TEST_CASE("status accepts a single code, a class string and a range") {
  auto load = [](const std::string& status) {
    return loadConfigString(
        "agent: {client: a}\nshops:\n  - name: s\n    checks:\n"
        "      - {name: c, url: 'http://127.0.0.1/', expect: {status: " +
            status + "}}\n",
        "st.yaml", optionsWithEnv());
  };
  CHECK(expect(onlyCheck(load("204"))).status == std::vector<std::pair<int, int>>{{204, 204}});
  CHECK(expect(onlyCheck(load("\"5xx\""))).status == std::vector<std::pair<int, int>>{{500, 599}});
  CHECK(expect(onlyCheck(load("[\"200-204\", 301]"))).status ==
        std::vector<std::pair<int, int>>{{200, 204}, {301, 301}});
  CHECK_FALSE(load("[999]").config);
  CHECK_FALSE(load("\"6xx\"").config);
  CHECK_FALSE(load("[]").config);
}

TEST_CASE("listen accepts IPv4, bracketed IPv6 and localhost with a port") {
  auto listen = [](const std::string& value) {
    return loadConfigString("agent: {client: a, listen: '" + value + "'}\n", "l.yaml",
                            optionsWithEnv());
  };
  CHECK(listen("0.0.0.0:9834").config);
  CHECK(listen("[::1]:9834").config);
  CHECK(listen("localhost:0").config);
  CHECK_FALSE(listen("127.0.0.1").config);
  CHECK_FALSE(listen(":9834").config);
  CHECK_FALSE(listen("127.0.0.1:70000").config);
  CHECK_FALSE(listen("::1:9834").config);
  CHECK_FALSE(listen("[::zz]:9834").config);
}
