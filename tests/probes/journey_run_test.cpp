// Journeys: step order, skipping and cleanup, evidence and redaction, per-run cookies and
// connections, GraphQL errors, repeat_until, skip_if, the journey timeout and cancellation.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "journey_test_support.h"

namespace {

using namespace shopwatch;
using namespace shopwatch::probes::test;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeRequest;
using shopwatch::testing::FakeResponse;
using Kind = core::Extraction::Kind;
using std::chrono::milliseconds;

std::string reasonOf(const core::ProbeResult& r) { return std::string(core::toString(r.failure)); }

}  // namespace

TEST_CASE("a failing middle step skips the later steps and still runs cleanup", "[journey]") {
  FakeHttpServer server;
  server.status("/one", 200, "ok");
  server.respond("/two", FakeResponse{503,
                                      {{"Content-Type", "text/html"},
                                       {"X-Request-Id", "req-77"},
                                       {"X-Internal", "not shown"}},
                                      "<h1>maintenance</h1>"});
  server.status("/three", 200, "ok");
  server.status("/clear", 200, "cleared");
  auto check = journeyCheck({stepFor("one", server.url("/one")), stepFor("two", server.url("/two")),
                             stepFor("three", server.url("/three"))},
                            {stepFor("empty-cart", server.url("/clear"), "POST")});
  auto r = probes::probeOnce(check);
  CHECK_FALSE(r.success);
  CHECK(reasonOf(r) == "http_status");
  CHECK(r.failed_step == "two");
  CHECK(r.status_code == 503);
  CHECK(r.message.starts_with("step two: status 503"));
  REQUIRE(r.steps.size() == 4);
  CHECK(r.steps[0].result.success);
  CHECK_FALSE(r.steps[1].skipped);
  CHECK(r.steps[2].skipped);
  CHECK(r.steps[3].cleanup);
  CHECK(r.steps[3].result.success);
  CHECK(server.requestCount("/three") == 0);
  CHECK(server.requestCount("/clear") == 1);
  REQUIRE(r.evidence);
  CHECK(r.evidence->body_snippet == "<h1>maintenance</h1>");
  bool request_id = false;
  for (const auto& [name, value] : r.evidence->headers) {
    CHECK(name != "x-internal");
    if (name == "x-request-id") request_id = value == "req-77";
  }
  CHECK(request_id);
  CHECK(r.duration >= r.steps[0].result.duration + r.steps[1].result.duration);
}

TEST_CASE("a failing cleanup step does not fail the journey", "[journey]") {
  FakeHttpServer server;
  server.status("/one", 200, "ok");
  server.status("/clear", 500, "broken");
  auto r = probes::probeOnce(
      journeyCheck({stepFor("one", server.url("/one"))}, {stepFor("clear", server.url("/clear"))}));
  CHECK(r.success);
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[1].cleanup);
  CHECK(reasonOf(r.steps[1].result) == "http_status");
  CHECK(r.failed_step.empty());
}

TEST_CASE("evidence redacts Set-Cookie values, secrets and extracted tokens", "[journey]") {
  FakeHttpServer server;
  server.status("/login", 200, "api_token=tk-9f8e7d6c5b;");
  server.respond("/fail", FakeResponse{500,
                                       {{"Set-Cookie", "sid=sess-abcdef123; Path=/; HttpOnly"}},
                                       "token tk-9f8e7d6c5b secret hunter2-pw sid sess-abcdef123"});
  auto login = stepFor("login", server.url("/login"));
  login.extract = {extraction("token", Kind::Regex, "api_token=([^;]+);")};
  auto fail = stepFor("fail", server.url("/fail?t=${token}"));
  fail.request.headers = {{"X-Pass", "hunter2-pw"}};
  auto check = journeyCheck({login, fail});
  check.secrets = {"hunter2-pw"};
  auto r = probes::probeOnce(check);
  REQUIRE_FALSE(r.success);
  REQUIRE(r.evidence);
  const auto& body = r.evidence->body_snippet;
  CHECK(body.find("tk-9f8e7d6c5b") == std::string::npos);
  CHECK(body.find("hunter2-pw") == std::string::npos);
  CHECK(body.find("sess-abcdef123") == std::string::npos);
  CHECK(body.find("<redacted>") != std::string::npos);
  bool cookie = false;
  for (const auto& [name, value] : r.evidence->headers) {
    if (name == "set-cookie") cookie = value == "sid=<redacted>; Path=/; HttpOnly";
  }
  CHECK(cookie);
  CHECK(r.final_url.find("tk-9f8e7d6c5b") == std::string::npos);
  CHECK(stepNamed(r, "fail").result.final_url.find("tk-9f8e7d6c5b") == std::string::npos);
  CHECK(stepNamed(r, "login").result.extracted == std::vector<std::string>{"token"});
}

