#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_http_server.h"

using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeRequest;
using shopwatch::testing::FakeResponse;
using shopwatch::testing::TestCertificateAuthority;
using namespace std::chrono_literals;

namespace {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::size_t body_bytes = 0;
  std::string location;  ///< Location of the last response, when not following
  std::chrono::milliseconds elapsed{0};
};

struct FetchOptions {
  std::string ca_pem;  ///< trust anchor for https; empty → no verification
  bool keep_body = true;
  bool follow = false;
  long max_redirects = 5;
  std::string method;
  std::string body;
  std::vector<std::string> headers;
  CURL* reuse = nullptr;  ///< an existing handle, to reuse its connection
  std::string resolve;    ///< a CURLOPT_RESOLVE entry "host:port:127.0.0.1"
};

std::size_t onData(char* data, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<Fetched*>(user);
  out->body_bytes += size * n;
  if (out->body.size() < 1024 * 1024) out->body.append(data, size * n);
  return size * n;
}

void configure(CURL* curl, const std::string& url, const FetchOptions& opts, Fetched& out) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onData);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, opts.follow ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, opts.max_redirects);
  if (!opts.method.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, opts.method.c_str());
  if (!opts.body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, opts.body.c_str());
  if (!opts.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(opts.ca_pem.data()), opts.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  } else {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

void collect(CURL* curl, Fetched& out) {
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  char* location = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
    out.location = location;
  }
}

Fetched fetch(const std::string& url, const FetchOptions& opts = {}) {
  std::unique_ptr<CURL, CurlEasyDeleter> owned;
  CURL* curl = opts.reuse;
  if (curl == nullptr) {
    owned.reset(curl_easy_init());
    curl = owned.get();
  }
  Fetched out;
  configure(curl, url, opts, out);
  std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
  for (const auto& h : opts.headers) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  std::unique_ptr<curl_slist, CurlSlistDeleter> resolve;
  if (!opts.resolve.empty()) resolve.reset(curl_slist_append(nullptr, opts.resolve.c_str()));
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve.get());
  const auto start = std::chrono::steady_clock::now();
  out.code = curl_easy_perform(curl);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  collect(curl, out);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_RESOLVE, nullptr);
  return out;
}

FakeHttpServer::Options tlsOptions() {
  FakeHttpServer::Options options;
  options.tls = true;
  return options;
}

}  // namespace

TEST_CASE("fake server binds an ephemeral loopback port and builds urls") {
  FakeHttpServer server;
  CHECK(server.port() != 0);
  CHECK(server.url("/x") == "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  CHECK(server.urlWithHost("shop.test", "/a?b=1") ==
        "http://shop.test:" + std::to_string(server.port()) + "/a?b=1");
}

TEST_CASE("status route answers with the scripted code and body") {
  FakeHttpServer server;
  server.status("/ok", 200, "hello");
  server.status("/teapot", 418, "short and stout");
  auto ok = fetch(server.url("/ok"));
  REQUIRE(ok.code == CURLE_OK);
  CHECK(ok.status == 200);
  CHECK(ok.body == "hello");
  auto teapot = fetch(server.url("/teapot"));
  REQUIRE(teapot.code == CURLE_OK);
  CHECK(teapot.status == 418);
  CHECK(teapot.body == "short and stout");
}

TEST_CASE("unrouted paths answer 404") {
  FakeHttpServer server;
  auto r = fetch(server.url("/nowhere"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 404);
}

TEST_CASE("a later route for the same path replaces the earlier one") {
  FakeHttpServer server;
  server.status("/p", 200, "first");
  server.status("/p", 503, "second");
  auto r = fetch(server.url("/p"));
  CHECK(r.status == 503);
  CHECK(r.body == "second");
}

TEST_CASE("respond sends custom headers and the handler sees the request") {
  FakeHttpServer server;
  server.respond("/h", FakeResponse{201, {{"X-Test", "yes"}, {"Content-Type", "text/html"}},
                                    "<p>hi</p>"});
  server.route("/echo", [](const FakeRequest& req) {
    return FakeResponse{200, {}, req.method + " " + req.target + " " + req.body + " " +
                                     (req.headers.count("x-probe") ? req.headers.at("x-probe")
                                                                   : std::string("none"))};
  });
  auto h = fetch(server.url("/h"));
  CHECK(h.status == 201);
  CHECK(h.body == "<p>hi</p>");

  FetchOptions post;
  post.body = "payload";
  post.headers = {"X-Probe: abc"};
  auto e = fetch(server.url("/echo?q=1"), post);
  REQUIRE(e.code == CURLE_OK);
  CHECK(e.body == "POST /echo?q=1 payload abc");

  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].method == "POST");
  CHECK(requests[1].path == "/echo");
  CHECK(requests[1].target == "/echo?q=1");
  CHECK(requests[1].headers.at("x-probe") == "abc");
  CHECK(requests[1].body == "payload");
  CHECK(server.requestCount("/echo") == 1);
  CHECK(server.requestCount("/h") == 1);
  CHECK(server.requestCount("/other") == 0);
}

