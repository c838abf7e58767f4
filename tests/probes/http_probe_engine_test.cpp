#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "closed_port.h"
#include "fake_http_server.h"
#include "shopwatch/core/check.h"
#include "assertions.h"
#include "probe_test_support.h"
#include "shopwatch/probes/http_probe_engine.h"

using namespace std::chrono_literals;
using shopwatch::core::FailureReason;
using shopwatch::core::Check;
using shopwatch::core::ProbeResult;
using shopwatch::probes::EngineOptions;
using shopwatch::probes::HttpProbeEngine;
using shopwatch::probes::probeOnce;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeRequest;
using shopwatch::testing::FakeResponse;
using shopwatch::probes::test::Collector;
using shopwatch::probes::test::setTimeout;
using shopwatch::probes::test::specFor;

namespace {

std::string reasonOf(const ProbeResult& r) { return std::string(shopwatch::core::toString(r.failure)); }

const shopwatch::core::AssertionOutcome* findAssertion(const ProbeResult& r, const std::string& name) {
  for (const auto& a : r.assertions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// A resolver that answers from a table and counts calls.
class TableResolver final : public shopwatch::probes::Resolver {
 public:
  explicit TableResolver(std::map<std::string, std::string> table) : table_(std::move(table)) {}
  std::optional<std::string> resolve(const std::string& host, shopwatch::core::IpVersion) override {
    ++calls;
    auto it = table_.find(host);
    if (it == table_.end()) return std::nullopt;
    return it->second;
  }
  std::atomic<int> calls{0};

 private:
  std::map<std::string, std::string> table_;
};


std::string writeTempFile(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() /
              ("shopwatch-probes-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << content;
  return path.string();
}

}  // namespace

TEST_CASE("a 200 answer passes and fills every field of the result", "[probes]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<html>Warenkorb</html>"});
  shopwatch::core::FakeClock clock;
  EngineOptions options;
  options.clock = &clock;
  auto r = probeOnce(specFor(server.url("/")), options);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.failure == FailureReason::None);
  CHECK(r.message.empty());
  CHECK(r.status_code == 200);
  CHECK(r.http_version == "1.1");
  CHECK(r.bytes == 22);
  CHECK(r.content_length == 22);
  CHECK_FALSE(r.ssl);
  CHECK(r.redirects == 0);
  CHECK(r.final_url == server.url("/"));
  CHECK(r.started == clock.now());
  CHECK(r.duration > 0us);
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.processing > 0us);
  CHECK(r.phases.tls == 0us);
  CHECK(r.phases.resolve + r.phases.connect + r.phases.processing + r.phases.transfer <= r.duration);
  CHECK_FALSE(r.cert_not_after.has_value());
  REQUIRE(r.assertions.size() == 1);
  CHECK(r.assertions[0].name == "status");
  CHECK(r.assertions[0].passed);
  CHECK(r.assertions[0].detail == "200");
}

TEST_CASE("every run uses a fresh connection", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "ok");
  HttpProbeEngine engine;
  Collector c;
  auto spec = std::make_shared<const Check>(specFor(server.url("/")));
  for (int i = 0; i < 5; ++i) engine.submit(spec, c.callback());
  REQUIRE(c.waitFor(5, 20s));
  CHECK(server.connectionCount() == 5);
  for (const auto& r : c.results) CHECK(r.phases.connect > 0us);
}

TEST_CASE("a status outside the expected set fails with http_status", "[probes]") {
  FakeHttpServer server;
  server.status("/down", 503, "maintenance");
  auto r = probeOnce(specFor(server.url("/down")));
  CHECK_FALSE(r.success);
  CHECK(reasonOf(r) == "http_status");
  CHECK(r.message == "status 503 not in [200-299]");
  CHECK(r.status_code == 503);

  auto spec = specFor(server.url("/down"));
  spec.http()->expect.status = {{200, 200}, {301, 302}};
  r = probeOnce(spec);
  CHECK(r.message == "status 503 not in [200, 301-302]");

  spec.http()->expect.status = {{500, 599}};
  CHECK(probeOnce(spec).success);
}

TEST_CASE("an injected resolver is used and a name it cannot resolve fails with dns", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "ok");
  EngineOptions options;
  auto resolver = std::make_shared<TableResolver>(std::map<std::string, std::string>{{"shop.test", "127.0.0.1"}});
  options.resolver = resolver;

  auto ok = probeOnce(specFor(server.urlWithHost("shop.test", "/")), options);
  INFO(ok.message);
  CHECK(ok.success);
  CHECK(resolver->calls == 1);
  CHECK(server.requests().at(0).headers.at("host").starts_with("shop.test"));

  auto bad = probeOnce(specFor(server.urlWithHost("nowhere.test", "/")), options);
  CHECK(reasonOf(bad) == "dns");
  CHECK(bad.message.find("nowhere.test") != std::string::npos);
  CHECK(resolver->calls == 2);
  CHECK(server.requestCount("/") == 1);
}

TEST_CASE("a resolve override wins over the injected resolver", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "ok");
  EngineOptions options;
  auto resolver = std::make_shared<TableResolver>(std::map<std::string, std::string>{});
  options.resolver = resolver;
  auto spec = specFor(server.urlWithHost("pinned.test", "/"));
  spec.http()->request.resolve = {{"pinned.test", "127.0.0.1"}};
  auto r = probeOnce(spec, options);
  INFO(r.message);
  CHECK(r.success);
  CHECK(resolver->calls == 0);
}

