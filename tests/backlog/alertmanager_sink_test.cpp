// AlertmanagerSink: the v2 alert shape and the re-send schedule against FakeHttpServer (exact
// timelines on a FakeClock), then the real prometheus-alertmanager started on loopback.

#include "shopwatch/agent/backlog/alertmanager_sink.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "external_tool.h"
#include "fake_http_server.h"
#include "listen_port.h"
#include "shopwatch/core/time_format.h"
#include "temp_dir.h"

using shopwatch::agent::AlertmanagerSettings;
using shopwatch::agent::backlog::ActionKind;
using shopwatch::agent::backlog::AlertmanagerSink;
using shopwatch::agent::backlog::HttpCall;
using shopwatch::agent::backlog::HttpClient;
using shopwatch::agent::backlog::IncidentFacts;
using shopwatch::agent::backlog::OutboxAction;
using shopwatch::agent::backlog::SendResult;
using shopwatch::agent::backlog::SendStatus;
using shopwatch::core::FakeClock;
using shopwatch::core::SystemTime;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeRequest;
using shopwatch::testing::FakeResponse;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// 2027-01-15T08:00:00Z
const SystemTime kNow{std::chrono::seconds{1'800'000'000}};

std::string at(SystemTime t) { return shopwatch::core::formatRfc3339(t, true); }

IncidentFacts sampleFacts(SystemTime since) {
  IncidentFacts f;
  f.client = "acme";
  f.fingerprint = "shopwatch-0123456789abcdef0123456789abcdef";
  f.rule = "checkout-down";
  f.shop = "webshop";
  f.env = "production";
  f.check = "checkout";
  f.severity = "warning";
  f.expr = "availability < 100%";
  f.value_text = "93.3%";
  f.threshold_text = "100%";
  f.episode = 1;
  f.since = since;
  f.at = since;
  f.failure = "http_status";
  f.status_code = 503;
  f.message = "expected status 2xx, got 503";
  f.status_url = "http://127.0.0.1:9469/api/v1/checks/webshop/checkout";
  return f;
}

OutboxAction action(ActionKind kind) {
  OutboxAction a;
  a.id = 1;
  a.sink = "alertmanager";
  a.kind = kind;
  return a;
}

/// The alerts of every POST to /api/v2/alerts, in order.
std::vector<Json> posted(const FakeHttpServer& server) {
  std::vector<Json> out;
  for (const FakeRequest& r : server.requests()) {
    if (r.method == "POST" && r.path == "/api/v2/alerts") out.push_back(Json::parse(r.body));
  }
  return out;
}

struct Rig {
  FakeHttpServer server;
  FakeClock clock{kNow};
  AlertmanagerSink sink;
  Rig() : sink(AlertmanagerSettings{server.url("") + "/", 1min, 2s}, "fallback", nullptr, &clock) {
    curlOnce();
    server.status("/api/v2/alerts", 200);
  }
};

}  // namespace

TEST_CASE("an open is posted as a firing alert with labels, annotations and a bounded end") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 2min);
  const SendResult r = rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.request_codes == std::vector<int>{200});
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 1);
  CHECK(rig.server.requests().at(0).headers.at("content-type") == "application/json");
  const Json expected = Json::array({{
      {"labels",
       {{"alertname", "checkout-down"},
        {"shop", "webshop"},
        {"env", "production"},
        {"check", "checkout"},
        {"severity", "warning"},
        {"client", "acme"},
        {"fingerprint", "shopwatch-0123456789abcdef0123456789abcdef"}}},
      {"annotations",
       {{"summary", "checkout-down: webshop/checkout (production)"},
        {"description",
         "availability < 100%: value 93.3% (threshold 100%), since 2027-01-15T07:58:00Z. Last "
         "failure: "
         "http_status, HTTP 503: expected status 2xx, got 503"},
        {"value", "93.3%"},
        {"threshold", "100%"},
        {"status_url", "http://127.0.0.1:9469/api/v1/checks/webshop/checkout"}}},
      {"startsAt", "2027-01-15T07:58:00.000000Z"},
      {"endsAt", "2027-01-15T08:03:00.000000Z"},  // now + 3 × resend_every
      {"generatorURL", "http://127.0.0.1:9469/api/v1/checks/webshop/checkout"},
  }});
  CHECK(bodies[0] == expected);
}