TEST_CASE("a request with Expect: 100-continue gets its body read without the client's wait") {
  FakeHttpServer server;
  server.route("/upload", [](const FakeRequest& req) {
    return FakeResponse{200, {}, std::to_string(req.body.size())};
  });
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  FetchOptions opts;
  opts.reuse = curl.get();
  opts.body = std::string(5000, 'b');
  opts.headers = {"Expect: 100-continue"};
  curl_easy_setopt(curl.get(), CURLOPT_EXPECT_100_TIMEOUT_MS, 5000L);
  auto r = fetch(server.url("/upload"), opts);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.body == "5000");
  CHECK(r.elapsed < 4000ms);
  CHECK(server.requests().at(0).headers.at("expect") == "100-continue");
}

TEST_CASE("delay holds the response back for the scripted time") {
  FakeHttpServer server;
  server.delay("/slow", 300ms, FakeResponse{200, {}, "late"});
  auto r = fetch(server.url("/slow"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.body == "late");
  CHECK(r.elapsed >= 300ms);
}

TEST_CASE("a delayed route longer than the client timeout makes the client time out") {
  FakeHttpServer server;
  server.delay("/slower", 5000ms);
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  FetchOptions opts;
  opts.reuse = curl.get();
  Fetched out;
  configure(curl.get(), server.url("/slower"), opts, out);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 200L);
  CHECK(curl_easy_perform(curl.get()) == CURLE_OPERATION_TIMEDOUT);
}

TEST_CASE("200 concurrent delayed requests are served in parallel") {
  FakeHttpServer server;
  server.delay("/d", 500ms, FakeResponse{200, {}, "ok"});
  constexpr int kCount = 200;
  std::unique_ptr<CURLM, CurlMultiDeleter> multi(curl_multi_init());
  std::vector<std::unique_ptr<CURL, CurlEasyDeleter>> easies;
  std::vector<Fetched> results(kCount);
  for (int i = 0; i < kCount; ++i) {
    easies.emplace_back(curl_easy_init());
    configure(easies.back().get(), server.url("/d"), {}, results[static_cast<std::size_t>(i)]);
    curl_multi_add_handle(multi.get(), easies.back().get());
  }
  const auto start = std::chrono::steady_clock::now();
  int running = 0;
  do {
    curl_multi_perform(multi.get(), &running);
    if (running) curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
  } while (running);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  int ok = 0;
  for (auto& e : easies) {
    long status = 0;
    curl_easy_getinfo(e.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) ++ok;
    curl_multi_remove_handle(multi.get(), e.get());
  }
  CHECK(ok == kCount);
  CHECK(server.requestCount("/d") == kCount);
  // Serially this would take 100 s; in parallel it is one delay plus overhead.
  CHECK(elapsed < 10s);
}

TEST_CASE("drop closes the connection without an answer") {
  FakeHttpServer server;
  server.drop("/gone");
  auto r = fetch(server.url("/gone"));
  CHECK(r.code == CURLE_GOT_NOTHING);
  CHECK(server.requestCount("/gone") == 1);
}