TEST_CASE("a closed port fails with connect", "[probes]") {
  const shopwatch::testing::ClosedLoopbackPort closed;
  const auto port = closed.port();
  auto r = probeOnce(specFor("http://127.0.0.1:" + std::to_string(port) + "/"));
  CHECK(reasonOf(r) == "connect");
  CHECK(r.message == "connect to 127.0.0.1:" + std::to_string(port) + " refused");
  CHECK(r.status_code == 0);
  CHECK(r.http_version.empty());
}

TEST_CASE("a server slower than the timeout fails with timeout", "[probes]") {
  FakeHttpServer server;
  server.delay("/slow", 3000ms, FakeResponse{200, {}, "late"});
  auto spec = specFor(server.url("/slow"));
  setTimeout(spec, 300ms);
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "timeout");
  CHECK(r.message.find("timed out after 300ms waiting for the response") != std::string::npos);
  CHECK(r.duration >= 290ms);
  CHECK(r.duration < 2s);
}

TEST_CASE("a self-signed certificate fails tls with verification on but its expiry is known", "[probes]") {
  FakeHttpServer::Options so;
  so.tls = true;
  so.certificate = shopwatch::testing::makeSelfSignedCertificate("localhost", -1h, 48h);
  FakeHttpServer server(so);
  server.status("/", 200, "ok");
  const auto now = shopwatch::core::SystemClock::instance().now();
  auto r = probeOnce(specFor(server.url("/")));
  CHECK(reasonOf(r) == "tls");
  CHECK(r.message.find("127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after > now + 47h);
  CHECK(*r.cert_not_after < now + 49h);
}

TEST_CASE("an expired certificate fails tls and reports an expiry in the past", "[probes]") {
  FakeHttpServer::Options so;
  so.tls = true;
  so.certificate = shopwatch::testing::makeSelfSignedCertificate("localhost", -72h, -24h);
  FakeHttpServer server(so);
  server.status("/", 200, "ok");
  auto spec = specFor(server.url("/"));
  spec.http()->request.tls.ca_file = writeTempFile("expired.pem", server.certificate().cert_pem);
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "tls");
  CHECK(r.message.find("expired") != std::string::npos);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after < shopwatch::core::SystemClock::instance().now() - 23h);
}

TEST_CASE("verification off passes against a self-signed certificate", "[probes]") {
  FakeHttpServer::Options so;
  so.tls = true;
  FakeHttpServer server(so);
  server.status("/", 200, "ok");
  auto spec = specFor(server.url("/"));
  spec.http()->request.tls.verify = false;
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.ssl);
  CHECK(r.phases.tls > 0us);
  CHECK(r.cert_not_after.has_value());
}

TEST_CASE("a certificate issued by a CA in ca_file passes, also under a server_name", "[probes]") {
  shopwatch::testing::TestCertificateAuthority ca;
  FakeHttpServer::Options so;
  so.tls = true;
  so.certificate = ca.issue("shop.test", -1h, 240h);
  FakeHttpServer server(so);
  server.status("/", 200, "ok");
  auto spec = specFor(server.url("/"));
  spec.http()->request.tls.ca_file = writeTempFile("ca.pem", ca.ca().cert_pem);
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.ssl);
  REQUIRE(r.cert_not_after.has_value());
  CHECK(*r.cert_not_after > shopwatch::core::SystemClock::instance().now() + 200h);

  spec.http()->request.tls.server_name = "shop.test";
  r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(server.requests().back().headers.at("host").starts_with("shop.test"));

  spec.http()->request.tls.server_name = "other.test";
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "tls");
}

TEST_CASE("body_contains and body_not_contains are checked with clear messages", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "<p>Ihr Warenkorb ist leer</p>");
  auto spec = specFor(server.url("/"));
  spec.http()->expect.body_contains = "Warenkorb";
  auto r = probeOnce(spec);
  CHECK(r.success);
  REQUIRE(findAssertion(r, "body_contains"));
  CHECK(findAssertion(r, "body_contains")->detail == "found at offset 7");

  spec.http()->expect.body_contains = "Kasse";
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "body does not contain \"Kasse\"");

  spec.http()->expect.body_contains.reset();
  spec.http()->expect.body_not_contains = "leer";
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "body contains \"leer\" at offset 21");
  spec.http()->expect.body_not_contains = "Fehler";
  CHECK(probeOnce(spec).success);
}

TEST_CASE("body_regex uses a partial RE2 match", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "total: 42.50 EUR");
  auto spec = specFor(server.url("/"));
  spec.http()->expect.body_regex = R"(\d+\.\d{2} EUR)";
  auto r = probeOnce(spec);
  CHECK(r.success);
  CHECK(findAssertion(r, "body_regex")->detail == "matched \"42.50 EUR\"");
  spec.http()->expect.body_regex = "^EUR";
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "body does not match /^EUR/");
  spec.http()->expect.body_regex = "(unclosed";
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.find("invalid") != std::string::npos);
}

TEST_CASE("header expectations match names case-insensitively and values by RE2", "[probes]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {{"X-Cache", "HIT from edge-3"}, {"Content-Type", "text/html"}}, "ok"});
  auto spec = specFor(server.url("/"));
  spec.http()->expect.headers = {{"x-CACHE", "HIT"}, {"content-type", "^text/"}};
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(findAssertion(r, "header x-CACHE")->detail == "HIT from edge-3");

  spec.http()->expect.headers = {{"X-Cache", "^MISS"}};
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "header X-Cache value \"HIT from edge-3\" does not match /^MISS/");

  spec.http()->expect.headers = {{"X-Missing", "."}};
  r = probeOnce(spec);
  CHECK(r.message == "header X-Missing is missing");
}

