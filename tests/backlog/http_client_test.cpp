// HttpClient against FakeHttpServer: what goes out, what comes back, and how failures look
// (`sent` tells a timeout after sending from a request that never left).

#include "shopwatch/agent/backlog/http_client.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>

#include "closed_port.h"
#include "fake_http_server.h"

using shopwatch::agent::backlog::HttpCall;
using shopwatch::agent::backlog::HttpClient;
using shopwatch::agent::backlog::HttpReply;
using shopwatch::agent::backlog::kMaxReplyBody;
using shopwatch::agent::backlog::parseRetryAfter;
using shopwatch::core::SystemTime;
using shopwatch::testing::ClosedLoopbackPort;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using namespace std::chrono_literals;

namespace {

void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpReply replyWithRetryAfter(const std::string& value) {
  HttpReply r;
  r.status = 429;
  r.headers["retry-after"] = value;
  return r;
}

// 2027-01-15T08:00:00Z, "Fri, 15 Jan 2027 08:00:00 GMT".
const SystemTime kNow{std::chrono::seconds{1'800'000'000}};

}  // namespace

TEST_CASE("http client sends method, headers and body and reads status, headers and body") {
  curlOnce();
  FakeHttpServer server;
  server.respond(
      "/hook",
      FakeResponse{201, {{"X-Request-Id", "abc"}, {"Content-Type", "text/plain"}}, "created", 0ms});
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = server.url("/hook?x=1");
  call.headers = {{"Content-Type", "application/json"}, {"X-Shopwatch-Event", "open"}};
  call.body = std::string(5000, 'b');  // above curl's old Expect: 100-continue threshold
  const HttpReply reply = client.perform(call);

  CHECK(reply.status == 201);
  CHECK(reply.sent);
  CHECK(reply.error.empty());
  CHECK(reply.body == "created");
  CHECK(reply.headers.at("x-request-id") == "abc");
  CHECK(reply.headers.at("content-type") == "text/plain");
  CHECK(reply.headers.count("X-Request-Id") == 0);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/hook?x=1");
  CHECK(requests[0].body == call.body);
  CHECK(requests[0].headers.at("content-type") == "application/json");
  CHECK(requests[0].headers.at("x-shopwatch-event") == "open");
  CHECK(requests[0].headers.at("content-length") == "5000");
  CHECK(requests[0].headers.count("expect") == 0);
  CHECK(requests[0].headers.at("user-agent").rfind("shopwatch/", 0) == 0);
}

TEST_CASE("http client sends GET, PUT and DELETE as asked") {
  curlOnce();
  FakeHttpServer server;
  server.status("/r", 204);
  HttpClient client;
  for (const std::string method : {"GET", "PUT", "DELETE"}) {
    HttpCall call;
    call.method = method;
    call.url = server.url("/r");
    call.body = method == "PUT" ? "{\"a\":1}" : "";
    CHECK(client.perform(call).status == 204);
  }
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].body.empty());
  CHECK(requests[1].method == "PUT");
  CHECK(requests[1].body == "{\"a\":1}");
  CHECK(requests[2].method == "DELETE");
}

TEST_CASE("http client keeps one connection alive across calls") {
  curlOnce();
  FakeHttpServer server;
  server.status("/a", 200, "one");
  server.status("/b", 200, "two");
  HttpClient client;
  HttpCall call;
  call.url = server.url("/a");
  CHECK(client.perform(call).body == "one");
  call.url = server.url("/b");
  call.method = "POST";
  call.body = "x";
  CHECK(client.perform(call).body == "two");
  CHECK(server.connectionCount() == 1);
}

TEST_CASE("an answer slower than the timeout is sent but unanswered") {
  curlOnce();
  FakeHttpServer server;
  server.delay("/slow", 3000ms, FakeResponse{200, {}, "late", 0ms});
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = server.url("/slow");
  call.body = "{\"create\":true}";
  call.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const HttpReply reply = client.perform(call);
  CHECK(std::chrono::steady_clock::now() - started < 2500ms);
  CHECK(reply.status == 0);
  CHECK(reply.sent);
  CHECK_FALSE(reply.error.empty());
  CHECK(reply.body.empty());
  CHECK(server.requestCount("/slow") == 1);
}