TEST_CASE("redirect answers with the status and Location header") {
  FakeHttpServer server;
  server.redirect("/old", "/new", 301);
  server.status("/new", 200, "moved here");
  auto r = fetch(server.url("/old"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 301);
  CHECK(r.location == server.url("/new"));
  FetchOptions follow;
  follow.follow = true;
  auto f = fetch(server.url("/old"), follow);
  REQUIRE(f.code == CURLE_OK);
  CHECK(f.status == 200);
  CHECK(f.body == "moved here");
}

TEST_CASE("keep-alive connections are reused and counted once") {
  FakeHttpServer server;
  server.status("/k", 200, "k");
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  FetchOptions opts;
  opts.reuse = curl.get();
  for (int i = 0; i < 3; ++i) CHECK(fetch(server.url("/k"), opts).status == 200);
  CHECK(server.connectionCount() == 1);
  CHECK(fetch(server.url("/k")).status == 200);
  CHECK(server.connectionCount() == 2);
}

TEST_CASE("redirectLoop redirects to itself until the client gives up") {
  FakeHttpServer server;
  server.redirectLoop("/loop");
  auto r = fetch(server.url("/loop?x=1"));
  CHECK(r.status == 302);
  CHECK(r.location == server.url("/loop?x=1"));
  FetchOptions follow;
  follow.follow = true;
  follow.max_redirects = 4;
  auto f = fetch(server.url("/loop"), follow);
  CHECK(f.code == CURLE_TOO_MANY_REDIRECTS);
  CHECK(server.requestCount("/loop") == 1 + 5);
}

TEST_CASE("reset aborts the connection with a TCP RST") {
  FakeHttpServer server;
  server.reset("/rst");
  auto r = fetch(server.url("/rst"));
  CHECK(r.code == CURLE_RECV_ERROR);
  CHECK(r.status == 0);
  CHECK(server.requestCount("/rst") == 1);
}

TEST_CASE("resetMidBody sends headers and part of the body, then resets") {
  FakeHttpServer server;
  server.resetMidBody("/half");
  auto r = fetch(server.url("/half"));
  CHECK((r.code == CURLE_RECV_ERROR || r.code == CURLE_PARTIAL_FILE));
  CHECK(r.status == 200);
  CHECK(r.body_bytes > 0);
  CHECK(r.body_bytes < 100000);
}

TEST_CASE("slowBody trickles the announced body with pauses") {
  FakeHttpServer server;
  server.slowBody("/trickle", 1000, 250, 100ms);
  auto r = fetch(server.url("/trickle"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.body_bytes == 1000);
  CHECK(r.elapsed >= 300ms);  // three pauses between four chunks
}

TEST_CASE("slowBody longer than the client timeout times the client out mid-body") {
  FakeHttpServer server;
  server.slowBody("/trickle", 1000, 10, 100ms);
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  Fetched out;
  configure(curl.get(), server.url("/trickle"), {}, out);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 300L);
  CHECK(curl_easy_perform(curl.get()) == CURLE_OPERATION_TIMEDOUT);
  CHECK(out.body_bytes > 0);
  CHECK(out.body_bytes < 1000);
}

TEST_CASE("hugeBody streams exactly the requested number of bytes") {
  FakeHttpServer server;
  constexpr std::size_t kBytes = 50 * 1024 * 1024 + 123;
  server.hugeBody("/big", kBytes);
  auto r = fetch(server.url("/big"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.body_bytes == kBytes);
}

TEST_CASE("hugeBody stays usable after the client aborts the download") {
  FakeHttpServer server;
  server.hugeBody("/big", std::size_t{1} << 34);
  server.status("/ok", 200, "still here");
  std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
  Fetched out;
  configure(curl.get(), server.url("/big"), {}, out);
  curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE, curl_off_t{1 << 20});
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 500L);
  CHECK(curl_easy_perform(curl.get()) != CURLE_OK);
  CHECK(fetch(server.url("/ok")).body == "still here");
}

TEST_CASE("badChunking makes the client fail to decode the body") {
  FakeHttpServer server;
  server.badChunking("/chunks");
  auto r = fetch(server.url("/chunks"));
  CHECK(r.code == CURLE_RECV_ERROR);
  CHECK(r.status == 200);
}

TEST_CASE("garbage answers with bytes that are not HTTP") {
  FakeHttpServer server;
  server.garbage("/junk");
  auto r = fetch(server.url("/junk"));
  CHECK(r.code != CURLE_OK);
  CHECK(r.status == 0);
  CHECK(server.requestCount("/junk") == 1);
}

