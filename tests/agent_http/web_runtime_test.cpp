// The agent in process (AgentRuntime) with a `web:` section: TLS + basic auth end to end, 200
// concurrent bad-password requests that must not disturb probing, and a real Prometheus scraping it
// with `scheme: https`, `tls_config` and `basic_auth` (and a wrong password: 401). 127.0.0.1 only.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "external_tool.h"
#include "fake_http_server.h"
#include "listen_port.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "test_client.h"
#include "web_test_support.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::PemFiles;
using shopwatch::testing::webRequest;

namespace {

struct Dir {
  Dir() : path(std::filesystem::temp_directory_path() /
               ("shopwatch-web-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++))) {
    std::filesystem::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
  std::filesystem::path path;
};

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

/// The agent with TLS (server cert of `pem`) and user prom:`password` (bcrypt cost `cost`).
struct SecuredAgent {
  SecuredAgent(const Dir& dir, const PemFiles& pem, const FakeHttpServer& shop, int cost) {
    const std::string yaml =
        "agent:\n  client: acme\n  listen: 127.0.0.1:0\n  database: " + (dir.path / "a.db").string() +
        "\nweb:\n  tls_server_config:\n    cert_file: " + pem.crt("server") + "\n    key_file: " +
        pem.key("server") + "\n  basic_auth_users:\n    prom: '" + shopwatch::testing::bcryptHash("s3cret", cost) +
        "'\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
        "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n    checks:\n      - name: home\n        url: /home\n";
    const auto file = dir.write("acme.yaml", yaml);
    auto loaded = shopwatch::agent::loadConfigFile(file.string());
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.format() + "\n";
    INFO(errors);
    REQUIRE(loaded.ok());
    shopwatch::agent::runtime::RuntimeOptions options;
    options.listen_override = "127.0.0.1:0";
    agent = std::make_unique<shopwatch::agent::runtime::AgentRuntime>(options);
    auto st = agent->start(std::move(*loaded.config));
    INFO((st ? std::string() : st.error().message));
    REQUIRE(st.ok());
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(agent->port()) + path;
  }
  std::unique_ptr<shopwatch::agent::runtime::AgentRuntime> agent;
};

double sample(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + name.size() + 2));
}

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
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

 private:
  pid_t pid_ = -1;
};

// The ASan+UBSan build runs TLS handshakes several times slower: 200 clients reconnecting in a loop
// then keep both io threads busy with handshakes, so /healthz answers later (the check's schedule,
// which is what the flood must not disturb, holds in both builds).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSlowdown = 4;
#else
constexpr int kSlowdown = 1;
#endif

}  // namespace

TEST_CASE("the secured agent: TLS + basic auth, and 200 concurrent bad passwords do not disturb probing") {
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  Dir dir;
  PemFiles pem(dir.path);
  pem.server("server");
  SecuredAgent a(dir, pem, shop, 10);
  const std::string ca = pem.caCrt();
  CHECK(webRequest({.url = a.url("/metrics"), .ca_file = ca}).status == 401);
  CHECK(webRequest({.url = a.url("/healthz"), .ca_file = ca}).status == 200);
  auto good = [&] {
    return webRequest({.url = a.url("/metrics"), .ca_file = ca, .user = "prom", .password = "s3cret",
                       .headers = {"Accept-Encoding: gzip"}});
  };
  const auto first = good();
  REQUIRE(first.status == 200);
  CHECK(first.headers.at("content-encoding") == "gzip");
  REQUIRE(waitUntil([&] { return shop.requestCount("/home") >= 2; }, 10s));

  auto metrics = [&] { return *shopwatch::testing::gunzip(good().body); };
  const auto before = metrics();
  const double lag_sum0 = sample(before, "shopwatch_scheduler_lag_seconds_sum");
  const double lag_count0 = sample(before, "shopwatch_scheduler_lag_seconds_count");
  const auto home0 = shop.requestCount("/home");
  const auto begin = std::chrono::steady_clock::now();

  // 200 concurrent clients, each a distinct wrong password, in rounds for ~4 s.
  std::atomic<int> unauthorized{0};
  std::atomic<int> busy{0};
  std::atomic<int> other{0};
  std::atomic<bool> stop{false};
  std::atomic<int> probe_failures{0};
  std::atomic<int> probes{0};
  {
    std::vector<std::jthread> flood;
    for (int i = 0; i < 200; ++i) {
      flood.emplace_back([&, i] {
        for (int round = 0; !stop.load(); ++round) {
          const auto r = webRequest({.url = a.url("/metrics"), .ca_file = ca, .user = "prom",
                                     .password = "guess-" + std::to_string(i) + "-" + std::to_string(round)});
          (r.status == 401 ? unauthorized : r.status == 429 ? busy : other).fetch_add(1);
        }
      });
    }
    // Meanwhile /healthz and a cached scrape answer promptly.
    std::jthread prober([&] {
      while (!stop.load()) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = webRequest({.url = a.url("/healthz"), .ca_file = ca});
        if (r.status != 200 || std::chrono::steady_clock::now() - t0 > 2s * kSlowdown) {
          probe_failures.fetch_add(1);
        }
        probes.fetch_add(1);
        std::this_thread::sleep_for(100ms);
      }
    });
    std::this_thread::sleep_for(4s);
    stop = true;
  }
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const auto after = metrics();
  INFO("401: " << unauthorized << " 429: " << busy << " other: " << other << " took " << took << " s");
  CHECK(other.load() == 0);
  CHECK(unauthorized.load() + busy.load() >= 200);
  CHECK(probe_failures.load() == 0);
  CHECK(probes.load() >= 5 / kSlowdown);
  // The check kept its 1 s schedule: one run per second (give or take one), lag small on average.
  const auto runs = shop.requestCount("/home") - home0;
  CHECK(static_cast<double>(runs) >= took - 2);
  const double lag_runs = sample(after, "shopwatch_scheduler_lag_seconds_count") - lag_count0;
  const double lag_sum = sample(after, "shopwatch_scheduler_lag_seconds_sum") - lag_sum0;
  REQUIRE(lag_runs > 0);
  CHECK(lag_sum / lag_runs < 0.25);
  CHECK(after.find("probe_success{shop=\"shop\",env=\"production\",check=\"home\"} 1") != std::string::npos);
}