TEST_CASE("json expectations evaluate RFC 6901 pointers", "[probes]") {
  using Op = shopwatch::core::JsonExpectation::Op;
  FakeHttpServer server;
  server.respond("/api", FakeResponse{200, {{"Content-Type", "application/json"}},
                                      R"({"cart":{"currency":"EUR","total":42.5,"items":[{"sku":"a/b"}]},"ok":true})"});
  auto spec = specFor(server.url("/api"));
  spec.http()->expect.json = {
      {"/cart/currency", Op::Equals, "\"EUR\"", {}, true, 0},
      {"/cart/currency", Op::OneOf, "", {"\"USD\"", "\"EUR\""}, true, 0},
      {"/cart/items/0/sku", Op::Exists, "", {}, true, 0},
      {"/cart/coupon", Op::Exists, "", {}, false, 0},
      {"/cart/total", Op::Gt, "", {}, true, 40},
      {"/cart/total", Op::Lt, "", {}, true, 50},
      {"/ok", Op::Equals, "true", {}, true, 0},
  };
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.assertions.size() == 8);
  CHECK(findAssertion(r, "json /cart/total gt")->detail == "42.5");

  spec.http()->expect.json = {{"/cart/total", Op::Gt, "", {}, true, 100}};
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "json /cart/total is 42.5, expected > 100");

  spec.http()->expect.json = {{"/cart/currency", Op::Equals, "\"USD\"", {}, true, 0}};
  r = probeOnce(spec);
  CHECK(r.message == "json /cart/currency is \"EUR\", expected \"USD\"");

  spec.http()->expect.json = {{"/cart/missing", Op::Exists, "", {}, true, 0}};
  CHECK(probeOnce(spec).message == "json /cart/missing is missing");
}

TEST_CASE("a json expectation on a body that is not JSON fails with assertion", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "<html>not json</html>");
  auto spec = specFor(server.url("/"));
  spec.http()->expect.json = {{"/a", shopwatch::core::JsonExpectation::Op::Exists, "", {}, true, 0}};
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.find("not valid JSON") != std::string::npos);
}

TEST_CASE("max_duration fails a run that is slower than allowed", "[probes]") {
  FakeHttpServer server;
  server.delay("/", 200ms, FakeResponse{200, {}, "ok"});
  auto spec = specFor(server.url("/"));
  spec.http()->expect.max_duration = 50ms;
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.find("more than max_duration 50ms") != std::string::npos);
  spec.http()->expect.max_duration = 3s;
  CHECK(probeOnce(spec).success);
}

TEST_CASE("an http_status failure wins over a failed assertion", "[probes]") {
  FakeHttpServer server;
  server.status("/", 500, "error");
  auto spec = specFor(server.url("/"));
  spec.http()->expect.body_contains = "Warenkorb";
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "http_status");
  CHECK(r.assertions.size() == 2);
  CHECK_FALSE(findAssertion(r, "body_contains")->passed);
}

TEST_CASE("a body over max_body fails with body_too_large", "[probes]") {
  FakeHttpServer server;
  server.status("/big", 200, std::string(5000, 'a'));
  server.hugeBody("/chunked", 4 * 1024 * 1024);
  auto spec = specFor(server.url("/big"));
  spec.http()->request.max_body = 1000;
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "body_too_large");
  CHECK(r.message.find("max_body 1000") != std::string::npos);

  spec = specFor(server.url("/chunked"));
  spec.http()->request.max_body = 100 * 1024;
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "body_too_large");
  CHECK(r.bytes <= 100 * 1024);
}

TEST_CASE("a redirect chain is followed, counted and its phases summed", "[probes]") {
  FakeHttpServer server;
  server.redirect("/a", "/b", 301);
  server.redirect("/b", server.url("/c"), 302);
  server.status("/c", 200, "landed");
  auto spec = specFor(server.url("/a"));
  spec.http()->expect.body_contains = "landed";
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.redirects == 2);
  CHECK(r.final_url == server.url("/c"));
  CHECK(server.connectionCount() == 3);
  CHECK(r.status_code == 200);
  CHECK(r.bytes == 6);

  // Summed phases: three hops' connects are together longer than one alone would be, but
  // absolute numbers are too noisy; what is exact is that each phase is within the total.
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.resolve + r.phases.connect + r.phases.processing + r.phases.transfer <= r.duration);

  spec.http()->request.follow_redirects = false;
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "http_status");
  CHECK(r.status_code == 301);
  CHECK(r.redirects == 0);
  spec.http()->expect.status = {{301, 301}};
  spec.http()->expect.body_contains.reset();
  CHECK(probeOnce(spec).success);
}

TEST_CASE("a redirect loop fails with redirects", "[probes]") {
  FakeHttpServer server;
  server.redirectLoop("/loop");
  auto spec = specFor(server.url("/loop"));
  spec.http()->request.max_redirects = 3;
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "redirects");
  CHECK(r.message.find("more than 3 redirects") != std::string::npos);
  CHECK(server.requestCount("/loop") == 4);
}

TEST_CASE("broken HTTP fails with protocol", "[probes]") {
  FakeHttpServer server;
  server.reset("/reset");
  server.resetMidBody("/midbody");
  server.badChunking("/chunks");
  server.garbage("/garbage");
  server.drop("/drop");
  for (const char* path : {"/reset", "/midbody", "/chunks", "/garbage", "/drop"}) {
    auto r = probeOnce(specFor(server.url(path)));
    INFO(path << ": " << r.message);
    CHECK(reasonOf(r) == "protocol");
    CHECK_FALSE(r.message.empty());
  }
  auto r = probeOnce(specFor(server.url("/midbody")));
  CHECK(r.status_code == 200);
  CHECK(r.message.find("after 1000 body bytes") != std::string::npos);
}

