// Basic auth of the agent's endpoints: the authenticator's caches and bcrypt cap, and the gate on
// registerAgentEndpoints (401/200, /healthz open, the maintenance API's bearer token beside it).

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "basic_auth.h"
#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/http/maintenance_service.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "web_test_support.h"

using shopwatch::agent::http::detail::BasicAuthenticator;
using shopwatch::agent::http::detail::BasicAuthOptions;
using shopwatch::agent::http::detail::parseBasicCredentials;
using shopwatch::testing::bcryptHash;
using shopwatch::testing::webRequest;
using shopwatch::testing::WebRequest;
using Outcome = BasicAuthenticator::Outcome;
namespace http = shopwatch::agent::http;

namespace {

std::string basic(const std::string& user_colon_password) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : user_colon_password) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63U];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63U];
  while (out.size() % 4 != 0) out += '=';
  return "Basic " + out;
}

const std::string& hash() {
  static const std::string h = bcryptHash("correct horse", 5);
  return h;
}

class NoMaintenance final : public http::MaintenanceService {
 public:
  shopwatch::core::Result<shopwatch::rules::AdHocWindow> announce(const http::MaintenanceRequest& r) override {
    return shopwatch::rules::AdHocWindow{7, r.shops, r.start, r.end, r.reason, r.actor};
  }
  shopwatch::core::Status cancel(std::int64_t id, const std::string&, const std::string&) override {
    return shopwatch::core::makeError(shopwatch::core::ErrorCode::NotFound, "no window " + std::to_string(id));
  }
  std::vector<shopwatch::rules::AdHocWindow> windows() const override { return {}; }
};

}  // namespace

TEST_CASE("Basic credentials are parsed from the Authorization header") {
  std::string user;
  std::string password;
  REQUIRE(parseBasicCredentials(basic("prom:pa:ss word"), user, password));
  CHECK(user == "prom");
  CHECK(password == "pa:ss word");
  REQUIRE(parseBasicCredentials("  basic " + basic("a:").substr(6), user, password));
  CHECK(user == "a");
  CHECK(password.empty());
  CHECK_FALSE(parseBasicCredentials("", user, password));
  CHECK_FALSE(parseBasicCredentials("Bearer abc", user, password));
  CHECK_FALSE(parseBasicCredentials("Basic !!!", user, password));
  CHECK_FALSE(parseBasicCredentials(basic("no-colon"), user, password));
}

TEST_CASE("verified and refused credentials are cached: bcrypt runs once per credential") {
  BasicAuthOptions options;
  options.users = {{"prom", hash()}};
  BasicAuthenticator auth(options);
  CHECK(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  CHECK(auth.bcryptCalls() == 1);
  for (int i = 0; i < 50; ++i) REQUIRE(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  CHECK(auth.bcryptCalls() == 1);
  CHECK(auth.check(basic("prom:wrong")) == Outcome::Denied);
  CHECK(auth.check(basic("prom:wrong")) == Outcome::Denied);
  CHECK(auth.bcryptCalls() == 2);
  // An unknown user is refused after the same bcrypt work as a known one.
  CHECK(auth.check(basic("mallory:correct horse")) == Outcome::Denied);
  CHECK(auth.bcryptCalls() == 3);
  CHECK(auth.check("") == Outcome::Denied);  // no bcrypt for no credentials
  CHECK(auth.bcryptCalls() == 3);
}

TEST_CASE("a verified credential in use stays cached, an idle one and a refused one expire") {
  BasicAuthOptions options;
  options.users = {{"prom", hash()}};
  options.cache_ttl = std::chrono::seconds{1};
  options.failure_ttl = std::chrono::seconds{1};
  BasicAuthenticator auth(options);
  REQUIRE(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  REQUIRE(auth.check(basic("prom:wrong")) == Outcome::Denied);
  REQUIRE(auth.bcryptCalls() == 2);
  // A scraper every 0.6 s: each hit renews its entry, so it never needs bcrypt again.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    REQUIRE(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  }
  CHECK(auth.bcryptCalls() == 2);
  // The refused one was not renewed by use: it expired and costs a verification again.
  CHECK(auth.check(basic("prom:wrong")) == Outcome::Denied);
  CHECK(auth.bcryptCalls() == 3);
  // Idle past its time, the good one is verified again too.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  CHECK(auth.bcryptCalls() == 4);
}

TEST_CASE("the caches are bounded and a flood of failures does not evict good credentials") {
  BasicAuthOptions options;
  options.users = {{"prom", hash()}};
  options.failure_cache_size = 4;
  BasicAuthenticator auth(options);
  REQUIRE(auth.check(basic("prom:correct horse")) == Outcome::Allowed);
  for (int i = 0; i < 10; ++i) CHECK(auth.check(basic("prom:bad" + std::to_string(i))) == Outcome::Denied);
  CHECK(auth.bcryptCalls() == 11);
  CHECK(auth.check(basic("prom:correct horse")) == Outcome::Allowed);  // still cached
  CHECK(auth.check(basic("prom:bad9")) == Outcome::Denied);            // among the last 4
  CHECK(auth.bcryptCalls() == 11);
  CHECK(auth.check(basic("prom:bad0")) == Outcome::Denied);  // evicted: verified again
  CHECK(auth.bcryptCalls() == 12);
}

TEST_CASE("concurrent uncached credentials beyond the bcrypt cap are answered busy at once") {
  BasicAuthOptions options;
  options.users = {{"prom", bcryptHash("x", 11)}};  // ~100-200 ms per verification
  options.max_concurrent = 1;
  BasicAuthenticator auth(options);
  std::atomic<int> busy{0};
  std::atomic<int> denied{0};
  std::vector<std::jthread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      const auto r = auth.check(basic("prom:guess" + std::to_string(i)));
      (r == Outcome::Busy ? busy : denied).fetch_add(1);
    });
  }
  threads.clear();
  CHECK(busy.load() > 0);
  CHECK(denied.load() >= 1);
  CHECK(auth.bcryptCalls() == static_cast<std::size_t>(denied.load()));
}

