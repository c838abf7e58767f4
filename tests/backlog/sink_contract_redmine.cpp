// The sink contract against the REAL Redmine 5.0.4 the CTest fixture `redmine: start` runs on
// loopback (tests/support/redmine_server.h), with the real RedmineSink as the non-admin member
// `shopwatch`. Tickets are inspected over REST with the admin key; "down" is stopRedmine() (the
// port refuses connections) and "back" startRedmine() on the same port and database. For 429 with
// Retry-After (Redmine itself never rate-limits) the sink talks to Redmine through a loopback proxy
// that answers the next request 429 when told to and forwards everything else.
#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "redmine_server.h"
#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/agent/http/http_server.h"
#include "sink_contract.h"

using namespace shopwatch;
using namespace shopwatch::contract;
using agent::RedmineSettings;
using agent::backlog::HttpCall;
using agent::backlog::HttpClient;
using agent::backlog::HttpReply;
using nlohmann::json;

namespace {

void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

testing::RedmineInstance instance() {
  auto inst = testing::redmineInstance();
  REQUIRE(inst.has_value());
  return *inst;
}

RedmineSettings settingsFor(const testing::RedmineInstance& inst) {
  RedmineSettings s;
  s.url = inst.url;
  s.api_key = inst.api_key;
  s.project = inst.project;
  s.fingerprint_field = inst.fingerprint_field;
  s.timeout = 10s;
  return s;
}

std::string fieldValue(const json& issue, int field_id) {
  if (!issue.contains("custom_fields") || !issue["custom_fields"].is_array()) return {};
  for (const auto& cf : issue["custom_fields"]) {
    if (cf.value("id", 0) == field_id && cf.contains("value") && cf["value"].is_string()) {
      return cf["value"].get<std::string>();
    }
  }
  return {};
}

/// A forwarding proxy in front of Redmine on 127.0.0.1:0 that logs every request on the scenario's
/// clock and answers the next one 429 with Retry-After when told to.
class RateLimitProxy {
 public:
  RateLimitProxy(std::string upstream, const core::Clock& clock)
      : upstream_(std::move(upstream)), clock_(clock) {
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      server_.routePrefix(method, "/",
                          [this](const agent::http::HttpRequest& r) { return answer(r); });
    }
    const core::Status started = server_.start();
    REQUIRE(started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  void rateLimitNext(int seconds) {
    std::lock_guard lk(mu_);
    retry_after_ = seconds;
  }
  std::vector<TrackerRequest> requests() const {
    std::lock_guard lk(mu_);
    return log_;
  }

 private:
  agent::http::HttpResponse answer(const agent::http::HttpRequest& r) {
    std::lock_guard lk(mu_);  // one request at a time: the sink sends one at a time anyway
    agent::http::HttpResponse res;
    if (retry_after_) {
      res.status = 429;
      res.headers = {{"Retry-After", std::to_string(*retry_after_)}};
      res.body = "rate limited by the test proxy";
      retry_after_.reset();
    } else {
      HttpCall call;
      call.method = r.method;
      call.url = upstream_ + r.target;
      for (const char* h : {"x-redmine-api-key", "content-type", "accept"}) {
        if (auto it = r.headers.find(h); it != r.headers.end())
          call.headers.emplace_back(h, it->second);
      }
      call.body = r.body;
      call.timeout = 20s;
      const HttpReply reply = http_.perform(call);
      res.status = reply.status == 0 ? 502 : reply.status;
      if (auto it = reply.headers.find("content-type"); it != reply.headers.end()) {
        res.content_type = it->second;
      }
      res.body = reply.body;
    }
    log_.push_back({clock_.now(), res.status});
    return res;
  }

  std::string upstream_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::optional<int> retry_after_;
  std::vector<TrackerRequest> log_;
  HttpClient http_;
  agent::http::HttpServer server_;  // last: stopped (its handlers done) before the rest goes
};

class RedmineBackend final : public Backend {
 public:
  explicit RedmineBackend(core::FakeClock& clock, bool proxied = false) : inst_(instance()) {
    curlOnce();
    REQUIRE(testing::clearRedmineIssues());
    if (proxied) proxy_ = std::make_unique<RateLimitProxy>(inst_.url, clock);
  }
  ~RedmineBackend() override {
    if (stopped_) testing::startRedmine();  // never leave it down for the next test
  }
  RedmineBackend(const RedmineBackend&) = delete;
  RedmineBackend& operator=(const RedmineBackend&) = delete;

  std::string sinkName() const override { return "redmine"; }
  std::string url() const { return inst_.url; }

  std::unique_ptr<agent::backlog::BacklogSink> makeSink(const core::Clock* clock) override {
    RedmineSettings s = settingsFor(inst_);
    if (proxy_) s.url = proxy_->url();
    return std::make_unique<agent::backlog::RedmineSink>(std::move(s), kClient, nullptr, clock);
  }

