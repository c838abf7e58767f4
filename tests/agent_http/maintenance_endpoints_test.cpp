#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alert_fixtures.h"
#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/http/maintenance_service.h"
#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/core/time_format.h"
#include "test_client.h"

using namespace shopwatch;
using agent::http::HttpServer;
using agent::http::MaintenanceRequest;
using nlohmann::json;

namespace {

const std::string kToken = "s3cr3t-t0ken-value";

core::SystemTime at(const char* rfc3339) { return *core::parseRfc3339(rfc3339); }

/// Records every call; announce() hands out ids from 41 or the scripted error, cancel() knows `known`.
class FakeMaintenanceService final : public agent::http::MaintenanceService {
 public:
  struct Cancel {
    std::int64_t id;
    std::string actor;
    std::string remote;
  };

  core::Result<rules::AdHocWindow> announce(const MaintenanceRequest& request) override {
    std::lock_guard lock(mu_);
    announced_.push_back(request);
    if (error_) return *error_;
    rules::AdHocWindow w{next_id_++, request.shops, request.start, request.end, request.reason, request.actor};
    if (w.shops.size() == 1 && w.shops[0] == "all") w.shops.clear();
    windows_.push_back(w);
    return w;
  }

  core::Status cancel(std::int64_t id, const std::string& actor, const std::string& remote) override {
    std::lock_guard lock(mu_);
    cancelled_.push_back({id, actor, remote});
    for (auto it = windows_.begin(); it != windows_.end(); ++it) {
      if (it->id == id) {
        windows_.erase(it);
        return {};
      }
    }
    return core::makeError(core::ErrorCode::NotFound, "no maintenance window " + std::to_string(id));
  }

  std::vector<rules::AdHocWindow> windows() const override {
    std::lock_guard lock(mu_);
    return windows_;
  }

  void failWith(core::ErrorCode code, std::string message) {
    std::lock_guard lock(mu_);
    error_ = core::makeError(code, std::move(message));
  }
  std::vector<MaintenanceRequest> announced() const {
    std::lock_guard lock(mu_);
    return announced_;
  }
  std::vector<Cancel> cancelled() const {
    std::lock_guard lock(mu_);
    return cancelled_;
  }
  void addWindow(rules::AdHocWindow w) {
    std::lock_guard lock(mu_);
    windows_.push_back(std::move(w));
  }

 private:
  mutable std::mutex mu_;
  std::int64_t next_id_ = 41;
  std::optional<core::Error> error_;
  std::vector<MaintenanceRequest> announced_;
  std::vector<Cancel> cancelled_;
  std::vector<rules::AdHocWindow> windows_;
};

/// A server with the maintenance routes; the token is read through the function on every request,
/// as a reload would change it.
struct MaintenanceServer {
  explicit MaintenanceServer(std::string token_value, const agent::status::AlertBoard* board = nullptr,
                             bool with_service = true)
      : token(std::move(token_value)) {
    agent::http::AgentEndpoints endpoints;
    endpoints.alerts = board;
    endpoints.maintenance = with_service ? &service : nullptr;
    endpoints.api_token = [this] {
      std::lock_guard lock(token_mu);
      return token;
    };
    agent::http::registerAgentEndpoints(server, std::move(endpoints));
    REQUIRE(server.start());
    base = "http://" + server.listenAddress();
  }

  void setToken(std::string t) {
    std::lock_guard lock(token_mu);
    token = std::move(t);
  }

  testing::CurlReply send(const std::string& method, const std::string& target, const std::string& body,
                          std::vector<std::string> headers = {"Authorization: Bearer " + kToken}) const {
    auto r = testing::curlRequestWithHeaders(base + target, method, body, headers);
    REQUIRE(r.ok);
    return r;
  }
  testing::CurlReply post(const std::string& body, std::vector<std::string> headers = {"Authorization: Bearer " + kToken}) const {
    return send("POST", "/api/v1/maintenance", body, std::move(headers));
  }

  FakeMaintenanceService service;
  std::mutex token_mu;
  std::string token;
  HttpServer server;
  std::string base;
};

json body(const testing::CurlReply& r) { return json::parse(r.body); }

const std::string kDeploy =
    R"({"shops": ["acme"], "start": "2030-03-01T02:00:00Z", "duration": "2h", "reason": "deploy 4.2"})";

}  // namespace