TEST_CASE("a step incident carries the step label and a resolve ends at the resolved time") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 10min);
  facts.step = "cart";
  facts.client.clear();
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  facts.resolved_at = kNow - 20s;
  rig.clock.advance(5s);
  REQUIRE(rig.sink.send(action(ActionKind::Resolve), facts, std::nullopt, false).status ==
          SendStatus::Done);
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0][0]["labels"]["step"] == "cart");
  CHECK(bodies[0][0]["labels"]["client"] == "fallback");
  CHECK(bodies[1].size() == 1);
  CHECK(bodies[1][0]["labels"] == bodies[0][0]["labels"]);
  CHECK(bodies[1][0]["endsAt"] == at(kNow - 20s));
  CHECK(bodies[1][0]["startsAt"] == at(kNow - 10min));
}

TEST_CASE("a retire without a resolved time ends at the retire transition") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 10min);
  facts.at = kNow - 3s;
  REQUIRE(rig.sink.send(action(ActionKind::Retire), facts, std::nullopt, false).status ==
          SendStatus::Done);
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0][0]["endsAt"] == at(kNow - 3s));
}

TEST_CASE("an escalation resolves the alert under its old severity in the same post") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 2min);
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  rig.clock.advance(10s);
  facts.previous_severity = "warning";
  facts.severity = "critical";
  REQUIRE(rig.sink.send(action(ActionKind::Escalate), facts, std::nullopt, false).status ==
          SendStatus::Done);
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 2);
  REQUIRE(bodies[1].size() == 2);
  CHECK(bodies[1][0]["labels"]["severity"] == "warning");
  CHECK(bodies[1][0]["endsAt"] == at(kNow + 10s));
  CHECK(bodies[1][1]["labels"]["severity"] == "critical");
  CHECK(bodies[1][1]["endsAt"] == at(kNow + 10s + 3min));
}

TEST_CASE("refresh re-sends firing alerts once resend_every has passed") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 2min);
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  rig.clock.advance(30s);
  rig.sink.refresh({facts});
  CHECK(posted(rig.server).size() == 1);
  rig.clock.advance(30s);
  rig.sink.refresh({facts});
  auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[1].size() == 1);
  CHECK(bodies[1][0]["endsAt"] == at(kNow + 1min + 3min));
  rig.sink.refresh({facts});
  CHECK(posted(rig.server).size() == 2);
  rig.clock.advance(59s);
  rig.sink.refresh({facts});
  CHECK(posted(rig.server).size() == 2);
  rig.clock.advance(1s);
  rig.sink.refresh({facts});
  bodies = posted(rig.server);
  REQUIRE(bodies.size() == 3);
  CHECK(bodies[2][0]["endsAt"] == at(kNow + 2min + 3min));
}

TEST_CASE("resolved alerts are re-sent for five minutes, then forgotten") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 10min);
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  facts.resolved_at = kNow;
  REQUIRE(rig.sink.send(action(ActionKind::Resolve), facts, std::nullopt, false).status ==
          SendStatus::Done);
  // The incident is no longer open: `firing` is empty from now on.
  std::vector<std::size_t> counts;
  for (int i = 0; i < 12; ++i) {
    rig.clock.advance(30s);
    rig.sink.refresh({});
    counts.push_back(posted(rig.server).size());
  }
  // Re-sent at +1m, +2m, +3m, +4m; at +5m the window is over.
  CHECK(counts == std::vector<std::size_t>{2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 6, 6});
  for (const Json& body : posted(rig.server)) {
    CHECK(body.size() == 1);
  }
  CHECK(posted(rig.server).back()[0]["endsAt"] == at(kNow));
  // Forgotten: an open incident of that fingerprint (the store says so) is sent as firing again.
  rig.sink.refresh({sampleFacts(kNow - 10min)});
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 7);
  CHECK(bodies.back()[0]["endsAt"] == at(kNow + 6min + 3min));
}