  std::vector<TrackerTicket> tickets(const std::string& fingerprint) override {
    const json list =
        get("/issues.json?project_id=" + inst_.project + "&status_id=*&cf_" +
            std::to_string(inst_.fingerprint_field_id) + "=" + fingerprint + "&limit=100");
    std::vector<int> ids;
    for (const auto& issue : list.value("issues", json::array())) {
      // Redmine ignores a filter it cannot apply: check the value itself.
      if (fieldValue(issue, inst_.fingerprint_field_id) == fingerprint) {
        ids.push_back(issue.value("id", 0));
      }
    }
    std::sort(ids.begin(), ids.end());  // oldest first
    std::vector<TrackerTicket> out;
    for (int id : ids) out.push_back(ticket(id));
    return out;
  }

  bool stop() override {
    stopped_ = testing::stopRedmine();
    return stopped_;
  }
  bool start() override {
    const bool started = testing::startRedmine();
    if (started) stopped_ = false;
    return started;
  }
  bool rateLimitNext(int seconds) override {
    if (!proxy_) return false;
    proxy_->rateLimitNext(seconds);
    return true;
  }
  std::vector<TrackerRequest> requests() override {
    return proxy_ ? proxy_->requests() : std::vector<TrackerRequest>{};
  }
  std::chrono::milliseconds patience() const override { return 90s; }

 private:
  json get(const std::string& path) {
    HttpCall call;
    call.url = inst_.url + path;
    call.headers = {{"X-Redmine-API-Key", inst_.admin_key}, {"Accept", "application/json"}};
    call.timeout = 20s;
    const HttpReply reply = http_.perform(call);
    INFO("GET " << path << " → " << reply.status << " " << reply.error << " " << reply.body);
    REQUIRE(reply.status == 200);
    json j = json::parse(reply.body, nullptr, false);
    REQUIRE(j.is_object());
    return j;
  }

  const std::set<int>& closedStatuses() {
    if (!closed_statuses_) {
      closed_statuses_.emplace();
      for (const auto& s : get("/issue_statuses.json").value("issue_statuses", json::array())) {
        if (s.value("is_closed", false)) closed_statuses_->insert(s.value("id", 0));
      }
      REQUIRE_FALSE(closed_statuses_->empty());
    }
    return *closed_statuses_;
  }

  TrackerTicket ticket(int id) {
    const json issue = get("/issues/" + std::to_string(id) + ".json?include=journals,relations")
                           .value("issue", json{});
    TrackerTicket t;
    t.id = std::to_string(id);
    t.refs = {t.id, "#" + t.id};
    const json status = issue.value("status", json::object());
    t.status = status.value("name", "");
    t.closed = closedStatuses().count(status.value("id", 0)) == 1;
    for (const auto& j : issue.value("journals", json::array())) {
      if (j.contains("notes") && j["notes"].is_string() && !j["notes"].get<std::string>().empty()) {
        t.notes.push_back(j["notes"].get<std::string>());
      }
    }
    for (const auto& r : issue.value("relations", json::array())) {
      const int from = r.value("issue_id", 0);
      const int to = r.value("issue_to_id", 0);
      const int other = from == id ? to : from;
      if (other != 0 && other != id) t.related.push_back(std::to_string(other));
    }
    return t;
  }

  testing::RedmineInstance inst_;
  HttpClient http_;
  bool stopped_ = false;
  std::optional<std::set<int>> closed_statuses_;
  std::unique_ptr<RateLimitProxy> proxy_;
};

/// Without a running Redmine redmineInstance() has already warned (or failed the check, under CI
/// or when the fixture failed): the test has nothing more to report.
bool haveRedmine() { return testing::redmineInstance().has_value(); }

BackendFactory redmine() {
  return [](core::FakeClock& clock) { return std::make_unique<RedmineBackend>(clock); };
}

BackendFactory redmineBehindProxy() {
  return [](core::FakeClock& clock) { return std::make_unique<RedmineBackend>(clock, true); };
}

KillPlan redmineKillPlan() {
  KillPlan plan;
  plan.parent = redmine();
  plan.endpoint = [](Backend& b) { return static_cast<RedmineBackend&>(b).url(); };
  plan.child_sink = [](const std::string& /*url*/, const core::Clock* clock) {
    curlOnce();
    return std::make_unique<agent::backlog::RedmineSink>(settingsFor(instance()), kClient, nullptr,
                                                         clock);
  };
  return plan;
}

}  // namespace

TEST_CASE("redmine contract: an outage files one issue that escalates and closes") {
  if (!haveRedmine()) return;
  outageScenario(redmine());
}

TEST_CASE("redmine contract: re-firing reopens inside the window and relates a new issue after") {
  if (!haveRedmine()) return;
  refireScenario(redmine());
}

TEST_CASE("redmine contract: stopped for the whole incident then every action once and in order") {
  if (!haveRedmine()) return;
  trackerDownScenario(redmine());
}

TEST_CASE("redmine contract: a crash before recording a create adopts the issue") {
  if (!haveRedmine()) return;
  crashBeforeRecordScenario(redmine());
}

TEST_CASE("redmine contract: an agent SIGKILLed after sending a create files no duplicate") {
  if (!haveRedmine()) return;
  killedAgentScenario(redmineKillPlan());
}

TEST_CASE("redmine contract: no request before Retry-After of a 429") {
  if (!haveRedmine()) return;
  CHECK(rateLimitScenario(redmineBehindProxy()));
}