TEST_CASE("maintenance writes are refused with 403 while agent.api_token is not set") {
  MaintenanceServer s("");
  for (const auto& r : {s.post(kDeploy), s.post(kDeploy, {}), s.send("DELETE", "/api/v1/maintenance/41", "")}) {
    CHECK(r.status == 403);
    CHECK(r.headers.at("content-type") == "application/json");
    CHECK(r.body == "{\"error\":\"writes disabled: agent.api_token is not set\"}\n");
  }
  CHECK(s.service.announced().empty());
  CHECK(s.service.cancelled().empty());
  // Reads stay open.
  const auto list = testing::curlRequest(s.base + "/api/v1/maintenance");
  CHECK(list.status == 200);
  CHECK(body(list) == json{{"windows", json::array()}});
}

TEST_CASE("maintenance writes need the configured bearer token") {
  MaintenanceServer s(kToken);
  const std::vector<std::vector<std::string>> refused = {
      {},
      {"Authorization: Bearer wrong-token"},
      {"Authorization: Bearer " + kToken.substr(0, kToken.size() - 1)},
      {"Authorization: Bearer " + kToken + "x"},
      {"Authorization: Basic " + kToken},
      {"Authorization: " + kToken},
      {"Authorization: Bearer"},
      {"X-Api-Token: " + kToken},
  };
  for (const auto& headers : refused) {
    INFO((headers.empty() ? std::string("no header") : headers[0]));
    const auto r = s.post(kDeploy, headers);
    CHECK(r.status == 401);
    CHECK(r.headers.at("www-authenticate") == "Bearer");
    CHECK(body(r).at("error").is_string());
    CHECK(r.body.find(kToken) == std::string::npos);
    const auto d = s.send("DELETE", "/api/v1/maintenance/41", "", headers);
    CHECK(d.status == 401);
  }
  CHECK(s.service.announced().empty());
  CHECK(s.service.cancelled().empty());

  // The scheme is case-insensitive; spaces around the token do not matter.
  CHECK(s.post(kDeploy, {"Authorization: bearer   " + kToken + "  "}).status == 201);
  CHECK(s.post(kDeploy).status == 201);
  CHECK(s.service.announced().size() == 2);

  // A reload that changes the token takes effect on the next request; clearing it disables writes.
  s.setToken("rotated");
  CHECK(s.post(kDeploy).status == 401);
  CHECK(s.post(kDeploy, {"Authorization: Bearer rotated"}).status == 201);
  s.setToken("");
  CHECK(s.post(kDeploy, {"Authorization: Bearer rotated"}).status == 403);
}