TEST_CASE("a slow body is read to the end and counted as transfer time", "[probes]") {
  FakeHttpServer server;
  server.slowBody("/slow", 1000, 100, 20ms);
  auto spec = specFor(server.url("/slow"));
  spec.http()->expect.body_contains = "xxxx";
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.bytes == 1000);
  CHECK(r.phases.transfer >= 150ms);
}

TEST_CASE("a huge body is searched while streaming, without buffering it", "[probes]") {
  FakeHttpServer server;
  server.hugeBody("/huge", 32 * 1024 * 1024);
  EngineOptions options;
  options.body_budget_bytes = 64 * 1024;
  HttpProbeEngine engine(options);
  Collector c;
  auto spec = specFor(server.url("/huge"));
  spec.http()->request.max_body = 64 * 1024 * 1024;
  spec.http()->expect.body_not_contains = "NEEDLE";
  spec.http()->expect.body_contains = "xxxxxxxx";
  engine.submit(std::make_shared<const Check>(spec), c.callback());
  REQUIRE(c.waitFor(1, 60s));
  const auto& r = c.results.at(0);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.bytes == 32u * 1024 * 1024);
  CHECK(engine.stats().peak_buffered_bytes == 0);
}

TEST_CASE("bodies that need buffering stay within the body budget and still complete", "[probes]") {
  FakeHttpServer server;
  server.hugeBody("/big", 256 * 1024);
  EngineOptions options;
  options.body_budget_bytes = 300 * 1024;
  HttpProbeEngine engine(options);
  Collector c;
  auto spec = specFor(server.url("/big"));
  spec.per_host_limit = 8;
  spec.http()->expect.body_regex = "x{100}";
  auto shared = std::make_shared<const Check>(spec);
  for (int i = 0; i < 8; ++i) engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(8, 60s));
  for (const auto& r : c.results) {
    INFO(r.message);
    CHECK(r.success);
    CHECK(r.bytes == 256u * 1024);
  }
  const auto stats = engine.stats();
  CHECK(stats.budget_pauses > 0);
  // One run may exceed the budget (so the engine can always progress), never more.
  CHECK(stats.peak_buffered_bytes <= options.body_budget_bytes + spec.http()->request.max_body);
  CHECK(stats.peak_buffered_bytes < 8u * 256 * 1024);
}

TEST_CASE("200 concurrent checks all complete", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "ok");
  HttpProbeEngine engine;
  Collector c;
  auto spec = specFor(server.url("/"));
  spec.per_host_limit = 64;
  spec.http()->expect.body_contains = "ok";
  auto shared = std::make_shared<const Check>(spec);
  for (int i = 0; i < 200; ++i) engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(200, 60s));
  int passed = 0;
  for (const auto& r : c.results) passed += r.success ? 1 : 0;
  CHECK(passed == 200);
  CHECK(server.requestCount("/") == 200);
  CHECK(engine.stats().runs_completed == 200);
  CHECK(engine.pending() == 0);
}

TEST_CASE("the per-host limit caps concurrent requests to one host", "[probes]") {
  FakeHttpServer server;
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  constexpr auto kDelay = 150ms;
  server.route("/", [&](const FakeRequest&) {
    std::lock_guard lock(mu);
    arrivals.push_back(std::chrono::steady_clock::now());
    return FakeResponse{200, {}, "ok", kDelay};
  });
  HttpProbeEngine engine;
  Collector c;
  auto spec = specFor(server.url("/"));
  spec.per_host_limit = 3;
  auto shared = std::make_shared<const Check>(spec);
  for (int i = 0; i < 12; ++i) engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(12, 30s));
  for (const auto& r : c.results) CHECK(r.success);
  // A request occupies its slot for at least kDelay after it arrives, so within any window
  // shorter than kDelay no more than `limit` requests may arrive.
  std::lock_guard lock(mu);
  REQUIRE(arrivals.size() == 12);
  std::size_t most = 0;
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    std::size_t in_window = 0;
    for (auto t : arrivals) {
      if (t <= arrivals[i] && arrivals[i] - t < kDelay - 20ms) ++in_window;
    }
    most = std::max(most, in_window);
  }
  CHECK(most == 3);
}

TEST_CASE("request options reach the server", "[probes]") {
  FakeHttpServer server;
  server.status("/submit", 200, "ok");
  auto spec = specFor(server.url("/submit"));
  spec.http()->request.method = "POST";
  spec.http()->request.body = R"({"q":1})";
  spec.http()->request.headers = {{"Content-Type", "application/json"}, {"X-Shop", "acme"}};
  spec.http()->request.bearer_token = "tok123";
  spec.http()->request.user_agent = "shopwatch-test/1";
  REQUIRE(probeOnce(spec).success);
  auto req = server.requests().back();
  CHECK(req.method == "POST");
  CHECK(req.body == R"({"q":1})");
  CHECK(req.headers.at("x-shop") == "acme");
  CHECK(req.headers.at("authorization") == "Bearer tok123");
  CHECK(req.headers.at("user-agent") == "shopwatch-test/1");

  spec.http()->request.bearer_token.reset();
  spec.http()->request.method = "PUT";
  spec.http()->request.basic_auth = shopwatch::core::BasicAuth{"user", "pw"};
  REQUIRE(probeOnce(spec).success);
  req = server.requests().back();
  CHECK(req.method == "PUT");
  CHECK(req.headers.at("authorization") == "Basic dXNlcjpwdw==");
}