TEST_CASE("a connection closed without an answer counts as sent") {
  curlOnce();
  FakeHttpServer server;
  server.drop("/drop");
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = server.url("/drop");
  call.body = "payload";
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 0);
  CHECK(reply.sent);
  CHECK_FALSE(reply.error.empty());
}

TEST_CASE("a refused connection is not sent") {
  curlOnce();
  ClosedLoopbackPort closed;
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/hook";
  call.body = "payload";
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 0);
  CHECK_FALSE(reply.sent);
  CHECK_FALSE(reply.error.empty());
}

TEST_CASE("http client does not follow redirects") {
  curlOnce();
  FakeHttpServer server;
  server.redirect("/old", "/new", 301);
  server.status("/new", 200, "moved here");
  HttpClient client;
  HttpCall call;
  call.url = server.url("/old");
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 301);
  CHECK(reply.headers.at("location") == "/new");
  CHECK(server.requestCount("/new") == 0);
}

TEST_CASE("http client ignores proxy variables in the environment") {
  curlOnce();
  FakeHttpServer server;
  server.status("/direct", 200, "direct");
  ClosedLoopbackPort proxy;
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ::setenv("http_proxy", proxy_url.c_str(), 1);
  ::setenv("HTTPS_PROXY", proxy_url.c_str(), 1);
  ::setenv("ALL_PROXY", proxy_url.c_str(), 1);
  HttpClient client;
  HttpCall call;
  call.url = server.url("/direct");
  const HttpReply reply = client.perform(call);
  ::unsetenv("http_proxy");
  ::unsetenv("HTTPS_PROXY");
  ::unsetenv("ALL_PROXY");
  CHECK(reply.status == 200);
  CHECK(reply.body == "direct");
}

TEST_CASE("a reply body over the limit is an error") {
  curlOnce();
  FakeHttpServer server;
  server.hugeBody("/huge", kMaxReplyBody + 65536);
  HttpClient client;
  HttpCall call;
  call.url = server.url("/huge");
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 0);
  CHECK(reply.body.empty());
  CHECK(reply.error.find("larger than") != std::string::npos);
}

TEST_CASE("http client refuses schemes other than http and https") {
  curlOnce();
  HttpClient client;
  HttpCall call;
  call.url = "file:///etc/passwd";
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 0);
  CHECK(reply.body.empty());
  CHECK_FALSE(reply.sent);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  CHECK(parseRetryAfter(replyWithRetryAfter("120"), kNow) ==
        std::chrono::microseconds{120'000'000});
  CHECK(parseRetryAfter(replyWithRetryAfter(" 0 "), kNow) == std::chrono::microseconds{0});
  CHECK(parseRetryAfter(replyWithRetryAfter("Fri, 15 Jan 2027 08:00:30 GMT"), kNow) ==
        std::chrono::microseconds{30'000'000});
  // The obsolete RFC 850 form is still an HTTP date.
  CHECK(parseRetryAfter(replyWithRetryAfter("Friday, 15-Jan-27 08:02:00 GMT"), kNow) ==
        std::chrono::microseconds{120'000'000});
  // A date already past means "now".
  CHECK(parseRetryAfter(replyWithRetryAfter("Fri, 15 Jan 2027 07:59:00 GMT"), kNow) ==
        std::chrono::microseconds{0});
  CHECK_FALSE(parseRetryAfter(replyWithRetryAfter("soon"), kNow));
  CHECK_FALSE(parseRetryAfter(replyWithRetryAfter("-5"), kNow));
  CHECK_FALSE(parseRetryAfter(replyWithRetryAfter(""), kNow));
  CHECK_FALSE(parseRetryAfter(HttpReply{}, kNow));
}

TEST_CASE("Retry-After from a real 429 answer is honoured") {
  curlOnce();
  FakeHttpServer server;
  server.respond("/limited", FakeResponse{429, {{"Retry-After", "7"}}, "slow down", 0ms});
  HttpClient client;
  HttpCall call;
  call.url = server.url("/limited");
  const HttpReply reply = client.perform(call);
  CHECK(reply.status == 429);
  CHECK(parseRetryAfter(reply) == std::chrono::microseconds{7'000'000});
}