TEST_CASE("a stale firing list does not revive an alert resolved within the window") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 10min);
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  IncidentFacts resolved = facts;
  resolved.resolved_at = kNow;
  REQUIRE(rig.sink.send(action(ActionKind::Resolve), resolved, std::nullopt, false).status ==
          SendStatus::Done);
  rig.clock.advance(1min);
  rig.sink.refresh({facts});
  auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 3);
  CHECK(bodies[2].size() == 1);
  CHECK(bodies[2][0]["endsAt"] == at(kNow));  // the resolution again, not a firing alert
  // The next episode fires again.
  IncidentFacts next = sampleFacts(kNow + 30s);
  next.episode = 2;
  rig.clock.advance(1s);
  rig.sink.refresh({next});
  bodies = posted(rig.server);
  REQUIRE(bodies.size() == 4);
  CHECK(bodies[3][0]["startsAt"] == at(kNow + 30s));
  CHECK(bodies[3][0]["endsAt"] == at(kNow + 1min + 1s + 3min));
}

TEST_CASE("refresh after a restart sends every open incident in one post") {
  Rig rig;
  IncidentFacts a = sampleFacts(kNow - 5min);
  IncidentFacts b = sampleFacts(kNow - 1min);
  b.fingerprint = "shopwatch-ffffffffffffffffffffffffffffffff";
  b.check = "home";
  rig.sink.refresh({a, b});
  const auto bodies = posted(rig.server);
  REQUIRE(bodies.size() == 1);
  REQUIRE(bodies[0].size() == 2);
  CHECK(bodies[0][0]["labels"]["check"] == "checkout");
  CHECK(bodies[0][1]["labels"]["check"] == "home");
  rig.sink.refresh({a, b});
  CHECK(posted(rig.server).size() == 1);
}

TEST_CASE("a failed post changes nothing and the next refresh tries again") {
  Rig rig;
  IncidentFacts facts = sampleFacts(kNow - 2min);
  rig.server.respond("/api/v2/alerts", FakeResponse{503, {{"Retry-After", "20"}}, "", 0ms});
  const SendResult r = rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.retry_after == std::chrono::microseconds{20'000'000});
  rig.sink.refresh({facts});
  CHECK(posted(rig.server).size() == 2);
  rig.server.status("/api/v2/alerts", 200);
  rig.clock.advance(1s);
  rig.sink.refresh({facts});  // the failed refresh left it due
  CHECK(posted(rig.server).size() == 3);
  rig.clock.advance(1s);
  rig.sink.refresh({facts});
  CHECK(posted(rig.server).size() == 3);

  rig.server.status("/api/v2/alerts", 400, "{\"code\":400,\"message\":\"bad alert\"}");
  CHECK(rig.sink.send(action(ActionKind::Digest), facts, std::nullopt, false).status ==
        SendStatus::Dead);
  rig.server.status("/api/v2/alerts", 401);
  CHECK(rig.sink.send(action(ActionKind::Digest), facts, std::nullopt, false).status ==
        SendStatus::Pause);
}

// ---- The real Alertmanager --------------------------------------------------------------------