TEST_CASE("secrets never appear in messages, URLs or assertion details", "[probes]") {
  FakeHttpServer server;
  server.status("/", 200, "token s3cr3t-value inside");
  auto spec = specFor(server.url("/") + "?key=s3cr3t-value");
  spec.secrets = {"s3cr3t-value"};
  spec.http()->expect.body_not_contains = "s3cr3t-value";
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.find("s3cr3t-value") == std::string::npos);
  CHECK(r.message.find("<redacted>") != std::string::npos);
  CHECK(r.final_url.find("s3cr3t-value") == std::string::npos);
  for (const auto& a : r.assertions) CHECK(a.detail.find("s3cr3t-value") == std::string::npos);

  EngineOptions options;
  options.resolver = std::make_shared<TableResolver>(std::map<std::string, std::string>{});
  spec.http()->request.url = "http://s3cr3t-value.test:1/";
  r = probeOnce(spec, options);
  CHECK(reasonOf(r) == "dns");
  CHECK(r.message.find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("destroying the engine cancels runs in flight and still completes them", "[probes]") {
  FakeHttpServer server;
  server.delay("/", 5000ms, FakeResponse{200, {}, "late"});
  Collector c;
  {
    HttpProbeEngine engine;
    auto spec = specFor(server.url("/"));
    spec.per_host_limit = 1;
    auto shared = std::make_shared<const Check>(spec);
    engine.submit(shared, c.callback());
    engine.submit(shared, c.callback());  // queued behind the first
    // Wait (bounded) until the first run is in flight at the server.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (server.requestCount("/") == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::yield();
    }
    REQUIRE(server.requestCount("/") == 1);
  }
  REQUIRE(c.results.size() == 2);
  for (const auto& r : c.results) {
    // A run cut by shutdown is not a timeout: neither a success nor a failure.
    CHECK(r.cancelled);
    CHECK_FALSE(r.success);
    CHECK(r.failure == FailureReason::None);
    CHECK(r.message == "cancelled: engine stopping");
  }
}

TEST_CASE("stop lets runs in flight finish and rejects later submissions", "[probes]") {
  FakeHttpServer server;
  server.delay("/", 100ms, FakeResponse{200, {}, "ok"});
  HttpProbeEngine engine;
  Collector c;
  auto shared = std::make_shared<const Check>(specFor(server.url("/")));
  engine.submit(shared, c.callback());
  engine.stop();
  REQUIRE(c.results.size() == 1);
  CHECK(c.results[0].success);
  engine.submit(shared, c.callback());
  REQUIRE(c.results.size() == 2);
  CHECK(c.results[1].cancelled);
  CHECK_FALSE(c.results[1].success);
  CHECK(c.results[1].failure == FailureReason::None);
  CHECK(c.results[1].message == "cancelled: engine stopping");
}

TEST_CASE("a deeply nested JSON body fails the assertion instead of crashing", "[probes]") {
  using Op = shopwatch::core::JsonExpectation::Op;
  const std::size_t depth = 200'000;
  FakeHttpServer server;
  server.status("/deep", 200, "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}");
  auto spec = specFor(server.url("/deep"));
  spec.http()->request.max_body = 1024 * 1024;
  spec.http()->expect.json = {{"/a", Op::Equals, "1", {}, true, 0}};
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "body is JSON nested deeper than 128 levels");
  REQUIRE(findAssertion(r, "json /a equals") != nullptr);
  CHECK_FALSE(findAssertion(r, "json /a equals")->passed);

  // Within the limit the body is evaluated, and the subtree is described, not dumped.
  server.status("/ok", 200, "{\"a\":" + std::string(120, '[') + std::string(120, ']') + "}");
  spec.http()->request.url = server.url("/ok");
  r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.starts_with("json /a is array of 1 [[[["));
  CHECK(r.message.ends_with("..., expected 1"));
  CHECK(findAssertion(r, "json /a equals")->detail.size() <= 200);
}

TEST_CASE("server data quoted in details and messages is capped and redacted before the cut",
          "[probes]") {
  using Op = shopwatch::core::JsonExpectation::Op;
  const std::string secret = "s3cr3t-value-abcdef";
  const std::string long_value(5000, 'v');
  std::string items;
  for (int i = 0; i < 2000; ++i) items += (i ? ",\"" : "\"") + std::string(40, 'i') + "\"";
  FakeHttpServer server;
  server.respond("/", FakeResponse{200,
                                   {{"X-Long", long_value}},
                                   "{\"s\":\"" + long_value + "\",\"leak\":\"" +
                                       std::string(110, 'x') + secret + "\",\"items\":[" + items +
                                       "],\"obj\":{\"k\":\"" + long_value + "\"}}"});
  auto spec = specFor(server.url("/"));
  spec.secrets = {secret};
  spec.http()->expect.headers = {{"X-Long", "^nomatch"}};
  spec.http()->expect.body_regex = "\\{.*\\}";
  spec.http()->expect.json = {{"/s", Op::Equals, "\"short\"", {}, true, 0},
                      {"/leak", Op::Equals, "\"short\"", {}, true, 0},
                      {"/items", Op::Exists, "", {}, true, 0},
                      {"/items", Op::Equals, "[]", {}, true, 0},
                      {"/obj", Op::OneOf, "", {"1", "2"}, true, 0}};
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message.size() < 400);
  CHECK(r.message.find(long_value) == std::string::npos);
  for (const auto& a : r.assertions) {
    INFO(a.name << ": " << a.detail);
    CHECK(a.detail.size() <= 200);
    CHECK(a.detail.find("s3cr3") == std::string::npos);
  }
  const auto* header = findAssertion(r, "header X-Long");
  REQUIRE(header != nullptr);
  CHECK(header->detail.ends_with("..."));
  CHECK(findAssertion(r, "body_regex")->detail.starts_with("matched \"{"));
  CHECK(findAssertion(r, "json /items equals")->detail.starts_with("array of 2000 [\"iiii"));
  CHECK(findAssertion(r, "json /obj one_of")->detail.starts_with("object of 1 keys {\"k\":\"vvv"));
  CHECK(findAssertion(r, "json /leak equals")->detail.find("<reda") != std::string::npos);
}