TEST_CASE("the steps of a run reuse one connection and the next run starts afresh", "[journey]") {
  FakeHttpServer server;
  server.status("/a", 200, "a");
  server.status("/b", 200, "b");
  auto check = journeyCheck({stepFor("a", server.url("/a")), stepFor("b", server.url("/b"))});
  probes::HttpProbeEngine engine;
  Collector c;
  auto shared = std::make_shared<const core::Check>(check);
  engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(1, std::chrono::seconds{10}));
  engine.submit(shared, c.callback());
  REQUIRE(c.waitFor(2, std::chrono::seconds{10}));
  for (const auto& r : c.results) {
    INFO(r.message);
    REQUIRE(r.success);
    CHECK(r.steps[0].result.phases.connect > core::Micros{0});
    CHECK(r.steps[1].result.phases.connect == core::Micros{0});
    CHECK(r.steps[1].result.phases.resolve == core::Micros{0});
  }
  CHECK(server.connectionCount() == 2);
}

TEST_CASE("two journeys running at once keep separate cookie jars", "[journey]") {
  FakeHttpServer server;
  server.route("/login", [](const FakeRequest& req) {
    FakeResponse res;
    res.headers = {
        {"Set-Cookie", "user=" + req.target.substr(req.target.find('=') + 1) + "; Path=/"}};
    return res;
  });
  server.route("/whoami", [](const FakeRequest& req) {
    FakeResponse res;
    auto it = req.headers.find("cookie");
    res.body = it == req.headers.end() ? "none" : it->second;
    res.delay = milliseconds{100};
    return res;
  });
  probes::HttpProbeEngine engine;
  Collector c;
  for (const std::string user : {"alice", "bob"}) {
    auto who = stepFor("whoami", server.url("/whoami"));
    who.expect.body_contains = "user=" + user;
    who.expect.body_not_contains = user == "alice" ? "bob" : "alice";
    auto check = journeyCheck({stepFor("login", server.url("/login?u=" + user)), who});
    check.key.check = user;
    engine.submit(std::make_shared<const core::Check>(check), c.callback());
  }
  REQUIRE(c.waitFor(2, std::chrono::seconds{10}));
  for (const auto& r : c.results) {
    INFO(r.message);
    CHECK(r.success);
  }
  // A new run starts with an empty jar.
  auto fresh = stepFor("whoami", server.url("/whoami"));
  fresh.expect.body_contains = "none";
  auto r = probes::probeOnce(journeyCheck({fresh}));
  INFO(r.message);
  CHECK(r.success);
}

TEST_CASE("a GraphQL response with errors fails the step as assertion", "[journey]") {
  FakeHttpServer server;
  server.respond("/graphql", FakeResponse{200,
                                          {{"Content-Type", "application/json"}},
                                          R"({"errors":[{"message":"Cart not found"}]})"});
  auto step = stepFor("add", server.url("/graphql"), "POST");
  step.body_kind = core::BodyKind::Graphql;
  step.graphql_query = "mutation { addToCart(sku: \"${sku}\") { id } }";
  step.graphql_variables = R"({"qty":"${qty}"})";
  core::JourneyStep only = step;
  only.graphql_query = "mutation { addToCart(sku: \"abc\") { id } }";
  only.graphql_variables = R"({"qty":2})";
  auto r = probes::probeOnce(journeyCheck({only}));
  CHECK(reasonOf(r) == "assertion");
  CHECK(r.message == "step add: graphql errors: Cart not found");
  const auto sent = lastRequest(server, "/graphql");
  auto body = nlohmann::json::parse(sent.body);
  CHECK(body["query"] == "mutation { addToCart(sku: \"abc\") { id } }");
  CHECK(body["variables"]["qty"] == 2);
  CHECK(headerOf(sent, "content-type") == "application/json");

  server.respond("/graphql",
                 FakeResponse{200, {}, R"({"data":{"addToCart":{"id":1}},"errors":[]})"});
  auto ok = probes::probeOnce(journeyCheck({only}));
  INFO(ok.message);
  CHECK(ok.success);
}

TEST_CASE("repeat_until polls until the value is wanted, and fails at its cap", "[journey]") {
  FakeHttpServer server;
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route("/order", [calls](const FakeRequest&) {
    const int n = ++*calls;
    FakeResponse res;
    res.body = std::string(R"({"state":")") + (n >= 3 ? "paid" : "pending") + "\"}";
    return res;
  });
  auto poll = stepFor("poll", server.url("/order"));
  poll.repeat_until = core::RepeatUntil{"/state", {"paid", "complete"}, 5, milliseconds{20}};
  SECTION("reached") {
    auto r = probes::probeOnce(journeyCheck({poll}));
    INFO(r.message);
    CHECK(r.success);
    CHECK(server.requestCount("/order") == 3);
  }
  SECTION("cap") {
    poll.repeat_until->max_attempts = 2;
    auto r = probes::probeOnce(journeyCheck({poll}));
    CHECK(reasonOf(r) == "assertion");
    CHECK(r.message.find("last value \"pending\"") != std::string::npos);
    CHECK(r.message.find("after 2 attempts") != std::string::npos);
    CHECK(server.requestCount("/order") == 2);
  }
}

