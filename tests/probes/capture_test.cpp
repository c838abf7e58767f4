// HttpRequest::capture: the final response's headers (as sent, in order), HTTP version, decoded
// body, wire size and redirect chain; and that a request without it records none of this.
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "fake_http_server.h"
#include "probe_test_support.h"
#include "shopwatch/core/check.h"
#include "shopwatch/probes/http_probe_engine.h"

using namespace std::chrono_literals;
using shopwatch::core::Check;
using shopwatch::core::FailureReason;
using shopwatch::core::ProbeResult;
using shopwatch::probes::probeOnce;
using shopwatch::probes::test::specFor;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string gzipped(const std::string& text) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Check captureSpec(const std::string& url) {
  Check check = specFor(url);
  check.http()->request.capture = true;
  return check;
}

std::vector<std::string> valuesOf(const Headers& headers, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::string repeated(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("capture records the final headers as sent, in order, one per line", "[probes][capture]") {
  FakeHttpServer server;
  server.respond("/", FakeResponse{200,
                                   {{"Content-Type", "text/html; charset=utf-8"},
                                    {"Set-Cookie", "sid=abc; Path=/; HttpOnly"},
                                    {"X-Shop-Node", "web-3"},
                                    {"Set-Cookie", "lang=de; Path=/"},
                                    {"Cache-Control", "no-cache"}},
                                   "<html>Warenkorb</html>"});
  const ProbeResult r = probeOnce(captureSpec(server.url("/")));
  INFO(r.message);
  REQUIRE(r.success);
  REQUIRE(r.captured);
  const auto& c = *r.captured;
  CHECK(c.http_version == "1.1");
  CHECK(valuesOf(c.headers, "Set-Cookie") ==
        std::vector<std::string>{"sid=abc; Path=/; HttpOnly", "lang=de; Path=/"});
  CHECK(valuesOf(c.headers, "X-Shop-Node") == std::vector<std::string>{"web-3"});
  CHECK(valuesOf(c.headers, "Cache-Control") == std::vector<std::string>{"no-cache"});
  // Order as sent: the first Set-Cookie comes before X-Shop-Node, the second after it.
  std::vector<std::string> names;
  for (const auto& h : c.headers) names.push_back(h.first);
  auto at = [&names](const std::string& n) {
    return std::find(names.begin(), names.end(), n) - names.begin();
  };
  CHECK(at("Set-Cookie") < at("X-Shop-Node"));
  CHECK(at("X-Shop-Node") < at("Cache-Control"));
  CHECK(c.body == "<html>Warenkorb</html>");
  CHECK(c.wire_bytes == c.body.size());
  CHECK(c.redirect_chain.empty());
  // No Accept-Encoding of libcurl's own: the request had none.
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers.count("accept-encoding") == 0);
}

TEST_CASE("capture records the redirect chain and the last hop's response", "[probes][capture]") {
  FakeHttpServer server;
  server.redirect("/old", "/moved", 301);
  server.redirect("/moved", "/shop/", 302);
  server.respond("/shop/", FakeResponse{200, {{"Content-Type", "text/html"}, {"X-Final", "yes"}}, "home"});
  const ProbeResult r = probeOnce(captureSpec(server.url("/old")));
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(r.redirects == 2);
  REQUIRE(r.captured);
  CHECK(r.captured->redirect_chain ==
        std::vector<std::string>{server.url("/old"), server.url("/moved")});
  CHECK(valuesOf(r.captured->headers, "X-Final") == std::vector<std::string>{"yes"});
  CHECK(valuesOf(r.captured->headers, "Location").empty());
  CHECK(r.captured->body == "home");
  CHECK(r.final_url == server.url("/shop/"));
}

TEST_CASE("capture decodes a gzip body and reports its wire size", "[probes][capture]") {
  FakeHttpServer server;
  const std::string css = repeated(".product-tile { margin: 0 auto; padding: 4px; }\n", 400);
  const std::string wire = gzipped(css);
  REQUIRE(wire.size() < css.size() / 10);
  server.respond("/app.css", FakeResponse{200,
                                          {{"Content-Type", "text/css"}, {"Content-Encoding", "gzip"}},
                                          wire});
  Check check = captureSpec(server.url("/app.css"));
  check.http()->request.headers.emplace_back("Accept-Encoding", "gzip, deflate, br");
  const ProbeResult r = probeOnce(check);
  INFO(r.message);
  REQUIRE(r.success);
  REQUIRE(r.captured);
  CHECK(r.captured->body == css);
  CHECK(r.captured->wire_bytes == wire.size());
  CHECK(r.bytes == css.size());  // ProbeResult::bytes counts what was delivered (decoded)
  CHECK(valuesOf(r.captured->headers, "Content-Encoding") == std::vector<std::string>{"gzip"});
  // The request's own Accept-Encoding went out, not libcurl's list.
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers.at("accept-encoding") == "gzip, deflate, br");
}

TEST_CASE("max_body bounds a captured body after decoding", "[probes][capture]") {
  FakeHttpServer server;
  const std::string wire = gzipped(std::string(200 * 1024, 'a'));  // a few hundred bytes
  server.respond("/bomb", FakeResponse{200, {{"Content-Encoding", "gzip"}}, wire});
  Check check = captureSpec(server.url("/bomb"));
  check.http()->request.max_body = 16 * 1024;
  const ProbeResult r = probeOnce(check);
  CHECK_FALSE(r.success);
  CHECK(r.failure == FailureReason::BodyTooLarge);
  REQUIRE(r.captured);  // what it got: the headers
  CHECK(valuesOf(r.captured->headers, "Content-Encoding") == std::vector<std::string>{"gzip"});
}

TEST_CASE("capture keeps the response of a failed status", "[probes][capture]") {
  FakeHttpServer server;
  server.respond("/gone", FakeResponse{404, {{"Content-Type", "text/plain"}}, "not here"});
  const ProbeResult r = probeOnce(captureSpec(server.url("/gone")));
  CHECK(r.failure == FailureReason::HttpStatus);
  REQUIRE(r.captured);
  CHECK(r.captured->body == "not here");
  CHECK(r.captured->http_version == "1.1");
}

TEST_CASE("without capture nothing is captured and bodies are not decoded", "[probes][capture]") {
  FakeHttpServer server;
  const std::string wire = gzipped(repeated("hello ", 1000));
  server.respond("/", FakeResponse{200, {{"Content-Encoding", "gzip"}, {"Set-Cookie", "a=b"}}, wire});
  Check check = specFor(server.url("/"));
  check.http()->request.headers.emplace_back("Accept-Encoding", "gzip");
  const ProbeResult r = probeOnce(check);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK_FALSE(r.captured.has_value());
  CHECK(r.bytes == wire.size());  // as before: the bytes as they came
}
