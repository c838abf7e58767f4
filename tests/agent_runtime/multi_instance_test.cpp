// Several instances on one host, started as shopwatch@.service would start them (own working
// directory = state directory, own config, own notify socket): different ports, databases and
// configs, no shared state. Each probes its own fake shop on 127.0.0.1.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "fake_http_server.h"
#include "listen_port.h"
#include "service_process.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::httpGet;
using shopwatch::testing::NotifySocket;
using shopwatch::testing::readFile;
using shopwatch::testing::sampleValue;
using shopwatch::testing::ServiceChild;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

const std::string kShopwatch = SHOPWATCH_EXE;  // $<TARGET_FILE:shopwatch>, a build dependency


std::set<std::string> entries(const std::filesystem::path& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

std::string listing(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += n + " ";
  return out;
}

/// SELECT of one text column, read-only (safe while the agent writes: WAL).
std::set<std::string> queryColumn(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::set<std::string> out;
  const int rc = sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  INFO(db << ": " << (handle ? sqlite3_errmsg(handle) : "no handle"));
  REQUIRE(rc == SQLITE_OK);
  sqlite3_busy_timeout(handle, 2000);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return out;
}

struct Instance {
  std::string client;
  std::string shop;
  std::vector<std::string> checks;
  TempDir dir;  // the instance's state directory and working directory
  std::filesystem::path log() const { return dir.path() / "agent.log"; }
};

/// `database`: empty → the default (./shopwatch-<client>.db, in the working directory).
std::string configFor(const Instance& in, const FakeHttpServer& server, const std::string& database) {
  std::string yaml = "agent:\n  client: " + in.client + "\n  listen: 127.0.0.1:0\n";
  if (!database.empty()) yaml += "  database: " + database + "\n";
  yaml += "shops:\n  - name: " + in.shop + "\n    base_url: " + server.url("") +
          "\n    defaults:\n      interval: 1s\n      timeout: 900ms\n    checks:\n";
  for (const auto& c : in.checks) yaml += "      - name: " + c + "\n        url: /" + c + "\n";
  return yaml;
}

std::string series(const Instance& in, const std::string& check) {
  return "probe_success{shop=\"" + in.shop + "\",env=\"production\",check=\"" + check + "\"}";
}

}  // namespace