TEST_CASE("a redirect to another origin drops credentials, cookies and secret headers",
          "[probes]") {
  FakeHttpServer a;
  FakeHttpServer b;  // same host, other port: another origin
  b.status("/land", 200, "ok");
  a.redirect("/away", b.url("/land"));
  a.redirect("/stay", "/here");
  a.status("/here", 200, "ok");
  auto spec = specFor(a.url("/away"));
  spec.secrets = {"k-SECRET"};
  spec.http()->request.headers = {{"X-Api-Key", "k-SECRET"},
                  {"X-Shop", "acme"},
                  {"Cookie", "sid=1"},
                  {"X-Signed", "prefix k-SECRET suffix"}};
  spec.http()->request.bearer_token = "tok123";
  auto r = probeOnce(spec);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(r.redirects == 1);
  auto first = a.requests().back();
  CHECK(first.headers.at("authorization") == "Bearer tok123");
  CHECK(first.headers.at("x-api-key") == "k-SECRET");
  CHECK(first.headers.at("cookie") == "sid=1");
  REQUIRE(b.requests().size() == 1);
  auto landed = b.requests().back();
  CHECK(landed.headers.count("authorization") == 0);
  CHECK(landed.headers.count("x-api-key") == 0);
  CHECK(landed.headers.count("x-signed") == 0);
  CHECK(landed.headers.count("cookie") == 0);
  CHECK(landed.headers.at("x-shop") == "acme");

  spec.http()->request.bearer_token.reset();
  spec.http()->request.basic_auth = shopwatch::core::BasicAuth{"user", "pw"};
  REQUIRE(probeOnce(spec).success);
  REQUIRE(b.requests().size() == 2);
  CHECK(b.requests().back().headers.count("authorization") == 0);

  // The same origin keeps everything.
  spec.http()->request.url = a.url("/stay");
  r = probeOnce(spec);
  INFO(r.message);
  REQUIRE(r.success);
  auto same = a.requests().back();
  CHECK(same.path == "/here");
  CHECK(same.headers.at("authorization") == "Basic dXNlcjpwdw==");
  CHECK(same.headers.at("x-api-key") == "k-SECRET");
  CHECK(same.headers.at("x-signed") == "prefix k-SECRET suffix");
  CHECK(same.headers.at("cookie") == "sid=1");
}

TEST_CASE("a redirect to an unsupported scheme or an unusable Location fails with redirects",
          "[probes]") {
  FakeHttpServer server;
  server.redirect("/ftp", "ftp://127.0.0.1:1/file");
  server.redirect("/bad", "http://[::1/broken");
  auto r = probeOnce(specFor(server.url("/ftp")));
  CHECK(reasonOf(r) == "redirects");
  CHECK(r.message == "redirect to unsupported URL scheme \"ftp\" (ftp://127.0.0.1:1/file)");
  r = probeOnce(specFor(server.url("/bad")));
  INFO(r.message);
  CHECK(reasonOf(r) == "redirects");
}

TEST_CASE("after a redirect from https to http the result describes the final plain hop",
          "[probes]") {
  FakeHttpServer plain;
  plain.status("/", 200, "ok");
  FakeHttpServer::Options so;
  so.tls = true;
  FakeHttpServer secure(so);
  secure.redirect("/", plain.url("/"));
  auto spec = specFor(secure.url("/"));
  spec.http()->request.tls.verify = false;
  auto r = probeOnce(spec);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(r.redirects == 1);
  CHECK_FALSE(r.ssl);
  CHECK_FALSE(r.cert_not_after.has_value());

  // The other way round the certificate of the final hop is reported.
  plain.redirect("/up", secure.url("/tls"));
  secure.status("/tls", 200, "ok");
  spec.http()->request.url = plain.url("/up");
  r = probeOnce(spec);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(r.ssl);
  CHECK(r.cert_not_after.has_value());
}

TEST_CASE("processing runs from connection ready to first byte, so the phases add up to the run",
          "[probes]") {
  FakeHttpServer server;
  server.delay("/slow", std::chrono::milliseconds{120}, FakeResponse{200, {}, "ok"});
  auto r = probeOnce(specFor(server.url("/slow")));
  INFO(r.message);
  REQUIRE(r.success);
  // The server waits 120 ms after reading the request: all of it is processing.
  CHECK(r.phases.processing >= std::chrono::milliseconds{120});
  const auto sum = r.phases.resolve + r.phases.connect + r.phases.tls + r.phases.processing +
                   r.phases.transfer;
  CHECK(sum <= r.duration);
  // Whatever the phases miss is the engine's own bookkeeping around the transfer, not a phase.
  CHECK(sum * 10 >= r.duration * 9);
}

