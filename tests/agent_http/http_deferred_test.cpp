// Deferred responses ([E]): heavy handlers (reports, the status page) run on the server's worker
// threads, so a slow one never holds up /metrics on the io thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "shopwatch/agent/http/http_server.h"
#include "test_client.h"

using shopwatch::agent::http::HttpRequest;
using shopwatch::agent::http::HttpResponse;
using shopwatch::agent::http::HttpServer;
using shopwatch::agent::http::HttpServerOptions;
using shopwatch::testing::curlRequest;

namespace {

/// A latch the slow handler waits on, so the test decides when it finishes (no sleeps to time).
class Gate {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds{20}, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

HttpServer& withRoutes(HttpServer& server, Gate& gate, std::atomic<int>& started) {
  server.route("GET", "/slow", [&gate, &started](const HttpRequest&) {
    HttpResponse res;
    res.deferred = [&gate, &started] {
      ++started;
      gate.wait();
      HttpResponse r;
      r.content_type = "application/json";
      r.body = "{\"done\":true}";
      return r;
    };
    return res;
  });
  server.route("GET", "/metrics", [](const HttpRequest&) {
    HttpResponse res;
    res.body = "up 1\n";
    return res;
  });
  server.route("GET", "/throws", [](const HttpRequest&) {
    HttpResponse res;
    res.deferred = []() -> HttpResponse { throw std::runtime_error("boom"); };
    return res;
  });
  return server;
}

bool waitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace

TEST_CASE("a deferred handler runs off the io thread: /metrics answers while it is still working") {
  HttpServerOptions o;
  o.threads = 1;  // one io thread: a blocking handler on it would hold up every other request
  o.worker_threads = 1;
  HttpServer server(o);
  Gate gate;
  std::atomic<int> started{0};
  withRoutes(server, gate, started);
  REQUIRE(server.start());
  const std::string base = "http://" + server.listenAddress();

  auto slow = std::async(std::launch::async, [&] { return curlRequest(base + "/slow"); });
  REQUIRE(waitFor([&] { return started.load() == 1; }));
  // The deferred work is blocked on the gate; the io thread is free.
  const auto metrics = curlRequest(base + "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body == "up 1\n");
  CHECK(slow.wait_for(std::chrono::milliseconds{0}) == std::future_status::timeout);
  gate.open();
  const auto done = slow.get();
  CHECK(done.status == 200);
  CHECK(done.body == "{\"done\":true}");
  server.stop();
}

TEST_CASE("deferred work beyond max_deferred is answered 503 with Retry-After, and an exception 500") {
  HttpServerOptions o;
  o.worker_threads = 1;
  o.max_deferred = 1;
  HttpServer server(o);
  Gate gate;
  std::atomic<int> started{0};
  withRoutes(server, gate, started);
  REQUIRE(server.start());
  const std::string base = "http://" + server.listenAddress();

  std::vector<std::future<shopwatch::testing::CurlReply>> held;
  held.push_back(std::async(std::launch::async, [&] { return curlRequest(base + "/slow"); }));
  // Running: it holds the only slot until the gate opens.
  REQUIRE(waitFor([&] { return started.load() == 1; }));
  const auto busy = curlRequest(base + "/slow");
  CHECK(busy.status == 503);
  CHECK(busy.headers.count("retry-after") == 1);
  gate.open();
  for (auto& f : held) CHECK(f.get().status == 200);
  CHECK(curlRequest(base + "/throws").status == 500);
  CHECK(curlRequest(base + "/slow").status == 200);  // the slots are free again
  server.stop();
}

TEST_CASE("stop() with deferred work still running returns once it finishes and drops queued work") {
  HttpServerOptions o;
  o.worker_threads = 1;
  auto server = std::make_unique<HttpServer>(o);
  Gate gate;
  std::atomic<int> started{0};
  withRoutes(*server, gate, started);
  REQUIRE(server->start());
  const std::string base = "http://" + server->listenAddress();
  auto a = std::async(std::launch::async, [&] { return curlRequest(base + "/slow"); });
  auto b = std::async(std::launch::async, [&] { return curlRequest(base + "/slow"); });
  REQUIRE(waitFor([&] { return started.load() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  auto stopper = std::async(std::launch::async, [&] { server->stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  gate.open();
  stopper.get();
  server.reset();
  CHECK(started.load() == 1);  // the queued one never ran
  a.get();
  b.get();
}
