// A failed run keeps the phases it completed (as blackbox_exporter does).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "fake_http_server.h"
#include "probe_test_support.h"
#include "shopwatch/probes/http_probe_engine.h"

using namespace std::chrono_literals;
using shopwatch::core::FailureReason;
using shopwatch::probes::probeOnce;
using shopwatch::probes::test::setTimeout;
using shopwatch::probes::test::specFor;
using shopwatch::testing::FakeHttpServer;

namespace {

// A socket on 127.0.0.1 that listens but never accepts: the kernel completes TCP handshakes, and
// nobody ever reads or answers.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  SilentListener(SilentListener&&) = delete;
  SilentListener& operator=(SilentListener&&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

FakeHttpServer::Options selfSignedTls() {
  FakeHttpServer::Options so;
  so.tls = true;
  so.certificate = shopwatch::testing::makeSelfSignedCertificate("localhost", -1h, 48h);
  return so;
}

}  // namespace

TEST_CASE("a TLS failure keeps its connect and handshake time", "[probes][phases]") {
  FakeHttpServer server(selfSignedTls());
  server.status("/", 200, "ok");
  auto r = probeOnce(specFor(server.url("/")));  // verification on: the certificate is untrusted
  REQUIRE(r.failure == FailureReason::Tls);
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.tls > 0us);
  CHECK(r.phases.processing == 0us);
  CHECK(r.phases.transfer == 0us);
  CHECK(r.phases.resolve + r.phases.connect + r.phases.tls <= r.duration);
}

TEST_CASE("a TLS failure on a host name keeps its resolve time too", "[probes][phases]") {
  FakeHttpServer server(selfSignedTls());
  server.status("/", 200, "ok");
  // The certificate names "localhost", so this fails on trust, after resolving the name.
  auto r = probeOnce(specFor(server.urlWithHost("localhost", "/")));
  REQUIRE(r.failure == FailureReason::Tls);
  CHECK(r.phases.resolve > 0us);
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.tls > 0us);
}

TEST_CASE("a timeout in the TLS handshake keeps its connect time and says where it stuck",
          "[probes][phases]") {
  SilentListener silent;
  auto check = specFor("https://127.0.0.1:" + std::to_string(silent.port()) + "/");
  setTimeout(check, 300ms);
  auto r = probeOnce(check);
  REQUIRE(r.failure == FailureReason::Timeout);
  CHECK(r.message.find("in the TLS handshake with 127.0.0.1:") != std::string::npos);
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.tls > 0us);
  CHECK(r.phases.connect + r.phases.tls <= r.duration);
}

TEST_CASE("a timeout waiting for the answer keeps connect and counts the wait as processing",
          "[probes][phases]") {
  SilentListener silent;
  auto check = specFor("http://127.0.0.1:" + std::to_string(silent.port()) + "/");
  setTimeout(check, 300ms);
  auto r = probeOnce(check);
  REQUIRE(r.failure == FailureReason::Timeout);
  CHECK(r.message.find("waiting for the response") != std::string::npos);
  CHECK(r.phases.connect > 0us);
  // The whole time after connecting went into waiting for the server.
  CHECK(r.phases.processing > 0us);
  CHECK(r.phases.processing + r.phases.connect + r.phases.resolve <= r.duration);
  CHECK(r.phases.transfer == 0us);
}

TEST_CASE("a timeout during the body keeps processing and the transfer so far",
          "[probes][phases]") {
  FakeHttpServer server;
  server.slowBody("/slow", 100000, 100, 50ms);  // far longer than the timeout
  auto check = specFor(server.url("/slow"));
  setTimeout(check, 400ms);
  auto r = probeOnce(check);
  REQUIRE(r.failure == FailureReason::Timeout);
  CHECK(r.message.find("reading the body") != std::string::npos);
  CHECK(r.status_code == 200);
  CHECK(r.bytes > 0);
  CHECK(r.phases.connect > 0us);
  CHECK(r.phases.processing > 0us);
  CHECK(r.phases.transfer > 0us);
  CHECK(r.phases.resolve + r.phases.connect + r.phases.processing + r.phases.transfer <=
        r.duration);
}

TEST_CASE("a refused connection keeps its resolve time", "[probes][phases]") {
  std::uint16_t port = 0;
  {
    FakeHttpServer gone;
    port = gone.port();
  }
  auto r = probeOnce(specFor("http://localhost:" + std::to_string(port) + "/"));
  REQUIRE(r.failure == FailureReason::Connect);
  CHECK(r.phases.resolve > 0us);
  CHECK(r.phases.tls == 0us);
  CHECK(r.phases.processing == 0us);
}
