// The `shopwatch` binary as a process: signals (SIGHUP good and bad config, SIGTERM timing) and a
// real Prometheus scraping it. All traffic stays on 127.0.0.1.

#include <catch2/catch.hpp>

#include "external_tool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "fake_http_server.h"
#include "listen_port.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::sampleValue;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitForListenPort;
using shopwatch::testing::waitUntil;

namespace {

const std::string kShopwatch = SHOPWATCH_CLI_BINARY;  // $<TARGET_FILE:shopwatch>, a build dependency

/// A child process with stdout+stderr in a file; killed (SIGKILL) and reaped if still running.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    // Built before fork(): the test runs threads, so the child may only make async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void signal(int sig) const { kill(pid_, sig); }
  /// Waits up to `timeout` for the exit; the exit code, or -1 on timeout / death by signal.
  int wait(std::chrono::milliseconds timeout) {
    int status = 0;
    const bool done = waitUntil(
        [&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
    if (!done) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The agent binds port 0 and logs the port it got (a port picked up front could be taken by a
// parallel test before the agent binds it).
std::string agentConfig(const FakeHttpServer& shop, const TempDir& dir,
                        const std::vector<std::string>& checks) {
  std::string yaml = "agent:\n  client: acme\n  listen: 127.0.0.1:0"
                     "\n  database: " + (dir.path() / "acme.db").string() +
                     "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
                     "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n      confirm_delay: 200ms\n    checks:\n";
  for (const auto& c : checks) {
    yaml += "      - name: " + c + "\n        url: /" + c + "\n";
    // A run that hangs up to its 4 s timeout: SIGTERM must still end the process within 5 s.
    if (c == "slow") yaml += "        interval: 4s\n        timeout: 4s\n";
  }
  return yaml;
}

std::string series(const std::string& family, const std::string& check) {
  return family + "{shop=\"shop\",env=\"production\",check=\"" + check + "\"}";
}

/// The binary is a build dependency of this test: its absence is a broken build, not a skip.
void requireBinary() {
  INFO("the shopwatch binary is missing at " << kShopwatch << " (build target `shopwatch`)");
  REQUIRE(std::filesystem::exists(kShopwatch));
}

}  // namespace

TEST_CASE("shopwatch run reloads on SIGHUP, keeps the old config when the new one is bad, and stops on SIGTERM within 5 s") {
  requireBinary();
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  shop.status("/new", 200, "ok");
  shop.delay("/slow", 30s);  // a run hanging in flight when SIGTERM arrives
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", agentConfig(shop, dir, {"home", "slow"}));
  Child agent({kShopwatch, "run", "-c", cfg.string()}, dir.path() / "agent.log");
  const auto port =
      waitForListenPort(dir.path() / "agent.log", shopwatch::testing::kAgentEndpointMarker, 30s);
  INFO("agent log:\n" << readFile(dir.path() / "agent.log"));
  REQUIRE(port);
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  const bool up = waitUntil(
      [&] { return sampleValue(httpGet(base + "/metrics").body, series("probe_success", "home")) == 1.0; },
      20s);
  INFO("agent log:\n" << readFile(dir.path() / "agent.log"));
  REQUIRE(up);

  // A good config: the new check appears, the removed one disappears.
  dir.write("acme.yaml", agentConfig(shop, dir, {"home", "new"}));
  agent.signal(SIGHUP);
  REQUIRE(waitUntil(
      [&] { return sampleValue(httpGet(base + "/metrics").body, series("probe_success", "new")) == 1.0; },
      20s));
  auto m = httpGet(base + "/metrics").body;
  CHECK(m.find("check=\"slow\"") == std::string::npos);
  CHECK(sampleValue(m, "shopwatch_config_last_reload_successful") == 1.0);

  // A bad config: rejected, logged, gauge 0, the old checks keep running.
  dir.write("acme.yaml", "agent:\n  client: acme\nshops: [ this is not valid\n");
  agent.signal(SIGHUP);
  REQUIRE(waitUntil(
      [&] {
        return sampleValue(httpGet(base + "/metrics").body,
                           "shopwatch_config_last_reload_successful") == 0.0;
      },
      20s));
  m = httpGet(base + "/metrics").body;
  CHECK(sampleValue(m, series("probe_success", "new")) == 1.0);
  CHECK(readFile(dir.path() / "agent.log").find("reload") != std::string::npos);

  // SIGTERM with a run hanging in flight: exit 0 within 5 s.
  dir.write("acme.yaml", agentConfig(shop, dir, {"home", "slow"}));
  agent.signal(SIGHUP);
  REQUIRE(waitUntil([&] { return shop.requestCount("/slow") >= 1; }, 6s));
  const auto begin = std::chrono::steady_clock::now();
  agent.signal(SIGTERM);
  const int code = agent.wait(6s);
  const auto took = std::chrono::steady_clock::now() - begin;
  CHECK(code == 0);
  CHECK(took < 5s);
}

TEST_CASE("a real Prometheus scrapes the agent and reads probe_success back") {
  requireBinary();
  const std::string prometheus = "/usr/bin/prometheus";
  if (!shopwatch::testing::externalToolAvailable(prometheus, "Prometheus scrape test")) return;
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  TempDir dir;
  const auto cfg = dir.write("acme.yaml", agentConfig(shop, dir, {"home"}));
  Child agent({kShopwatch, "run", "-c", cfg.string()}, dir.path() / "agent.log");
  const auto agent_port =
      waitForListenPort(dir.path() / "agent.log", shopwatch::testing::kAgentEndpointMarker, 30s);
  INFO("agent log:\n" << readFile(dir.path() / "agent.log"));
  REQUIRE(agent_port);

  const auto prom_cfg = dir.write(
      "prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        "scrape_configs:\n  - job_name: shopwatch\n    static_configs:\n"
                        "      - targets: ['127.0.0.1:" + std::to_string(*agent_port) + "']\n");
  std::filesystem::create_directories(dir.path() / "tsdb");
  Child server({prometheus, "--config.file=" + prom_cfg.string(),
                "--storage.tsdb.path=" + (dir.path() / "tsdb").string(),
                "--web.listen-address=127.0.0.1:0"},
               dir.path() / "prometheus.log");
  // Prometheus, too, binds port 0 and logs the port it got ("Listening on" address=...).
  const auto prom_port = waitForListenPort(dir.path() / "prometheus.log",
                                           shopwatch::testing::kPrometheusListenMarker, 20s);
  INFO("prometheus log:\n" << readFile(dir.path() / "prometheus.log"));
  REQUIRE(prom_port);
  const std::string prom = "http://127.0.0.1:" + std::to_string(*prom_port);
  const bool prom_ready = waitUntil([&] { return httpGet(prom + "/-/ready").status == 200; }, 20s);
  INFO("prometheus log:\n" << readFile(dir.path() / "prometheus.log"));
  REQUIRE(prom_ready);
  std::string answer;
  const bool got = waitUntil(
      [&] {
        answer = httpGet(prom + "/api/v1/query?query=probe_success%7Bcheck%3D%22home%22%7D").body;
        return answer.find("\"value\":[") != std::string::npos &&
               answer.find("\"1\"]") != std::string::npos;
      },
      30s);
  INFO(answer);
  INFO("agent log:\n" << readFile(dir.path() / "agent.log"));
  CHECK(got);
  CHECK(answer.find("\"shop\":\"shop\"") != std::string::npos);
  server.signal(SIGTERM);
  CHECK(server.wait(10s) == 0);
  agent.signal(SIGTERM);
  CHECK(agent.wait(6s) == 0);
}