TEST_CASE("two instances on one host: own ports, databases and metrics, and stopping one leaves the other serving") {
  INFO("the shopwatch binary is missing at " << kShopwatch << " (build target `shopwatch`)");
  REQUIRE(std::filesystem::exists(kShopwatch));
  FakeHttpServer server_a;
  FakeHttpServer server_b;
  Instance a{"acme", "acme-shop", {"acme-home", "acme-cart"}, {}};
  Instance b{"globex", "globex-shop", {"globex-home"}, {}};
  for (const auto& c : a.checks) server_a.status("/" + c, 200, "ok");
  for (const auto& c : b.checks) server_b.status("/" + c, 200, "ok");

  // acme names its database explicitly (as the unit's example config does); globex relies on the
  // default, relative to its working directory.
  const auto db_a = a.dir.path() / "shopwatch.db";
  const auto db_b = b.dir.path() / "shopwatch-globex.db";
  const auto cfg_a = a.dir.write("acme.yaml", configFor(a, server_a, db_a.string()));
  const auto cfg_b = b.dir.write("globex.yaml", configFor(b, server_b, ""));
  NotifySocket sock_a(a.dir.path() / "notify.sock");
  NotifySocket sock_b(b.dir.path() / "notify.sock");
  ServiceChild agent_a({kShopwatch, "run", "-c", cfg_a.string()}, a.dir.path(), a.log(),
                       {{"NOTIFY_SOCKET", sock_a.path().string()}});
  ServiceChild agent_b({kShopwatch, "run", "-c", cfg_b.string()}, b.dir.path(), b.log(),
                       {{"NOTIFY_SOCKET", sock_b.path().string()}});
  INFO("acme log:\n" << readFile(a.log()) << "\nglobex log:\n" << readFile(b.log()));
  REQUIRE(sock_a.next("READY=1", 20s));
  REQUIRE(sock_b.next("READY=1", 20s));
  const auto port_a = shopwatch::testing::listenPortAfter(readFile(a.log()),
                                                          shopwatch::testing::kAgentEndpointMarker);
  const auto port_b = shopwatch::testing::listenPortAfter(readFile(b.log()),
                                                          shopwatch::testing::kAgentEndpointMarker);
  REQUIRE(port_a);
  REQUIRE(port_b);
  CHECK(*port_a != *port_b);
  const std::string url_a = "http://127.0.0.1:" + std::to_string(*port_a) + "/metrics";
  const std::string url_b = "http://127.0.0.1:" + std::to_string(*port_b) + "/metrics";

  // Both probe, each its own shop.
  REQUIRE(waitUntil(
      [&] {
        const auto m = httpGet(url_a).body;
        return sampleValue(m, series(a, "acme-home")) == 1.0 && sampleValue(m, series(a, "acme-cart")) == 1.0;
      },
      10s));
  REQUIRE(waitUntil([&] { return sampleValue(httpGet(url_b).body, series(b, "globex-home")) == 1.0; }, 10s));
  const std::string metrics_a = httpGet(url_a).body;
  const std::string metrics_b = httpGet(url_b).body;
  CHECK(metrics_a.find("globex") == std::string::npos);
  CHECK(metrics_b.find("acme") == std::string::npos);
  for (const auto& r : server_a.requests()) CHECK(r.path.rfind("/acme-", 0) == 0);
  for (const auto& r : server_b.requests()) CHECK(r.path == "/globex-home");

  // Stopping acme leaves globex serving and probing.
  agent_a.signal(SIGTERM);
  CHECK(agent_a.wait(8s) == 0);
  CHECK(httpGet(url_a).status == 0);  // acme's port is closed
  const std::size_t probes_b = server_b.requestCount("/globex-home");
  REQUIRE(waitUntil([&] { return server_b.requestCount("/globex-home") >= probes_b + 2; }, 5s));
  CHECK(httpGet(url_b).status == 200);
  CHECK(agent_b.running());

  // Each database holds only its own results (globex's read while it runs).
  const std::string shops = "SELECT DISTINCT shop FROM series";
  const std::string checks = "SELECT DISTINCT s.check_name FROM raw r JOIN series s ON s.id = r.series";
  CHECK(queryColumn(db_a, shops) == std::set<std::string>{"acme-shop"});
  CHECK(queryColumn(db_a, checks) == std::set<std::string>{"acme-home", "acme-cart"});
  CHECK(queryColumn(db_b, shops) == std::set<std::string>{"globex-shop"});
  CHECK(queryColumn(db_b, checks) == std::set<std::string>{"globex-home"});

  agent_b.signal(SIGTERM);
  CHECK(agent_b.wait(8s) == 0);

  // Nothing written outside the own state directory: each holds its config, log, socket and
  // database files, and nothing that names the other client.
  const auto files_a = entries(a.dir.path());
  const auto files_b = entries(b.dir.path());
  INFO("acme dir: " << listing(files_a) << "\nglobex dir: " << listing(files_b));
  const std::set<std::string> db_suffixes{"", "-wal", "-shm", "-journal"};
  for (const auto& f : files_a) {
    const bool known = f == "acme.yaml" || f == "agent.log" || f == "notify.sock" ||
                       (f.rfind("shopwatch.db", 0) == 0 && db_suffixes.contains(f.substr(12)));
    CHECK(known);
  }
  for (const auto& f : files_b) {
    const bool known = f == "globex.yaml" || f == "agent.log" || f == "notify.sock" ||
                       (f.rfind("shopwatch-globex.db", 0) == 0 && db_suffixes.contains(f.substr(19)));
    CHECK(known);
  }
  CHECK(files_a.contains("shopwatch.db"));
  CHECK(files_b.contains("shopwatch-globex.db"));
}