TEST_CASE("the server stops promptly with connections and delays still open") {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURLM, CurlMultiDeleter> multi(curl_multi_init());
  std::vector<std::unique_ptr<CURL, CurlEasyDeleter>> easies;
  std::vector<Fetched> results(3);
  {
    FakeHttpServer server;
    server.delay("/forever", 60s);
    server.slowBody("/slow", 1000000, 1, 1000ms);
    server.hugeBody("/big", std::size_t{1} << 34);
    const char* paths[] = {"/forever", "/slow", "/big"};
    for (std::size_t i = 0; i < 3; ++i) {
      easies.emplace_back(curl_easy_init());
      configure(easies.back().get(), server.url(paths[i]), {}, results[i]);
      curl_multi_add_handle(multi.get(), easies.back().get());
    }
    int running = 0;
    while (server.requestCount("/forever") + server.requestCount("/slow") +
               server.requestCount("/big") < 3 &&
           std::chrono::steady_clock::now() - start < 10s) {
      curl_multi_perform(multi.get(), &running);
      curl_multi_poll(multi.get(), nullptr, 0, 20, nullptr);
    }
  }
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  for (auto& e : easies) curl_multi_remove_handle(multi.get(), e.get());
}

TEST_CASE("tls server presents a generated self-signed certificate that verifies") {
  FakeHttpServer server(tlsOptions());
  server.status("/secure", 200, "tls ok");
  REQUIRE_FALSE(server.certificate().cert_pem.empty());
  CHECK(server.url("/secure").rfind("https://127.0.0.1:", 0) == 0);
  FetchOptions opts;
  opts.ca_pem = server.certificate().cert_pem;
  auto r = fetch(server.url("/secure"), opts);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.body == "tls ok");
  opts.resolve = "localhost:" + std::to_string(server.port()) + ":127.0.0.1";
  auto by_name = fetch(server.urlWithHost("localhost", "/secure"), opts);
  CHECK(by_name.code == CURLE_OK);
}

TEST_CASE("tls certificate issued by the test CA verifies against the CA") {
  TestCertificateAuthority ca;
  FakeHttpServer server(FakeHttpServer::Options{
      .tls = true, .certificate = ca.issue("shop.test", -1h, 24h)});
  server.status("/", 200, "shop");
  FetchOptions opts;
  opts.ca_pem = ca.ca().cert_pem;
  auto r = fetch(server.url("/"), opts);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.body == "shop");
  opts.resolve = "shop.test:" + std::to_string(server.port()) + ":127.0.0.1";
  CHECK(fetch(server.urlWithHost("shop.test", "/"), opts).code == CURLE_OK);
  opts.resolve = "other.test:" + std::to_string(server.port()) + ":127.0.0.1";
  CHECK(fetch(server.urlWithHost("other.test", "/"), opts).code == CURLE_PEER_FAILED_VERIFICATION);
}

TEST_CASE("tls certificate from another CA fails verification") {
  TestCertificateAuthority ca;
  TestCertificateAuthority other;
  FakeHttpServer server(FakeHttpServer::Options{
      .tls = true, .certificate = ca.issue("localhost", -1h, 24h)});
  server.status("/", 200, "shop");
  FetchOptions opts;
  opts.ca_pem = other.ca().cert_pem;
  CHECK(fetch(server.url("/"), opts).code == CURLE_PEER_FAILED_VERIFICATION);
  CHECK(server.requestCount("/") == 0);
}

TEST_CASE("an expired tls certificate is rejected by verification") {
  TestCertificateAuthority ca;
  FakeHttpServer server(FakeHttpServer::Options{
      .tls = true, .certificate = ca.issue("localhost", -48h, -24h)});
  server.status("/", 200, "stale");
  FetchOptions opts;
  opts.ca_pem = ca.ca().cert_pem;
  CHECK(fetch(server.url("/"), opts).code == CURLE_PEER_FAILED_VERIFICATION);
  FetchOptions insecure;
  auto r = fetch(server.url("/"), insecure);
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.body == "stale");
}

TEST_CASE("fault routes work over tls too") {
  FakeHttpServer server(tlsOptions());
  server.hugeBody("/big", 3 * 1024 * 1024 + 7);
  server.resetMidBody("/half");
  server.drop("/gone");
  server.delay("/slow", 200ms, FakeResponse{200, {}, "late"});
  FetchOptions opts;
  opts.ca_pem = server.certificate().cert_pem;
  auto big = fetch(server.url("/big"), opts);
  REQUIRE(big.code == CURLE_OK);
  CHECK(big.body_bytes == 3 * 1024 * 1024 + 7);
  auto half = fetch(server.url("/half"), opts);
  CHECK(half.code != CURLE_OK);
  CHECK(half.status == 200);
  CHECK(fetch(server.url("/gone"), opts).code != CURLE_OK);
  auto slow = fetch(server.url("/slow"), opts);
  CHECK(slow.body == "late");
  CHECK(slow.elapsed >= 200ms);
}