TEST_CASE("with basic_auth_users every route but /healthz needs credentials and bearer writes still work") {
  shopwatch::agent::status::CheckStateTable checks;
  NoMaintenance maintenance;
  http::HttpServer server;
  http::AgentEndpoints endpoints;
  endpoints.checks = &checks;
  endpoints.maintenance = &maintenance;
  endpoints.api_token = [] { return std::string("t0ken"); };
  endpoints.basic_auth_users = {{"prom", hash()}};
  http::registerAgentEndpoints(server, std::move(endpoints));
  REQUIRE(server.start().ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  const auto missing = webRequest({.url = base + "/metrics"});
  CHECK(missing.status == 401);
  CHECK(missing.headers.at("www-authenticate") == "Basic realm=\"shopwatch\"");
  CHECK(webRequest({.url = base + "/metrics", .user = "prom", .password = "nope"}).status == 401);
  CHECK(webRequest({.url = base + "/metrics", .user = "prom", .password = "correct horse"}).status == 200);
  CHECK(webRequest({.url = base + "/api/v1/checks", .user = "prom", .password = "correct horse"}).status == 200);
  CHECK(webRequest({.url = base + "/api/v1/checks"}).status == 401);
  CHECK(webRequest({.url = base + "/nowhere"}).status == 401);  // no route probing without credentials
  CHECK(webRequest({.url = base + "/healthz"}).status == 200);
  CHECK(webRequest({.url = base + "/readyz"}).status == 401);

  auto write = [&](const std::string& method, const std::string& path, std::vector<std::string> headers,
                   const std::string& user = "", const std::string& password = "") {
    WebRequest r;
    r.url = base + path;
    r.method = method;
    r.headers = std::move(headers);
    r.user = user;
    r.password = password;
    return r;
  };
  // The bearer token stands in for basic credentials on the write routes.
  CHECK(webRequest(write("DELETE", "/api/v1/maintenance/3", {"Authorization: Bearer t0ken"})).status == 404);
  CHECK(webRequest(write("DELETE", "/api/v1/maintenance/3", {"Authorization: Bearer wrong"})).status == 401);
  // Basic credentials alone do not authorise a write (the route still wants the token).
  CHECK(webRequest(write("DELETE", "/api/v1/maintenance/3", {}, "prom", "correct horse")).status == 401);
  // A bearer token does not open the read routes.
  CHECK(webRequest(write("GET", "/metrics", {"Authorization: Bearer t0ken"})).status == 401);
}
