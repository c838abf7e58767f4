// The real Redmine fixture (redmine_server.h): reads the state tests/redmine/redmine_ctl.sh wrote,
// stops and restarts the server through that script, and empties the project over REST (admin key).
#include "redmine_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "external_tool.h"
#include "redmine_rest.h"

namespace shopwatch::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string stateDir() {
  if (const char* dir = std::getenv("SHOPWATCH_REDMINE_STATE"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return SHOPWATCH_REDMINE_STATE;
}

std::map<std::string, std::string> readState() {
  std::map<std::string, std::string> state;
  std::ifstream in(stateDir() + "/state.env");
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) state[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return state;
}

int toInt(const std::string& text) {
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return 0;
  }
}

/// True when a TCP connect to 127.0.0.1:port is refused (nothing listens).
bool portRefuses(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0;
  ::close(fd);
  return refused;
}

/// redmine_ctl.sh COMMAND STATE_DIR; true when it exited 0. Paths come from CMake, not from input.
bool runCtl(const std::string& command) {
  const std::string line =
      std::string("'") + SHOPWATCH_REDMINE_CTL + "' " + command + " '" + stateDir() + "'";
  const int rc = std::system(line.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

std::optional<RedmineInstance> instanceFrom(const std::map<std::string, std::string>& state) {
  const auto get = [&state](const char* key) {
    const auto it = state.find(key);
    return it == state.end() ? std::string() : it->second;
  };
  RedmineInstance instance;
  instance.url = get("URL");
  instance.api_key = get("API_KEY");
  instance.admin_key = get("ADMIN_KEY");
  instance.project = get("PROJECT");
  instance.fingerprint_field_id = toInt(get("FIELD_ID"));
  if (instance.url.empty() || instance.api_key.empty() || instance.admin_key.empty() ||
      instance.project.empty() || instance.fingerprint_field_id <= 0) {
    return std::nullopt;
  }
  return instance;
}

bool answers(const RedmineInstance& instance) {
  return redmineRequest(instance.url, instance.api_key, "GET", "/users/current.json").status == 200;
}

}  // namespace

std::optional<RedmineInstance> redmineInstance() {
  const auto state = readState();
  if (state.count("MISSING") != 0) {
    switch (toolVerdict(false, std::getenv("CI"))) {
      case ToolVerdict::FailUnderCi:
        FAIL_CHECK(
            "Redmine is not installed (/usr/share/redmine): packaging/install-deps.sh installs "
            "redmine redmine-sqlite ruby-webrick");
        return std::nullopt;
      case ToolVerdict::SkipLoudly:
      case ToolVerdict::Run:
        WARN(
            "SKIPPED: Redmine is not installed (/usr/share/redmine); packaging/install-deps.sh "
            "installs redmine redmine-sqlite ruby-webrick");
        return std::nullopt;
    }
  }
  auto instance = instanceFrom(state);
  if (!instance) {
    FAIL_CHECK(
        "Redmine is installed but "
        << stateDir()
        << "/state.env names no running instance: did the fixture test 'redmine: start' fail?");
    return std::nullopt;
  }
  if (!answers(*instance) && portRefuses(toInt(state.at("PORT")))) {
    // An earlier test stopped it and died before starting it again: bring the same instance back.
    WARN("Redmine was down (an earlier test stopped it?); restarting it on the same port");
    if (!startRedmine()) {
      FAIL_CHECK("Redmine at " << instance->url << " is down and did not restart (see "
                               << stateDir() << "/server.log)");
      return std::nullopt;
    }
  }
  return instance;
}

bool stopRedmine() {
  const auto state = readState();
  const auto port = state.find("PORT");
  if (port == state.end() || !instanceFrom(state)) return false;
  const int number = toInt(port->second);
  const bool was_running = !portRefuses(number);
  if (!runCtl("stop")) return false;
  const auto deadline = Clock::now() + 10s;
  while (!portRefuses(number)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return was_running;
}

bool startRedmine() {
  if (!runCtl("restart-same")) return false;
  const auto instance = instanceFrom(readState());
  if (!instance) return false;
  const auto deadline = Clock::now() + 60s;
  while (!answers(*instance)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

bool clearRedmineIssues() {
  const auto instance = instanceFrom(readState());
  if (!instance) return false;
  const std::string list =
      "/issues.json?project_id=" + instance->project + "&status_id=*&limit=100&sort=id";
  for (int round = 0; round < 100; ++round) {
    const auto reply = redmineRequest(instance->url, instance->admin_key, "GET", list);
    if (reply.status != 200) return false;
    const auto body = nlohmann::json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.contains("issues")) return false;
    if (body["issues"].empty()) return true;
    for (const auto& issue : body["issues"]) {
      const auto id = std::to_string(issue.value("id", 0));
      const auto deleted =
          redmineRequest(instance->url, instance->admin_key, "DELETE", "/issues/" + id + ".json");
      // 404: a subtask already deleted with its parent.
      if (deleted.status != 204 && deleted.status != 200 && deleted.status != 404) return false;
    }
  }
  return false;
}

}  // namespace shopwatch::testing
