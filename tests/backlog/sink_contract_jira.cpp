// The sink contract against the fake Jira: the DemoBacklog (agent/runtime) over real HTTP on
// loopback, in both flavors, with the real JiraSink. "Down" is the fake answering 503 to every
// request (DemoBacklog cannot restart on the same port); 429 is its fault injection.
#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "sink_contract.h"

using namespace shopwatch;
using namespace shopwatch::contract;
using agent::JiraSettings;
using agent::runtime::DemoBacklog;
using agent::runtime::DemoBacklogOptions;

namespace {

constexpr const char* kEmail = "ops@agency.example";
constexpr const char* kToken = "t0ken";

void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

JiraSettings settingsFor(JiraSettings::Flavor flavor, const std::string& url) {
  JiraSettings s;
  s.url = url;
  s.flavor = flavor;
  s.email = kEmail;
  s.token = kToken;
  s.project = "SHOP";
  s.timeout = 5s;
  return s;
}

class JiraBackend final : public Backend {
 public:
  JiraBackend(JiraSettings::Flavor flavor, core::FakeClock& clock) : flavor_(flavor) {
    curlOnce();
    DemoBacklogOptions o;
    o.flavor = flavor;
    o.email = kEmail;
    o.token = kToken;
    o.projects = {"SHOP"};
    o.clock = &clock;
    demo_ = std::make_unique<DemoBacklog>(o);
    const core::Status started = demo_->start();
    REQUIRE(started);
  }

  std::string sinkName() const override { return "jira"; }
  std::string url() const { return demo_->baseUrl(); }

  std::unique_ptr<agent::backlog::BacklogSink> makeSink(const core::Clock* clock) override {
    return std::make_unique<agent::backlog::JiraSink>(settingsFor(flavor_, url()), kClient, nullptr,
                                                      clock);
  }

  std::vector<TrackerTicket> tickets(const std::string& fingerprint) override {
    std::vector<TrackerTicket> out;
    for (const auto& issue : demo_->issues()) {
      if (std::find(issue.labels.begin(), issue.labels.end(), fingerprint) == issue.labels.end()) {
        continue;
      }
      TrackerTicket t;
      t.id = issue.key;
      t.refs = {issue.key, issue.id};
      t.closed = issue.status_category == "done";
      t.status = issue.status;
      for (const auto& c : issue.comments) t.notes.push_back(c.body);
      for (const auto& l : issue.links) {
        const std::string& other = l.inward == issue.key ? l.outward : l.inward;
        if (!other.empty() && other != issue.key) t.related.push_back(other);
      }
      out.push_back(std::move(t));
    }
    return out;  // issues() is by creation, oldest first
  }

  bool stop() override {
    demo_->setDown(true);
    return true;
  }
  bool start() override {
    demo_->setDown(false);
    return true;
  }
  bool rateLimitNext(int seconds) override {
    demo_->failNext(1, 429, seconds);
    return true;
  }
  std::vector<TrackerRequest> requests() override {
    std::vector<TrackerRequest> out;
    for (const auto& r : demo_->requests()) out.push_back({r.at, r.status});
    return out;
  }

 private:
  JiraSettings::Flavor flavor_;
  std::unique_ptr<DemoBacklog> demo_;
};

BackendFactory jira(JiraSettings::Flavor flavor) {
  return [flavor](core::FakeClock& clock) { return std::make_unique<JiraBackend>(flavor, clock); };
}

KillPlan jiraKillPlan(JiraSettings::Flavor flavor) {
  KillPlan plan;
  plan.parent = jira(flavor);
  plan.endpoint = [](Backend& b) { return static_cast<JiraBackend&>(b).url(); };
  plan.child_sink = [flavor](const std::string& url, const core::Clock* clock) {
    curlOnce();
    return std::make_unique<agent::backlog::JiraSink>(settingsFor(flavor, url), kClient, nullptr,
                                                      clock);
  };
  return plan;
}

constexpr auto kCloud = JiraSettings::Flavor::Cloud;
constexpr auto kDataCenter = JiraSettings::Flavor::DataCenter;

}  // namespace

TEST_CASE("jira cloud contract: an outage files one ticket that escalates and closes") {
  outageScenario(jira(kCloud));
}
TEST_CASE("jira datacenter contract: an outage files one ticket that escalates and closes") {
  outageScenario(jira(kDataCenter));
}

TEST_CASE("jira cloud contract: re-firing reopens inside the window and relates a new one after") {
  refireScenario(jira(kCloud));
}
TEST_CASE(
    "jira datacenter contract: re-firing reopens inside the window and relates a new one after") {
  refireScenario(jira(kDataCenter));
}

TEST_CASE("jira cloud contract: down for the whole incident then every action once and in order") {
  trackerDownScenario(jira(kCloud));
}
TEST_CASE(
    "jira datacenter contract: down for the whole incident then every action once and in order") {
  trackerDownScenario(jira(kDataCenter));
}

TEST_CASE("jira cloud contract: a crash before recording a create adopts the ticket") {
  crashBeforeRecordScenario(jira(kCloud));
}
TEST_CASE("jira datacenter contract: a crash before recording a create adopts the ticket") {
  crashBeforeRecordScenario(jira(kDataCenter));
}

TEST_CASE("jira cloud contract: an agent SIGKILLed after sending a create files no duplicate") {
  killedAgentScenario(jiraKillPlan(kCloud));
}
TEST_CASE(
    "jira datacenter contract: an agent SIGKILLed after sending a create files no duplicate") {
  killedAgentScenario(jiraKillPlan(kDataCenter));
}

TEST_CASE("jira cloud contract: no request before Retry-After of a 429") {
  CHECK(rateLimitScenario(jira(kCloud)));
}
TEST_CASE("jira datacenter contract: no request before Retry-After of a 429") {
  CHECK(rateLimitScenario(jira(kDataCenter)));
}
