// The promise ([B2]): `shopwatch demo --platform NAME` in one terminal and
// `shopwatch probe -c examples/journeys/NAME.yaml --check demo/checkout` in another run green, for
// every platform and every recipe of it (the recipes as shipped: their default base URL is where
// the demo serves the fake). Also: a fault switched on over the fake's control route makes the
// same probe fail, and an unknown platform is a usage error.
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "shopwatch/agent/platforms/platform_fake.h"

extern char** environ;

namespace {

using namespace shopwatch;
using cli_test::runShopwatch;

/// `shopwatch demo --platform NAME` as a child process, its stdout in a file; stopped (SIGTERM)
/// and reaped when the object goes away.
class DemoProcess {
 public:
  explicit DemoProcess(const std::string& platform) : out_(dir_.path() / "demo.out") {
    const std::string exe = SHOPWATCH_EXE;
    std::vector<std::string> args = {exe, "demo", "--platform", platform, "--listen",
                                     "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_.path() / "demo.err").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
  }
  ~DemoProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  DemoProcess(const DemoProcess&) = delete;
  DemoProcess& operator=(const DemoProcess&) = delete;

  /// Waits (up to 30 s) until the demo printed that it runs; its output so far.
  std::string waitUntilRunning() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = read(out_);
      if (text.find("is running") != std::string::npos &&
          text.find("database:") != std::string::npos) {
        return text;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        FAIL("the demo exited: " << read(dir_.path() / "demo.err"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the demo did not start: " << read(dir_.path() / "demo.err"));
    return {};
  }

 private:
  static std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  cli_test::TempDir dir_;
  std::filesystem::path out_;
  pid_t pid_ = 0;
};

std::vector<std::string> recipesOf(const agent::platforms::PlatformInfo& p) {
  std::vector<std::string> out;
  std::stringstream list{std::string(p.recipes)};
  std::string item;
  while (std::getline(list, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string recipe(const std::string& file) {
  return std::string(SHOPWATCH_SOURCE_DIR) + "/examples/journeys/" + file;
}

}  // namespace

TEST_CASE("every recipe as shipped passes against shopwatch demo --platform") {
  for (const auto& platform : agent::platforms::platformCatalogue()) {
    INFO(platform.name);
    DemoProcess demo{std::string(platform.name)};
    const std::string banner = demo.waitUntilRunning();
    CHECK(banner.find("http://127.0.0.1:" + std::to_string(platform.default_port)) !=
          std::string::npos);
    for (const auto& file : recipesOf(platform)) {
      INFO(file);
      auto out = runShopwatch("probe -c " + recipe(file) + " --check demo/checkout --json");
      INFO(out.out);
      auto json = nlohmann::json::parse(out.out, nullptr, false);
      REQUIRE_FALSE(json.is_discarded());
      CHECK(out.code == 0);
      CHECK(json["success"] == true);
      CHECK(json["steps"].size() >= 3);
    }
  }
}

TEST_CASE("a fault switched on over the fake's control route fails the recipe") {
  DemoProcess demo{"shopify"};
  demo.waitUntilRunning();
  const std::string control = "http://127.0.0.1:9845/__shopwatch/faults";
  auto faults = runShopwatch("probe " + control + " --json");
  REQUIRE(faults.code == 0);
  // The first fault of the catalogue's fake breaks the checkout (each fake lists it first).
  auto fake = agent::platforms::makePlatformFake("shopify");
  const std::string fault = fake->faults().at(0).name;
  const auto on = std::system(("curl -sf -X POST '" + control + "/" + fault + "?on=1' >/dev/null").c_str());
  REQUIRE(on == 0);
  auto out = runShopwatch("probe -c " + recipe("shopify.yaml") + " --check demo/checkout --json");
  INFO(out.out);
  auto json = nlohmann::json::parse(out.out, nullptr, false);
  REQUIRE_FALSE(json.is_discarded());
  CHECK(out.code == 1);
  CHECK(json["success"] == false);
  CHECK_FALSE(json["failed_step"].get<std::string>().empty());
}

TEST_CASE("an unknown platform is a usage error naming the platforms") {
  auto out = runShopwatch("demo --platform prestashop", "", true);
  CHECK(out.code == 2);
  CHECK(out.out.find("unknown platform \"prestashop\"") != std::string::npos);
  CHECK(out.out.find("vendure") != std::string::npos);
  auto needs = runShopwatch("demo --shop-listen 127.0.0.1:0", "", true);
  CHECK(needs.code == 2);
}
