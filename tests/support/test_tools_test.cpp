// The small test tools: the external-program verdict and reading a bound port from a log.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>

#include "closed_port.h"
#include "external_tool.h"
#include "listen_port.h"

using shopwatch::testing::isCiValue;
using shopwatch::testing::kAgentEndpointMarker;
using shopwatch::testing::kPrometheusListenMarker;
using shopwatch::testing::listenPortAfter;
using shopwatch::testing::ToolVerdict;
using shopwatch::testing::toolVerdict;

TEST_CASE("a missing external program fails the test under CI and skips loudly elsewhere") {
  CHECK(toolVerdict(true, "true") == ToolVerdict::Run);
  CHECK(toolVerdict(true, nullptr) == ToolVerdict::Run);
  CHECK(toolVerdict(false, "true") == ToolVerdict::FailUnderCi);
  CHECK(toolVerdict(false, "1") == ToolVerdict::FailUnderCi);
  CHECK(toolVerdict(false, nullptr) == ToolVerdict::SkipLoudly);
  CHECK(toolVerdict(false, "") == ToolVerdict::SkipLoudly);
  CHECK(toolVerdict(false, "false") == ToolVerdict::SkipLoudly);
  CHECK(toolVerdict(false, "0") == ToolVerdict::SkipLoudly);
  CHECK(isCiValue("yes"));
}

TEST_CASE("the agent's bound port is read from its start-up log line") {
  const std::string log =
      "[2026-01-01 10:00:00.000] [info] opening database\n"
      "[2026-01-01 10:00:00.010] [info] agent started: 2 checks, endpoint "
      "http://127.0.0.1:41234/metrics\n";
  CHECK(listenPortAfter(log, kAgentEndpointMarker) == std::uint16_t{41234});
  CHECK(listenPortAfter("agent started: 1 checks, endpoint http://[::1]:9834/metrics",
                        kAgentEndpointMarker) == std::uint16_t{9834});
  CHECK_FALSE(listenPortAfter("[info] opening database\n", kAgentEndpointMarker));
  CHECK_FALSE(listenPortAfter("endpoint http://127.0.0.1:0/metrics", kAgentEndpointMarker));
  CHECK_FALSE(listenPortAfter("endpoint http://127.0.0.1:", kAgentEndpointMarker));  // half written
}

TEST_CASE("Prometheus's bound port is read from its Listening on line, not the configured :0") {
  const std::string log =
      "ts=... level=info component=web msg=\"Start listening for connections\" "
      "address=127.0.0.1:0\n"
      "ts=... level=info component=web msg=\"Listening on\" address=127.0.0.1:45413\n";
  CHECK(listenPortAfter(log, kPrometheusListenMarker) == std::uint16_t{45413});
}

TEST_CASE("waiting for a port returns it once the log file has it and nullopt when it never does") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("shopwatch-listen-port-" + std::to_string(::getpid()) + ".log");
  std::ofstream(path) << "agent started: 1 checks, endpoint http://127.0.0.1:5555/metrics\n";
  CHECK(shopwatch::testing::waitForListenPort(path, kAgentEndpointMarker,
                                              std::chrono::milliseconds{0}) == std::uint16_t{5555});
  std::ofstream(path, std::ios::trunc) << "nothing yet\n";
  CHECK_FALSE(shopwatch::testing::waitForListenPort(path, kAgentEndpointMarker,
                                                    std::chrono::milliseconds{0}));
  std::filesystem::remove(path);
}

TEST_CASE("a closed loopback port refuses connections while it is held") {
  shopwatch::testing::ClosedLoopbackPort closed;
  REQUIRE(closed.port() != 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(closed.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  CHECK(rc != 0);
  CHECK(err == ECONNREFUSED);
  // Nobody else can take the port meanwhile.
  const int other = ::socket(AF_INET, SOCK_STREAM, 0);
  const int bound = ::bind(other, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::close(other);
  CHECK(bound != 0);
}