TEST_CASE("writing a large request body is part of processing, not of transfer", "[probes]") {
  // The handler runs once the server has read the whole body, and the answer is two bytes: the
  // run is nearly all upload. libcurl before 8.3 starts its STARTTRANSFER clock when the upload
  // starts, which would put all of it into transfer.
  const std::size_t size = 16 * 1024 * 1024;
  FakeHttpServer server;
  std::atomic<std::size_t> received{0};
  server.route("/upload", [&received](const FakeRequest& req) {
    received = req.body.size();
    return FakeResponse{200, {}, "ok"};
  });
  auto spec = specFor(server.url("/upload"));
  spec.http()->request.method = "POST";
  spec.http()->request.body = std::string(size, 'u');
  setTimeout(spec, 30s);
  auto r = probeOnce(spec);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(received == size);
  INFO("duration " << r.duration.count() << "us, processing " << r.phases.processing.count()
                   << "us, transfer " << r.phases.transfer.count() << "us");
  const auto sum = r.phases.resolve + r.phases.connect + r.phases.tls + r.phases.processing +
                   r.phases.transfer;
  CHECK(sum <= r.duration);
  CHECK(sum * 10 >= r.duration * 9);
  CHECK(r.phases.processing * 10 >= r.duration * 8);
  CHECK(r.phases.transfer < r.phases.processing);
}

namespace {

// Runs the assertion evaluation on a response directly, without the engine's final redaction of
// the whole message: what it shows must already be safe.
ProbeResult evaluateDirectly(const Check& spec, int status,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body) {
  auto checks = shopwatch::probes::detail::compileChecks(spec.http()->expect);
  shopwatch::probes::detail::ResponseView view;
  view.status = status;
  view.headers = &headers;
  view.body = body;
  ProbeResult result;
  shopwatch::probes::detail::evaluateExpectations(spec.http()->expect, spec.secrets, *checks, view,
                                                  result);
  return result;
}

// Fails when any 4-byte piece of the secret's start shows anywhere in the result's texts.
void checkNoSecretPrefix(const ProbeResult& r, const std::string& secret) {
  const std::string piece = secret.substr(0, 4);
  INFO("message: " << r.message);
  CHECK(r.message.find(piece) == std::string::npos);
  for (const auto& a : r.assertions) {
    INFO(a.name << ": " << a.detail);
    CHECK(a.detail.find(piece) == std::string::npos);
  }
}

std::string jsonEscaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("a secret crossing the end of what is shown leaves no fragment behind", "[probes]") {
  using Op = shopwatch::core::JsonExpectation::Op;
  for (std::size_t length : {12u, 40u, 90u, 200u}) {
    std::string secret;
    for (std::size_t i = 0; i < length; ++i) secret += static_cast<char>('A' + i % 26);
    auto spec = specFor("http://127.0.0.1:1/");
    spec.secrets = {secret};
    spec.http()->expect.headers = {{"X-Echo", "^nomatch$"}};
    spec.http()->expect.body_regex = "S.*E";
    spec.http()->expect.json = {{"/v", Op::Equals, "\"short\"", {}, true, 0}};
    for (std::size_t copies = 0; copies <= 4; ++copies) {
      for (std::size_t gap = 0; gap <= 260; ++gap) {
        std::string text;
        for (std::size_t i = 0; i < copies; ++i) text += secret + " ";
        text += std::string(gap, 'x') + secret + " " + secret + std::string(30, 'y');
        INFO("length " << length << ", copies " << copies << ", gap " << gap);
        auto r = evaluateDirectly(spec, 200, {{"x-echo", text}},
                                  "{\"v\":\"S" + text + "E\"}");
        REQUIRE(r.assertions.size() == 4);
        checkNoSecretPrefix(r, secret);
      }
    }
  }
}

TEST_CASE("secrets are redacted in every echoed copy from a real server", "[probes]") {
  const std::string secret = "Tok3n-9f8e7d6c5b4a39281706f5e4d3c2b1a0zz";  // 40 bytes
  FakeHttpServer server;
  server.route("/echo", [&secret](const FakeRequest& req) {
    const std::size_t gap = std::stoul(req.target.substr(req.target.find('=') + 1));
    const std::string text = secret + " " + secret + " " + std::string(gap, 'x') + secret + "!";
    return FakeResponse{200, {{"X-Echo", text}}, text};
  });
  HttpProbeEngine engine;
  Collector c;
  std::size_t submitted = 0;
  for (std::size_t gap = 0; gap <= 200; gap += 5) {
    auto spec = specFor(server.url("/echo") + "?gap=" + std::to_string(gap));
    spec.secrets = {secret};
    spec.http()->expect.headers = {{"X-Echo", "^nomatch$"}};
    spec.http()->expect.body_regex = "T.*!";
    engine.submit(std::make_shared<const Check>(spec), c.callback());
    ++submitted;
  }
  REQUIRE(c.waitFor(submitted, 30s));
  for (const auto& r : c.results) {
    CHECK(reasonOf(r) == "assertion");
    CHECK(r.message.find("<redacted>") != std::string::npos);
    checkNoSecretPrefix(r, secret);
  }
}

TEST_CASE("a secret with quotes, backslashes or control characters is redacted in JSON text",
          "[probes]") {
  using Op = shopwatch::core::JsonExpectation::Op;
  const std::string secret = "pa\"ss\\wo\nrd-0123456789";
  FakeHttpServer server;
  server.status("/", 200,
                "{\"v\":\"" + jsonEscaped(secret) + "\",\"o\":{\"" + jsonEscaped(secret) +
                    "\":1},\"long\":\"" + std::string(100, 'l') + jsonEscaped(secret) + "\"}");
  auto spec = specFor(server.url("/"));
  spec.secrets = {secret};
  spec.http()->expect.json = {{"/v", Op::Equals, "\"short\"", {}, true, 0},
                      {"/o", Op::Equals, "1", {}, true, 0},
                      {"/long", Op::OneOf, "", {"1", "2"}, true, 0}};
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "json /v is \"<redacted>\", expected \"short\"");
  CHECK(findAssertion(r, "json /o equals")->detail == "object of 1 keys {\"<redacted>\":1}");
  for (const std::string& shown : {std::string("pa\\\"ss"), std::string("pa\"ss"),
                                   std::string("wo\\nrd"), std::string("rd-0123")}) {
    CHECK(r.message.find(shown) == std::string::npos);
    for (const auto& a : r.assertions) {
      INFO(a.name << ": " << a.detail);
      CHECK(a.detail.find(shown) == std::string::npos);
    }
  }
}

