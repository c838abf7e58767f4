// HttpServer limits: header-field count (431), slow clients (a trickled header is cut at the read
// deadline), GET-only routes (405 with Allow), gzip negotiation and compression. 127.0.0.1 only.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "gzip.h"
#include "shopwatch/agent/http/http_server.h"
#include "test_client.h"
#include "web_test_support.h"

using namespace std::chrono_literals;
using shopwatch::agent::http::HttpRequest;
using shopwatch::agent::http::HttpResponse;
using shopwatch::agent::http::HttpServer;
using shopwatch::agent::http::HttpServerOptions;
using shopwatch::testing::RawConnection;

namespace {

HttpResponse text(std::string body) {
  HttpResponse res;
  res.body = std::move(body);
  return res;
}

std::string requestWithFields(std::size_t n) {
  std::string req = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (std::size_t i = 2; i < n; ++i) req += "X-Field-" + std::to_string(i) + ": v\r\n";
  return req + "Connection: close\r\n\r\n";
}

}  // namespace

TEST_CASE("more than max_header_fields header fields are answered 431") {
  HttpServerOptions options;
  options.max_header_fields = 100;
  HttpServer server(options);
  server.route("GET", "/x", [](const HttpRequest&) { return text("ok\n"); });
  REQUIRE(server.start().ok());
  {
    RawConnection c(server.port());
    REQUIRE(c.send(requestWithFields(100)));  // Host + 98 + Connection = 100 fields
    const auto answer = c.receive();
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  }
  {
    RawConnection c(server.port());
    REQUIRE(c.send(requestWithFields(101)));
    const auto answer = c.receive();
    CHECK(answer.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(answer.find("too many request header fields") != std::string::npos);
  }
}

TEST_CASE("a client trickling its request head is disconnected at the read deadline") {
  HttpServerOptions options;
  options.read_timeout = 1s;
  HttpServer server(options);
  server.route("GET", "/x", [](const HttpRequest&) { return text("ok\n"); });
  REQUIRE(server.start().ok());
  RawConnection c(server.port(), 200ms);
  REQUIRE(c.send("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  const auto begin = std::chrono::steady_clock::now();
  bool closed = false;
  std::string received;
  // One header line every 200 ms: the client is never idle, but the whole head does not arrive.
  for (int i = 0; i < 25 && !closed; ++i) {
    if (!c.send("X-Slow-" + std::to_string(i) + ": v\r\n")) {
      closed = true;
      break;
    }
    received += c.receive();
    closed = c.waitForClose();
  }
  const auto took = std::chrono::steady_clock::now() - begin;
  CHECK(closed);
  CHECK(took < 3s);
  CHECK(received.find("200") == std::string::npos);
  // The server keeps serving.
  CHECK(shopwatch::testing::curlRequest("http://127.0.0.1:" + std::to_string(server.port()) + "/x").status == 200);
}

TEST_CASE("a GET-only route answers other methods 405 with Allow: GET, HEAD") {
  HttpServer server;
  server.route("GET", "/metrics", [](const HttpRequest&) { return text("m 1\n"); });
  REQUIRE(server.start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
    INFO(method);
    const auto r = shopwatch::testing::curlRequest(url, method);
    CHECK(r.status == 405);
    CHECK(r.headers.at("allow") == "GET, HEAD");
  }
  CHECK(shopwatch::testing::curlRequest(url, "HEAD").status == 200);
  CHECK(shopwatch::testing::curlRequest(url).body == "m 1\n");
}

TEST_CASE("Accept-Encoding negotiation follows q-values") {
  using shopwatch::agent::http::detail::acceptsGzip;
  CHECK(acceptsGzip("gzip"));
  CHECK(acceptsGzip("GZIP"));
  CHECK(acceptsGzip("deflate, gzip;q=0.5"));
  CHECK(acceptsGzip("x-gzip"));
  CHECK(acceptsGzip("*"));
  CHECK(acceptsGzip("br, *;q=0.1"));
  CHECK(acceptsGzip("gzip; q=1.0, identity; q=0.5, *;q=0"));
  CHECK_FALSE(acceptsGzip(""));
  CHECK_FALSE(acceptsGzip("identity"));
  CHECK_FALSE(acceptsGzip("gzip;q=0"));
  CHECK_FALSE(acceptsGzip("gzip;q=0.000"));
  CHECK_FALSE(acceptsGzip("*, gzip;q=0"));
  CHECK_FALSE(acceptsGzip("*;q=0"));
  CHECK_FALSE(acceptsGzip("gzip;q=abc"));
  CHECK_FALSE(acceptsGzip("gzipx"));
}

TEST_CASE("a compressible response is gzipped only when the client asks for it") {
  std::string big;
  for (int i = 0; i < 20000; ++i) {
    big += "probe_success{shop=\"acme\",env=\"production\",check=\"c" + std::to_string(i) + "\"} 1\n";
  }
  HttpServer server;
  server.route("GET", "/metrics", [&big](const HttpRequest&) {
    auto res = text(big);
    res.compressible = true;
    return res;
  });
  server.route("GET", "/plain", [&big](const HttpRequest&) { return text(big); });
  REQUIRE(server.start().ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  using shopwatch::testing::webRequest;

  const auto zipped = webRequest({.url = base + "/metrics", .headers = {"Accept-Encoding: gzip"}});
  REQUIRE(zipped.status == 200);
  CHECK(zipped.headers.at("content-encoding") == "gzip");
  CHECK(zipped.headers.at("vary") == "Accept-Encoding");
  const auto inflated = shopwatch::testing::gunzip(zipped.body);
  REQUIRE(inflated);
  CHECK(*inflated == big);
  CHECK(zipped.body.size() * 10 < big.size());

  const auto plain = webRequest({.url = base + "/metrics"});
  CHECK(plain.body == big);
  CHECK(plain.headers.count("content-encoding") == 0);
  CHECK(plain.headers.at("vary") == "Accept-Encoding");

  const auto refused = webRequest({.url = base + "/metrics", .headers = {"Accept-Encoding: gzip;q=0, identity"}});
  CHECK(refused.body == big);
  CHECK(refused.headers.count("content-encoding") == 0);

  // A route that did not opt in is never compressed.
  const auto other = webRequest({.url = base + "/plain", .headers = {"Accept-Encoding: gzip"}});
  CHECK(other.body == big);
  CHECK(other.headers.count("content-encoding") == 0);
}
