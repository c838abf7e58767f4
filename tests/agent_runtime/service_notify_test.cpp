// systemd integration (Type=notify): the watchdog's heartbeat gate, ServiceNotifier in this process,
// and `shopwatch run` as systemd would start it — NOTIFY_SOCKET and WATCHDOG_USEC pointing at a
// socket this test owns: READY=1 once the endpoint answers, WATCHDOG=1 pings, RELOADING=1/READY=1
// around SIGHUP, STOPPING=1 on SIGTERM. All traffic stays on 127.0.0.1.

#include <catch2/catch.hpp>

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "fake_http_server.h"
#include "listen_port.h"
#include "service_notifier.h"
#include "service_process.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::runtime::HeartbeatGate;
using shopwatch::agent::runtime::ServiceNotifier;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::field;
using shopwatch::testing::httpGet;
using shopwatch::testing::NotifySocket;
using shopwatch::testing::readFile;
using shopwatch::testing::ServiceChild;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

const std::string kShopwatch = SHOPWATCH_EXE;  // $<TARGET_FILE:shopwatch>, a build dependency


/// Sets environment variables for one test and restores them afterwards.
class EnvGuard {
 public:
  explicit EnvGuard(std::initializer_list<const char*> names) {
    for (const char* n : names) {
      const char* v = std::getenv(n);
      saved_.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
    }
  }
  ~EnvGuard() {
    for (const auto& [n, v] : saved_) {
      if (v) {
        setenv(n.c_str(), v->c_str(), 1);
      } else {
        unsetenv(n.c_str());
      }
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

std::uint64_t monotonicMicros() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000U + static_cast<std::uint64_t>(ts.tv_nsec) / 1000U;
}

std::string agentConfig(const FakeHttpServer& shop, const TempDir& dir) {
  return "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " +
         (dir.path() / "acme.db").string() + "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
         "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n    checks:\n"
         "      - name: home\n        url: /home\n      - name: cart\n        url: /cart\n";
}

void requireBinary() {
  INFO("the shopwatch binary is missing at " << kShopwatch << " (build target `shopwatch`)");
  REQUIRE(std::filesystem::exists(kShopwatch));
}

}  // namespace

TEST_CASE("the watchdog's heartbeat gate stays open while the counter moves and closes after it stood still too long") {
  using std::chrono::steady_clock;
  HeartbeatGate gate(2s);
  const steady_clock::time_point t0{};
  CHECK(gate.observe(7, t0));         // first sight counts as movement
  CHECK(gate.observe(7, t0 + 1s));    // still for 1 s: within the interval
  CHECK(gate.observe(7, t0 + 2s));    // exactly the interval: still alive
  CHECK_FALSE(gate.observe(7, t0 + 2500ms));
  CHECK(gate.stillFor() == 2500ms);
  CHECK(gate.observe(8, t0 + 3s));    // moved again: alive, timer restarts
  CHECK(gate.stillFor() == 0s);
  CHECK(gate.observe(8, t0 + 4s));
  CHECK_FALSE(gate.observe(8, t0 + 5100ms));
}

TEST_CASE("ServiceNotifier pings the watchdog only while the heartbeat moves, and not at all without WATCHDOG_USEC") {
  EnvGuard env({"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"});
  TempDir dir;
  NotifySocket sock(dir.path() / "notify.sock");
  setenv("NOTIFY_SOCKET", sock.path().c_str(), 1);
  unsetenv("WATCHDOG_PID");

  SECTION("no WATCHDOG_USEC, or a WATCHDOG_PID that is another process: no watchdog") {
    unsetenv("WATCHDOG_USEC");
    ServiceNotifier a;
    CHECK_FALSE(a.startWatchdog([] { return 0U; }));
    setenv("WATCHDOG_USEC", "300000", 1);
    setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
    ServiceNotifier b;
    CHECK_FALSE(b.startWatchdog([] { return 0U; }));
    std::this_thread::sleep_for(400ms);
    CHECK(sock.count("WATCHDOG=1") == 0);
  }

  SECTION("a heartbeat that stops makes the pings stop; moving again resumes them") {
    setenv("WATCHDOG_USEC", "300000", 1);  // pings every 150 ms
    std::atomic<std::uint64_t> beat{0};
    std::atomic<bool> moving{true};
    std::jthread beater([&](std::stop_token stop) {
      while (!stop.stop_requested()) {
        if (moving) ++beat;
        std::this_thread::sleep_for(20ms);
      }
    });
    ServiceNotifier notifier;
    const auto interval = notifier.startWatchdog([&] { return beat.load(); });
    REQUIRE(interval);
    CHECK(*interval == 300ms);
    std::this_thread::sleep_for(1s);
    const std::size_t alive = sock.count("WATCHDOG=1");
    CHECK(alive >= 4);   // ~7 in a second at 150 ms
    CHECK(alive <= 10);

    moving = false;
    std::this_thread::sleep_for(500ms);  // > the interval: the gate has closed
    const std::size_t at_stall = sock.count("WATCHDOG=1");
    std::this_thread::sleep_for(1s);
    CHECK(sock.count("WATCHDOG=1") == at_stall);  // withheld: systemd would restart us

    moving = true;
    REQUIRE(waitUntil([&] { return sock.count("WATCHDOG=1") > at_stall; }, 1s));

    notifier.stopping();
    REQUIRE(sock.next("STOPPING=1", 1s));
    const std::size_t at_stop = sock.count("WATCHDOG=1");
    std::this_thread::sleep_for(400ms);
    CHECK(sock.count("WATCHDOG=1") == at_stop);  // the thread is gone
  }
}

TEST_CASE("shopwatch run under a notify socket: READY=1 when serving, watchdog pings, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM") {
  requireBinary();
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 200, "ok");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", agentConfig(shop, dir));
  NotifySocket sock(dir.path() / "notify.sock");
  const auto log = dir.path() / "agent.log";
  // No WATCHDOG_PID: sd_watchdog_enabled() then accepts WATCHDOG_USEC for whichever pid reads it.
  ServiceChild agent({kShopwatch, "run", "-c", cfg.string()}, dir.path(), log,
                     {{"NOTIFY_SOCKET", sock.path().string()}, {"WATCHDOG_USEC", "2000000"}});