TEST_CASE("long secrets in expectations are redacted before being cut", "[probes]") {
  std::string secret;
  for (int i = 0; i < 300; ++i) secret += static_cast<char>('a' + (i * 7) % 26);
  FakeHttpServer server;
  server.respond("/", FakeResponse{200, {{"X-A", "plain"}}, "start " + secret + " end"});
  server.respond("/other", FakeResponse{200, {{"X-A", "plain"}}, "nothing here"});
  auto base = specFor(server.url("/other"));
  base.secrets = {secret};

  auto spec = base;
  spec.http()->expect.body_contains = secret;
  auto r = probeOnce(spec);
  CHECK(r.message == "body does not contain \"<redacted>\"");

  spec = base;
  spec.http()->request.url = server.url("/");
  spec.http()->expect.body_not_contains = secret;
  r = probeOnce(spec);
  CHECK(r.message == "body contains \"<redacted>\" at offset 6");

  spec = base;
  spec.http()->expect.body_regex = secret;
  r = probeOnce(spec);
  CHECK(r.message == "body does not match /<redacted>/");

  spec = base;
  spec.http()->expect.headers = {{"X-A", secret}};
  r = probeOnce(spec);
  CHECK(r.message == "header X-A value \"plain\" does not match /<redacted>/");

  spec = base;
  spec.http()->expect.json = {{"/" + secret, shopwatch::core::JsonExpectation::Op::Equals,
                       "\"" + secret + "\"", {}, true, 0}};
  auto direct = evaluateDirectly(spec, 200, {}, "{\"" + secret + "\":\"x\"}");
  CHECK(direct.message.find("expected \"<redacted>\"") != std::string::npos);
  checkNoSecretPrefix(direct, secret);
}

TEST_CASE("a redirect to another origin never resends a request body that holds a secret",
          "[probes]") {
  FakeHttpServer a;
  FakeHttpServer b;  // same host, other port: another origin
  b.status("/land", 200, "ok");
  a.redirect("/307", b.url("/land"), 307);
  a.redirect("/308", b.url("/land"), 308);
  a.redirect("/303", b.url("/land"), 303);
  a.redirect("/same", "/here", 307);
  a.status("/here", 200, "ok");
  auto spec = specFor(a.url("/307"));
  spec.secrets = {"k-SECRET"};
  spec.http()->request.method = "POST";
  spec.http()->request.body = "{\"token\":\"k-SECRET\"}";
  for (const char* path : {"/307", "/308"}) {
    spec.http()->request.url = a.url(path);
    auto r = probeOnce(spec);
    CHECK(reasonOf(r) == "redirects");
    CHECK(r.message == "redirect to another origin would resend a request body that holds a "
                       "secret (to " + b.url("/land") + ")");
  }
  CHECK(b.requests().empty());

  // 303 turns it into a GET without a body: nothing to leak.
  spec.http()->request.url = a.url("/303");
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  REQUIRE(b.requests().size() == 1);
  CHECK(b.requests().back().method == "GET");
  CHECK(b.requests().back().body.empty());

  // The same origin gets the body again; another origin gets a body without secrets.
  spec.http()->request.url = a.url("/same");
  r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(a.requests().back().path == "/here");
  CHECK(a.requests().back().body == spec.http()->request.body);
  spec.http()->request.url = a.url("/307");
  spec.http()->request.body = "{\"q\":1}";
  r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  REQUIRE(b.requests().size() == 2);
  CHECK(b.requests().back().method == "POST");
  CHECK(b.requests().back().body == "{\"q\":1}");
}

TEST_CASE("the TLS client certificate is not presented to another origin", "[probes]") {
  FakeHttpServer plain;
  FakeHttpServer::Options so;
  so.tls = true;
  FakeHttpServer secure(so);
  secure.status("/tls", 200, "ok");
  plain.redirect("/up", secure.url("/tls"));
  auto spec = specFor(secure.url("/tls"));
  spec.http()->request.tls.verify = false;
  // curl loads a configured client certificate for every TLS connection, so a missing file shows
  // whether it was used.
  spec.http()->request.tls.cert_file = "/nonexistent/shopwatch-client.pem";
  spec.http()->request.tls.key_file = "/nonexistent/shopwatch-client.key";
  auto r = probeOnce(spec);
  INFO(r.message);
  CHECK(reasonOf(r) == "tls");

  spec.http()->request.url = plain.url("/up");
  r = probeOnce(spec);
  INFO(r.message);
  CHECK(r.success);
  CHECK(r.ssl);
}

TEST_CASE("a 401 after a redirect to another origin says the credentials were not sent",
          "[probes]") {
  FakeHttpServer a;
  FakeHttpServer b;
  b.status("/private", 401, "who are you");
  a.redirect("/away", b.url("/private"));
  auto spec = specFor(a.url("/away"));
  spec.http()->request.bearer_token = "tok123";
  auto r = probeOnce(spec);
  CHECK(reasonOf(r) == "http_status");
  CHECK(r.message == "status 401 not in [200-299]; credentials were not sent to http://127.0.0.1:" +
                         std::to_string(b.port()) + " (another origin than the check's URL)");

  spec.http()->request.bearer_token.reset();
  r = probeOnce(spec);
  CHECK(r.message == "status 401 not in [200-299]");
}