TEST_CASE("skip_if skips a step without failing the journey", "[journey]") {
  FakeHttpServer server;
  server.respond("/mode", FakeResponse{200, {{"X-Mode", "guest"}}, ""});
  server.status("/login", 200, "");
  server.status("/cart", 200, "");
  auto mode = stepFor("mode", server.url("/mode"));
  mode.extract = {extraction("mode", Kind::Header, "x-mode")};
  auto login = stepFor("login", server.url("/login"));
  login.skip_if = core::SkipIf{"mode", "guest"};
  auto r = probes::probeOnce(journeyCheck({mode, login, stepFor("cart", server.url("/cart"))}));
  INFO(r.message);
  CHECK(r.success);
  CHECK(stepNamed(r, "login").skipped);
  CHECK(server.requestCount("/login") == 0);
  CHECK(server.requestCount("/cart") == 1);
}

TEST_CASE("the journey timeout bounds the steps together, and cleanup still runs after it", "[journey]") {
  FakeHttpServer server;
  // Step one answers at once and step two far beyond the journey timeout, so which step the
  // deadline strikes does not depend on how busy the machine is.
  server.status("/fast", 200, "ok");
  server.delay("/slow", milliseconds{3000}, FakeResponse{200, {}, "late"});
  server.status("/clear", 200, "");
  auto check =
      journeyCheck({stepFor("one", server.url("/fast")), stepFor("two", server.url("/slow")),
                    stepFor("three", server.url("/slow"))},
                   {stepFor("clear", server.url("/clear"))});
  check.schedule.timeout = milliseconds{500};
  auto r = probes::probeOnce(check);
  CHECK(reasonOf(r) == "timeout");
  CHECK(r.failed_step == "two");
  REQUIRE(r.steps.size() == 4);
  CHECK(r.steps[0].result.success);
  CHECK(r.steps[2].skipped);
  CHECK(r.steps[3].cleanup);
  // A timed-out journey must not leave its cart behind: cleanup gets its own grace after the deadline.
  INFO(r.steps[3].result.message);
  CHECK_FALSE(r.steps[3].skipped);
  CHECK(r.steps[3].result.success);
  CHECK(server.requestCount("/clear") == 1);
}

TEST_CASE("a step's own timeout fails it and cleanup still runs", "[journey]") {
  FakeHttpServer server;
  server.delay("/slow", milliseconds{2000}, FakeResponse{200, {}, "late"});
  server.status("/clear", 200, "");
  auto slow = stepFor("slow", server.url("/slow"));
  slow.request.timeout = milliseconds{200};
  auto r = probes::probeOnce(journeyCheck({slow}, {stepFor("clear", server.url("/clear"))}));
  CHECK(reasonOf(r) == "timeout");
  CHECK(r.failed_step == "slow");
  CHECK(server.requestCount("/clear") == 1);
  CHECK(r.steps.back().result.success);
}

TEST_CASE("stopping the engine mid-journey cancels the run", "[journey]") {
  FakeHttpServer server;
  server.status("/one", 200, "");
  server.delay("/hang", milliseconds{5000}, FakeResponse{});
  Collector c;
  {
    probes::HttpProbeEngine engine;
    engine.submit(std::make_shared<const core::Check>(journeyCheck(
                      {stepFor("one", server.url("/one")), stepFor("hang", server.url("/hang")),
                       stepFor("after", server.url("/one"))})),
                  c.callback());
    for (int i = 0; i < 500 && server.requestCount("/hang") == 0; ++i) {
      std::this_thread::sleep_for(milliseconds{5});
    }
    REQUIRE(server.requestCount("/hang") == 1);
  }
  REQUIRE(c.results.size() == 1);
  const auto& r = c.results.front();
  CHECK(r.cancelled);
  CHECK_FALSE(r.success);
  CHECK(r.failure == core::FailureReason::None);
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[0].result.success);
  CHECK(r.steps[1].result.cancelled);
  CHECK(r.steps[2].skipped);
}

TEST_CASE("cleanup runs when the journey deadline cuts a step in the middle of its request", "[journey]") {
  FakeHttpServer server;
  server.delay("/hang", milliseconds{3000}, FakeResponse{200, {}, "late"});
  server.status("/clear", 200, "");
  auto hang = stepFor("hang", server.url("/hang"));
  hang.request.timeout = std::chrono::seconds{10};  // the journey's deadline, not the request's, cuts it
  auto clear = stepFor("clear", server.url("/clear"));
  clear.request.timeout = std::chrono::seconds{2};
  auto check = journeyCheck({hang}, {clear});
  check.schedule.timeout = milliseconds{300};
  auto r = probes::probeOnce(check);
  CHECK(reasonOf(r) == "timeout");
  CHECK(r.failed_step == "hang");
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[1].cleanup);
  INFO(r.steps[1].result.message);  // cleanup gets its own 2 s, not what was left of 300 ms
  CHECK_FALSE(r.steps[1].skipped);
  CHECK(server.requestCount("/clear") == 1);
}