TEST_CASE("POST /api/v1/maintenance announces a window with the caller's actor, address and times") {
  MaintenanceServer s(kToken);
  const auto r = s.post(kDeploy, {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor:   gitlab-ci deploy#812  "});
  REQUIRE(r.status == 201);
  CHECK(r.headers.at("content-type") == "application/json");
  CHECK(r.headers.at("location") == "/api/v1/maintenance/41");
  CHECK(body(r) == json::parse(R"({"id": 41, "source": "api", "name": "api-41", "shops": ["acme"],
    "start": "2030-03-01T02:00:00Z", "end": "2030-03-01T04:00:00Z", "reason": "deploy 4.2",
    "created_by": "gitlab-ci deploy#812"})"));

  auto calls = s.service.announced();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].shops == std::vector<std::string>{"acme"});
  CHECK(calls[0].start == at("2030-03-01T02:00:00Z"));
  CHECK(calls[0].end == at("2030-03-01T04:00:00Z"));
  CHECK(calls[0].reason == "deploy 4.2");
  CHECK(calls[0].actor == "gitlab-ci deploy#812");
  CHECK(calls[0].remote.rfind("127.0.0.1:", 0) == 0);

  SECTION("an explicit end, every shop, no actor header") {
    const auto all = s.post(R"({"shops": ["all"], "start": "2030-03-01T03:00:00+01:00", "end": "2030-03-01T05:30:00Z"})");
    REQUIRE(all.status == 201);
    CHECK(body(all).at("shops") == json::array({"all"}));
    CHECK(body(all).at("reason") == "");
    calls = s.service.announced();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].shops == std::vector<std::string>{"all"});
    CHECK(calls[1].start == at("2030-03-01T02:00:00Z"));
    CHECK(calls[1].end == at("2030-03-01T05:30:00Z"));
    CHECK(calls[1].actor == "api");
  }
  SECTION("start defaults to now") {
    const auto before = core::SystemClock::instance().now();
    REQUIRE(s.post(R"({"shops": ["acme", "beta"], "duration": "90m", "reason": "hotfix"})").status == 201);
    const auto after = core::SystemClock::instance().now();
    calls = s.service.announced();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].shops == std::vector<std::string>{"acme", "beta"});
    CHECK(calls[1].start >= before);
    CHECK(calls[1].start <= after);
    CHECK(calls[1].end - calls[1].start == std::chrono::minutes{90});
  }
  SECTION("an actor is cut to 100 bytes and loses control characters; a blank one is \"api\"") {
    REQUIRE(s.post(kDeploy, {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor: " + std::string(150, 'a')})
                .status == 201);
    REQUIRE(s.post(kDeploy, {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor: ci\tbot"}).status == 201);
    REQUIRE(s.post(kDeploy, {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor:    "}).status == 201);
    // 99 ASCII bytes then a 2-byte character: the cut falls inside it and moves before it.
    REQUIRE(s.post(kDeploy, {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor: " + std::string(99, 'b') + "\xc3\xa9z"})
                .status == 201);
    calls = s.service.announced();
    REQUIRE(calls.size() == 5);
    CHECK(calls[1].actor == std::string(100, 'a'));
    CHECK(calls[2].actor == "cibot");
    CHECK(calls[3].actor == "api");
    CHECK(calls[4].actor == std::string(99, 'b'));
  }
}

TEST_CASE("POST /api/v1/maintenance answers 400 naming the field for a bad body") {
  MaintenanceServer s(kToken);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "body: not valid JSON"},
      {"{\"shops\": [\"acme\"], ", "body: not valid JSON"},
      {"[\"acme\"]", "body: must be a JSON object"},
      {R"({"duration": "2h"})", "shops: required (a list of shop names, or [\"all\"])"},
      {R"({"shops": [], "duration": "2h"})", "shops: must be a non-empty list of shop names, or [\"all\"]"},
      {R"({"shops": "acme", "duration": "2h"})", "shops: must be a non-empty list of shop names, or [\"all\"]"},
      {R"({"shops": ["acme", 3], "duration": "2h"})", "shops: every entry must be a shop name (a non-empty string)"},
      {R"({"shops": ["acme"]})", "end: required (or duration, e.g. \"2h\")"},
      {R"({"shops": ["acme"], "end": "2030-03-01T04:00:00Z", "duration": "2h"})",
       "end, duration: give one of them, not both"},
      {R"({"shops": ["acme"], "start": "tomorrow", "duration": "2h"})",
       "start: \"tomorrow\" is not an RFC 3339 time (2026-03-01T02:00:00Z)"},
      {R"({"shops": ["acme"], "start": 1893456000, "duration": "2h"})", "start: must be an RFC 3339 time string"},
      {R"({"shops": ["acme"], "end": "2030-03-01 04:00"})",
       "end: \"2030-03-01 04:00\" is not an RFC 3339 time (2026-03-01T02:00:00Z)"},
      {R"({"shops": ["acme"], "duration": 7200})", "duration: must be a string such as \"2h\" or \"90m\""},
      {R"({"shops": ["acme"], "duration": "0s"})", "duration: must be longer than 0"},
      {R"({"shops": ["acme"], "duration": "2h", "reason": 42})", "reason: must be a string"},
      {R"({"shops": ["acme"], "duration": "2h", "resaon": "typo"})",
       "resaon: unknown field (shops, start, end, duration, reason)"},
  };
  for (const auto& [text, message] : cases) {
    INFO("body: " << text);
    const auto r = s.post(text);
    CHECK(r.status == 400);
    CHECK(body(r) == json{{"error", message}});
  }
  const auto bad_duration = s.post(R"({"shops": ["acme"], "duration": "2 hours"})");
  CHECK(bad_duration.status == 400);
  CHECK(body(bad_duration).at("error").get<std::string>().rfind("duration: \"2 hours\" is not a duration", 0) == 0);
  const auto long_reason = s.post(R"({"shops": ["acme"], "duration": "2h", "reason": ")" + std::string(1001, 'r') + "\"}");
  CHECK(long_reason.status == 400);
  CHECK(body(long_reason) == json{{"error", "reason: longer than 1000 bytes"}});
  CHECK(s.service.announced().empty());
}

TEST_CASE("POST /api/v1/maintenance maps service errors to 400, 404 and 503") {
  MaintenanceServer s(kToken);
  s.service.failWith(core::ErrorCode::Invalid, "shops: unknown shop \"acmee\"");
  auto r = s.post(R"({"shops": ["acmee"], "duration": "2h"})");
  CHECK(r.status == 400);
  CHECK(body(r) == json{{"error", "shops: unknown shop \"acmee\""}});
  s.service.failWith(core::ErrorCode::Unavailable, "database is locked: the window is not active");
  r = s.post(kDeploy);
  CHECK(r.status == 503);
  CHECK(body(r) == json{{"error", "database is locked: the window is not active"}});
  s.service.failWith(core::ErrorCode::NotFound, "gone");
  CHECK(s.post(kDeploy).status == 404);
  s.service.failWith(core::ErrorCode::Internal, "bug");
  CHECK(s.post(kDeploy).status == 500);
  CHECK(s.service.announced().size() == 4);
}

TEST_CASE("DELETE /api/v1/maintenance/{id} cancels a window and is audited") {
  MaintenanceServer s(kToken);
  REQUIRE(s.post(kDeploy).status == 201);
  REQUIRE(s.post(kDeploy).status == 201);  // ids 41 and 42

  const auto r = s.send("DELETE", "/api/v1/maintenance/41", "",
                        {"Authorization: Bearer " + kToken, "X-Shopwatch-Actor: ops-anna"});
  CHECK(r.status == 200);
  CHECK(r.headers.at("content-type") == "application/json");
  CHECK(body(r) == json{{"id", 41}, {"cancelled", true}});
  auto calls = s.service.cancelled();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].id == 41);
  CHECK(calls[0].actor == "ops-anna");
  CHECK(calls[0].remote.rfind("127.0.0.1:", 0) == 0);

  const auto again = s.send("DELETE", "/api/v1/maintenance/41", "");
  CHECK(again.status == 404);
  CHECK(body(again) == json{{"error", "no maintenance window 41"}});
  calls = s.service.cancelled();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].actor == "api");

  for (const std::string id : {"abc", "", "-1", "0", "42x", "42/", "%34%32", "99999999999999999999"}) {
    INFO("id: " << id);
    const auto bad = s.send("DELETE", "/api/v1/maintenance/" + id, "");
    CHECK(bad.status == 400);
    CHECK(body(bad) == json{{"error", "id: \"" + id + "\" is not a maintenance window id"}});
  }
  CHECK(s.service.cancelled().size() == 2);
  CHECK(s.send("DELETE", "/api/v1/maintenance", "").status == 405);

  // 42 is still listed, 41 is gone.
  const auto list = body(testing::curlRequest(s.base + "/api/v1/maintenance"));
  REQUIRE(list.at("windows").size() == 1);
  CHECK(list.at("windows")[0].at("id") == 42);
}

TEST_CASE("GET /api/v1/maintenance lists API windows and the config windows active now") {
  agent::status::AlertBoard board;
  board.publish(testing::makeAlertSnapshot());
  MaintenanceServer s(kToken, &board);
  s.service.addWindow({7, {}, testing::kAlertNow - std::chrono::minutes{10}, testing::kAlertNow + std::chrono::minutes{50},
                       "deploy 4.2", "gitlab-ci"});
  s.service.addWindow({9, {"beta"}, at("2030-03-01T02:00:00Z"), at("2030-03-01T04:00:00Z"), "", "api"});
  const auto r = testing::curlRequest(s.base + "/api/v1/maintenance");
  REQUIRE(r.status == 200);
  CHECK(r.headers.at("content-type") == "application/json");
  // The board's api-7 occurrence is the service's window 7: listed once, from the service.
  CHECK(body(r) == json::parse(R"({"windows": [
    {"id": 7, "source": "api", "name": "api-7", "shops": ["all"], "start": "2027-01-15T07:50:00Z",
     "end": "2027-01-15T08:50:00Z", "reason": "deploy 4.2", "created_by": "gitlab-ci"},
    {"id": 9, "source": "api", "name": "api-9", "shops": ["beta"], "start": "2030-03-01T02:00:00Z",
     "end": "2030-03-01T04:00:00Z", "reason": "", "created_by": "api"},
    {"id": null, "source": "config", "name": "weekly-updates", "shops": null, "start": "2027-01-15T07:30:00Z",
     "end": "2027-01-15T09:30:00Z", "reason": "OS updates", "created_by": null}]})"));
}

TEST_CASE("without a maintenance service the maintenance routes answer 404") {
  MaintenanceServer s(kToken, nullptr, false);
  CHECK(testing::curlRequest(s.base + "/api/v1/maintenance").status == 404);
  CHECK(s.post(kDeploy).status == 404);
  CHECK(s.send("DELETE", "/api/v1/maintenance/41", "").status == 404);
  CHECK(testing::curlRequest(s.base + "/api/v1/alerts").status == 200);
}