namespace {

const std::string kAlertmanager = "/usr/bin/prometheus-alertmanager";

/// prometheus-alertmanager on 127.0.0.1:0 with its output in `log`; killed and reaped on
/// destruction.
class AlertmanagerProcess {
 public:
  AlertmanagerProcess(const std::filesystem::path& dir) : log_(dir / "alertmanager.log") {
    const auto config = dir / "alertmanager.yml";
    std::ofstream(config) << "route:\n  receiver: blackhole\n  group_wait: 1s\n"
                             "receivers:\n  - name: blackhole\n";
    std::vector<std::string> argv = {kAlertmanager,
                                     "--config.file=" + config.string(),
                                     "--storage.path=" + (dir / "data").string(),
                                     "--web.listen-address=127.0.0.1:0",
                                     "--cluster.listen-address=",
                                     "--log.level=info"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const std::string log_path = log_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* out = std::freopen(log_path.c_str(), "w", stdout);
      if (out == nullptr || ::dup2(::fileno(stdout), 2) < 0) ::_exit(126);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~AlertmanagerProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  AlertmanagerProcess(const AlertmanagerProcess&) = delete;
  AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

  std::optional<std::uint16_t> waitForPort() const {
    return shopwatch::testing::waitForListenPort(log_, shopwatch::testing::kPrometheusListenMarker,
                                                 20s);
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

Json alertsOf(HttpClient& http, const std::string& base) {
  HttpCall call;
  call.url = base + "/api/v2/alerts";
  const auto reply = http.perform(call);
  REQUIRE(reply.status == 200);
  return Json::parse(reply.body);
}

std::optional<Json> findAlert(const Json& alerts, const std::string& fingerprint) {
  for (const Json& a : alerts) {
    if (a["labels"].value("fingerprint", "") == fingerprint) return a;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a real Alertmanager shows firing alerts, their refresh and forgets resolved ones") {
  if (!shopwatch::testing::externalToolAvailable(kAlertmanager, "Alertmanager sink test")) return;
  curlOnce();
  shopwatch::testing::TempDir dir("shopwatch-alertmanager");
  AlertmanagerProcess am(dir.path());
  const auto port = am.waitForPort();
  INFO(am.log());
  REQUIRE(port);
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  HttpClient http;
  // Ready once the API answers (it starts listening slightly before).
  bool ready = false;
  for (int i = 0; i < 250 && !ready; ++i) {
    HttpCall call;
    call.url = base + "/-/ready";
    ready = http.perform(call).status == 200;
    if (!ready) std::this_thread::sleep_for(20ms);
  }
  REQUIRE(ready);

  // The sink's clock starts at the real time (Alertmanager compares endsAt with its own clock),
  // rounded to a second so the times it echoes compare exactly.
  const auto real_now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const SystemTime t0{real_now};
  FakeClock clock{t0};
  AlertmanagerSink sink(AlertmanagerSettings{base, 1min, 5s}, "acme", nullptr, &clock);
  IncidentFacts facts = sampleFacts(t0 - 2min);
  facts.step = "cart";

  REQUIRE(sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  auto alert = findAlert(alertsOf(http, base), facts.fingerprint);
  REQUIRE(alert);
  CHECK((*alert)["status"]["state"] == "active");
  const Json labels = {{"alertname", "checkout-down"},
                       {"shop", "webshop"},
                       {"env", "production"},
                       {"check", "checkout"},
                       {"step", "cart"},
                       {"severity", "warning"},
                       {"client", "acme"},
                       {"fingerprint", facts.fingerprint}};
  CHECK((*alert)["labels"] == labels);
  CHECK((*alert)["annotations"]["summary"] == "checkout-down: webshop/checkout/cart (production)");
  CHECK((*alert)["generatorURL"] == facts.status_url);
  CHECK(shopwatch::core::parseRfc3339((*alert)["startsAt"].get<std::string>()) == t0 - 2min);
  CHECK(shopwatch::core::parseRfc3339((*alert)["endsAt"].get<std::string>()) == t0 + 3min);

  // A minute later refresh() re-sends it and Alertmanager moves its end.
  clock.advance(1min);
  sink.refresh({facts});
  alert = findAlert(alertsOf(http, base), facts.fingerprint);
  REQUIRE(alert);
  CHECK((*alert)["status"]["state"] == "active");
  CHECK(shopwatch::core::parseRfc3339((*alert)["endsAt"].get<std::string>()) == t0 + 1min + 3min);

  // Resolved (a second ago in real time): Alertmanager no longer lists it as an alert.
  facts.resolved_at = t0 - 1s;
  REQUIRE(sink.send(action(ActionKind::Resolve), facts, std::nullopt, false).status ==
          SendStatus::Done);
  CHECK_FALSE(findAlert(alertsOf(http, base), facts.fingerprint));
}