TEST_CASE("a real Prometheus scrapes the agent over TLS with basic auth and a wrong password gets 401") {
  const std::string prometheus = "/usr/bin/prometheus";
  if (!shopwatch::testing::externalToolAvailable(prometheus, "Prometheus TLS scrape test")) return;
  FakeHttpServer shop;
  shop.status("/home", 200, "ok");
  Dir dir;
  PemFiles pem(dir.path);
  pem.server("server");
  SecuredAgent a(dir, pem, shop, 10);
  const std::string target = "127.0.0.1:" + std::to_string(a.agent->port());
  auto job = [&](const std::string& name, const std::string& password) {
    return "  - job_name: " + name + "\n    scheme: https\n    tls_config:\n      ca_file: " + pem.caCrt() +
           "\n    basic_auth:\n      username: prom\n      password: " + password +
           "\n    static_configs:\n      - targets: ['" + target + "']\n";
  };
  const auto cfg = dir.write("prometheus.yml", "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                                               "scrape_configs:\n" + job("good", "s3cret") + job("bad", "wrong"));
  const auto check = shopwatch::testing::runTool("/usr/bin/promtool check config " + cfg.string(), "");
  INFO(check.output);
  REQUIRE(check.exit_code == 0);
  std::filesystem::create_directories(dir.path / "tsdb");
  const auto log = dir.path / "prometheus.log";
  Child server({prometheus, "--config.file=" + cfg.string(), "--storage.tsdb.path=" + (dir.path / "tsdb").string(),
                "--web.listen-address=127.0.0.1:0"},
               log);
  const auto port = shopwatch::testing::waitForListenPort(log, shopwatch::testing::kPrometheusListenMarker, 20s);
  INFO("prometheus log:\n" << readFile(log));
  REQUIRE(port);
  const std::string api = "http://127.0.0.1:" + std::to_string(*port) + "/api/v1/";
  std::string up;
  const bool good_up = waitUntil(
      [&] {
        up = webRequest({.url = api + "query?query=up%7Bjob%3D%22good%22%7D"}).body;
        return up.find("\"1\"]") != std::string::npos;
      },
      30s);
  INFO(up);
  CHECK(good_up);
  std::string targets;
  const bool bad_401 = waitUntil(
      [&] {
        targets = webRequest({.url = api + "targets"}).body;
        return targets.find("401") != std::string::npos;
      },
      30s);
  INFO(targets);
  CHECK(bad_401);
  const auto bad_up = webRequest({.url = api + "query?query=up%7Bjob%3D%22bad%22%7D"}).body;
  INFO(bad_up);
  CHECK(bad_up.find("\"0\"]") != std::string::npos);
}