  const auto ready = sock.next("READY=1", 20s);
  INFO("agent log:\n" << readFile(log));
  REQUIRE(ready);
  // READY=1 comes after start(): the endpoint already answers, without waiting.
  const auto port = shopwatch::testing::listenPortAfter(readFile(log),
                                                        shopwatch::testing::kAgentEndpointMarker);
  REQUIRE(port);
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  CHECK(httpGet(base + "/metrics").status == 200);
  const auto status = field(*ready, "STATUS");
  REQUIRE(status);
  CHECK(*status == "probing 2 checks, endpoint " + base + "/metrics");
  CHECK(readFile(log).find("systemd watchdog: 2000 ms") != std::string::npos);

  // Pings every second (half of WATCHDOG_USEC) while the scheduler loop runs.
  const std::size_t before = sock.count("WATCHDOG=1");
  std::this_thread::sleep_for(3500ms);
  const std::size_t pings = sock.count("WATCHDOG=1") - before;
  CHECK(pings >= 3);
  CHECK(pings <= 5);

  // SIGHUP: RELOADING=1 with a current CLOCK_MONOTONIC timestamp, then READY=1 again.
  const std::uint64_t hup_at = monotonicMicros();
  agent.signal(SIGHUP);
  const auto reloading = sock.next("RELOADING=1", 5s);
  REQUIRE(reloading);
  const auto mono = field(*reloading, "MONOTONIC_USEC");
  REQUIRE(mono);
  const std::uint64_t usec = std::stoull(*mono);
  CHECK(usec >= hup_at);
  CHECK(usec < hup_at + 5'000'000U);
  const auto reloaded = sock.next("READY=1", 5s);
  REQUIRE(reloaded);
  CHECK(field(*reloaded, "STATUS") == *status);

  // A bad config: still READY=1 (the old config keeps running), and the status says so.
  dir.write("acme.yaml", "agent:\n  client: acme\nshops: [ this is not valid\n");
  agent.signal(SIGHUP);
  REQUIRE(sock.next("RELOADING=1", 5s));
  const auto failed = sock.next("READY=1", 5s);
  REQUIRE(failed);
  CHECK(field(*failed, "STATUS") == "last reload failed, " + *status);

  // The watchdog keeps pinging after the reloads.
  const std::size_t after_reloads = sock.count("WATCHDOG=1");
  CHECK(waitUntil([&] { return sock.count("WATCHDOG=1") > after_reloads; }, 2500ms));

  agent.signal(SIGTERM);
  CHECK(sock.next("STOPPING=1", 5s));
  CHECK(agent.wait(8s) == 0);
}

TEST_CASE("shopwatch run does not ping a watchdog meant for another process (WATCHDOG_PID)") {
  requireBinary();
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/cart", 200, "ok");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", agentConfig(shop, dir));
  NotifySocket sock(dir.path() / "notify.sock");
  const auto log = dir.path() / "agent.log";
  // pid 1 is never the child: sd_watchdog_enabled() must say no.
  ServiceChild agent({kShopwatch, "run", "-c", cfg.string()}, dir.path(), log,
                     {{"NOTIFY_SOCKET", sock.path().string()},
                      {"WATCHDOG_USEC", "500000"},
                      {"WATCHDOG_PID", "1"}});
  INFO("agent log:\n" << readFile(log));
  REQUIRE(sock.next("READY=1", 20s));
  std::this_thread::sleep_for(1500ms);
  CHECK(sock.count("WATCHDOG=1") == 0);
  agent.signal(SIGTERM);
  CHECK(agent.wait(8s) == 0);
}
