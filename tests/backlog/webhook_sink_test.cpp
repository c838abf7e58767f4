// WebhookSink against FakeHttpServer: the version 1 payload for every event, the headers, a
// signature recomputed here independently (OpenSSL EVP_MAC), and the status mapping.

#include "shopwatch/agent/backlog/webhook_sink.h"

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "closed_port.h"
#include "fake_http_server.h"

using shopwatch::agent::WebhookSettings;
using shopwatch::agent::backlog::ActionKind;
using shopwatch::agent::backlog::actionKindName;
using shopwatch::agent::backlog::IncidentFacts;
using shopwatch::agent::backlog::OutboxAction;
using shopwatch::agent::backlog::SendResult;
using shopwatch::agent::backlog::SendStatus;
using shopwatch::agent::backlog::WebhookSink;
using shopwatch::core::FakeClock;
using shopwatch::core::SystemTime;
using shopwatch::testing::ClosedLoopbackPort;
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
const std::string kSecret = "s3cret-key";

IncidentFacts sampleFacts() {
  IncidentFacts f;
  f.client = "acme";
  f.fingerprint = "shopwatch-0123456789abcdef0123456789abcdef";
  f.rule = "checkout-down";
  f.shop = "webshop";
  f.env = "production";
  f.check = "checkout";
  f.step = "cart";
  f.severity = "critical";
  f.expr = "availability < 100%";
  f.value_text = "93.3%";
  f.threshold_text = "100%";
  f.peak_text = "80%";
  f.episode = 2;
  f.since = kNow - 10min;
  f.at = kNow - 1min;
  f.failure = "http_status";
  f.failed_step = "cart";
  f.status_code = 503;
  f.message = "expected status 2xx, got 503";
  f.phases = "resolve 1ms, connect 2ms, tls 30ms, processing 812ms, transfer 3ms";
  f.body_snippet = "<h1>Service Unavailable</h1>";
  f.status_url = "http://127.0.0.1:9469/api/v1/checks/webshop/checkout";
  return f;
}

OutboxAction action(ActionKind kind, std::int64_t id = 7) {
  OutboxAction a;
  a.id = id;
  a.incident_id = 3;
  a.sink = "webhook";
  a.kind = kind;
  return a;
}

/// HMAC-SHA256 through EVP_MAC (not the HMAC() call the sink uses), as a receiver would check it.
std::string independentSignature(const std::string& key, const std::string& message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  EVP_MAC_final(ctx, out, &len, sizeof out);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  std::string hex;
  char buf[3];
  for (std::size_t i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", out[i]);
    hex += buf;
  }
  return hex;
}

struct Rig {
  FakeHttpServer server;
  FakeClock clock{kNow};
  WebhookSink sink;
  explicit Rig(std::string secret = kSecret)
      : sink(WebhookSettings{server.url("/hook"), std::move(secret), 2s}, "fallback-client",
             nullptr, &clock) {
    curlOnce();
    server.status("/hook", 200);
  }
};

}  // namespace

TEST_CASE("webhook posts a signed version 1 payload for an open") {
  Rig rig;
  const SendResult r = rig.sink.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.http_code == 200);
  CHECK(r.request_codes == std::vector<int>{200});
  CHECK_FALSE(r.ticket);
  CHECK_FALSE(r.sent_without_answer);

  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 1);
  const FakeRequest& req = requests[0];
  CHECK(req.method == "POST");
  CHECK(req.path == "/hook");
  CHECK(req.headers.at("content-type") == "application/json");
  CHECK(req.headers.at("x-shopwatch-event") == "open");
  CHECK(req.headers.at("x-shopwatch-timestamp") == "1800000000");
  CHECK(req.headers.at("idempotency-key") == "shopwatch-0123456789abcdef0123456789abcdef:7");
  CHECK(req.headers.at("x-shopwatch-signature") ==
        "sha256=" + independentSignature(kSecret, "1800000000." + req.body));

  const Json doc = Json::parse(req.body);
  const Json expected = {
      {"version", 1},
      {"event", "open"},
      {"incident",
       {{"fingerprint", "shopwatch-0123456789abcdef0123456789abcdef"},
        {"episode", 2},
        {"rule", "checkout-down"},
        {"shop", "webshop"},
        {"env", "production"},
        {"check", "checkout"},
        {"step", "cart"},
        {"severity", "critical"},
        {"previous_severity", nullptr},
        {"expr", "availability < 100%"},
        {"value", "93.3%"},
        {"threshold", "100%"},
        {"peak", "80%"},
        {"since", "2027-01-15T07:50:00Z"},
        {"resolved_at", nullptr},
        {"slo_budget", nullptr},
        {"status_url", "http://127.0.0.1:9469/api/v1/checks/webshop/checkout"}}},
      {"evidence",
       {{"failure", "http_status"},
        {"failed_step", "cart"},
        {"status_code", 503},
        {"message", "expected status 2xx, got 503"},
        {"phases", "resolve 1ms, connect 2ms, tls 30ms, processing 812ms, transfer 3ms"},
        {"body_snippet", "<h1>Service Unavailable</h1>"}}},
      {"client", "acme"},
      {"occurred_at", "2027-01-15T07:59:00Z"},
      {"sent_at", "2027-01-15T08:00:00Z"},
      {"action_id", 7},
  };
  CHECK(doc == expected);
  // Keys go out in schema order (readable deliveries, stable diffs).
  CHECK(req.body.rfind("{\"version\":1,\"event\":\"open\",\"incident\":{\"fingerprint\"", 0) == 0);
}

TEST_CASE("a tampered body or another secret fails the signature check") {
  Rig rig;
  REQUIRE(rig.sink.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false).status ==
          SendStatus::Done);
  const FakeRequest req = rig.server.requests().at(0);
  const std::string sig = req.headers.at("x-shopwatch-signature");
  std::string tampered = req.body;
  tampered.replace(tampered.find("93.3%"), 5, "99.9%");
  CHECK(sig != "sha256=" + independentSignature(kSecret, "1800000000." + tampered));
  CHECK(sig != "sha256=" + independentSignature("other", "1800000000." + req.body));
  CHECK(sig != "sha256=" + independentSignature(kSecret, "1800000001." + req.body));
}

TEST_CASE("webhook payload tells each event with its own facts") {
  Rig rig;
  IncidentFacts facts = sampleFacts();
  std::int64_t id = 10;
  for (ActionKind kind : {ActionKind::Open, ActionKind::Escalate, ActionKind::Digest,
                          ActionKind::Resolve, ActionKind::Retire}) {
    facts.previous_severity = kind == ActionKind::Escalate ? "warning" : "";
    facts.resolved_at = (kind == ActionKind::Resolve || kind == ActionKind::Retire)
                            ? std::optional<SystemTime>(kNow - 30s)
                            : std::nullopt;
    facts.slo_budget_text = kind == ActionKind::Resolve ? "12.5% of the monthly budget" : "";
    rig.clock.advance(1s);
    REQUIRE(rig.sink.send(action(kind, id++), facts, std::nullopt, false).status ==
            SendStatus::Done);
  }
  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 5);
  const char* names[] = {"open", "escalate", "digest", "resolve", "retire"};
  for (std::size_t i = 0; i < 5; ++i) {
    INFO("event " << names[i]);
    const Json doc = Json::parse(requests[i].body);
    CHECK(doc["event"] == names[i]);
    CHECK(requests[i].headers.at("x-shopwatch-event") == names[i]);
    CHECK(doc["action_id"] == 10 + static_cast<int>(i));
    CHECK(requests[i].headers.at("idempotency-key") ==
          facts.fingerprint + ":" + std::to_string(10 + i));
    const std::string ts = std::to_string(1'800'000'001 + i);
    CHECK(requests[i].headers.at("x-shopwatch-timestamp") == ts);
    CHECK(requests[i].headers.at("x-shopwatch-signature") ==
          "sha256=" + independentSignature(kSecret, ts + "." + requests[i].body));
  }
  CHECK(Json::parse(requests[0].body)["incident"]["previous_severity"].is_null());
  CHECK(Json::parse(requests[1].body)["incident"]["previous_severity"] == "warning");
  CHECK(Json::parse(requests[2].body)["incident"]["resolved_at"].is_null());
  CHECK(Json::parse(requests[3].body)["incident"]["resolved_at"] == "2027-01-15T07:59:30Z");
  CHECK(Json::parse(requests[3].body)["incident"]["slo_budget"] == "12.5% of the monthly budget");
  CHECK(Json::parse(requests[4].body)["incident"]["resolved_at"] == "2027-01-15T07:59:30Z");
  CHECK(Json::parse(requests[4].body)["sent_at"] == "2027-01-15T08:00:05Z");
}

TEST_CASE("absent facts are null and the client falls back to the agent's") {
  Rig rig("");
  IncidentFacts facts = sampleFacts();
  facts.client.clear();
  facts.step.clear();
  facts.failed_step.clear();
  facts.value_text.clear();
  facts.status_code = 0;
  facts.body_snippet.clear();
  REQUIRE(rig.sink.send(action(ActionKind::Open), facts, std::nullopt, false).status ==
          SendStatus::Done);
  const FakeRequest req = rig.server.requests().at(0);
  CHECK(req.headers.count("x-shopwatch-signature") == 0);
  CHECK(req.headers.at("x-shopwatch-timestamp") == "1800000000");
  const Json doc = Json::parse(req.body);
  CHECK(doc["client"] == "fallback-client");
  CHECK(doc["incident"]["step"].is_null());
  CHECK(doc["incident"]["value"].is_null());
  CHECK(doc["evidence"]["failed_step"].is_null());
  CHECK(doc["evidence"]["status_code"].is_null());
  CHECK(doc["evidence"]["body_snippet"].is_null());
  CHECK(doc["evidence"]["failure"] == "http_status");
}

TEST_CASE("webhook maps answers to done, retry, pause and dead") {
  Rig rig;
  struct Case {
    FakeResponse response;
    SendStatus expected;
    std::optional<std::chrono::microseconds> retry_after;
  };
  const std::vector<Case> cases = {
      {{200, {}, "", 0ms}, SendStatus::Done, std::nullopt},
      {{202, {}, "", 0ms}, SendStatus::Done, std::nullopt},
      {{204, {}, "", 0ms}, SendStatus::Done, std::nullopt},
      {{500, {}, "boom", 0ms}, SendStatus::Retry, std::nullopt},
      {{502, {}, "", 0ms}, SendStatus::Retry, std::nullopt},
      {{503, {{"Retry-After", "Fri, 15 Jan 2027 08:02:00 GMT"}}, "", 0ms}, SendStatus::Retry, 120s},
      {{429, {{"Retry-After", "30"}}, "slow down", 0ms}, SendStatus::Retry, 30s},
      {{401, {}, "who are you", 0ms}, SendStatus::Pause, std::nullopt},
      {{403, {}, "", 0ms}, SendStatus::Pause, std::nullopt},
      {{400, {}, "{\"error\":\"bad payload\"}", 0ms}, SendStatus::Dead, std::nullopt},
      {{404, {}, "", 0ms}, SendStatus::Dead, std::nullopt},
      {{422, {}, "", 0ms}, SendStatus::Dead, std::nullopt},
      {{301, {{"Location", "https://elsewhere.example/hook"}}, "", 0ms},
       SendStatus::Dead,
       std::nullopt},
  };
  for (const Case& c : cases) {
    INFO("HTTP " << c.response.status);
    rig.server.respond("/hook", c.response);
    const SendResult r =
        rig.sink.send(action(ActionKind::Digest), sampleFacts(), std::nullopt, false);
    CHECK(r.status == c.expected);
    CHECK(r.http_code == c.response.status);
    CHECK(r.request_codes == std::vector<int>{c.response.status});
    CHECK(r.retry_after == c.retry_after);
    if (c.expected != SendStatus::Done) CHECK(r.error.find(std::to_string(c.response.status)) == 5);
  }
  rig.server.respond("/hook", FakeResponse{400, {}, "{\"error\":\"bad payload\"}", 0ms});
  CHECK(rig.sink.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false).error ==
        "HTTP 400: {\"error\":\"bad payload\"}");
  rig.server.respond("/hook",
                     FakeResponse{301, {{"Location", "https://elsewhere.example/hook"}}, "", 0ms});
  CHECK(rig.sink.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false).error ==
        "HTTP 301 (redirects to https://elsewhere.example/hook)");
}

TEST_CASE("webhook retries when the receiver is unreachable or silent") {
  curlOnce();
  FakeClock clock{kNow};
  ClosedLoopbackPort closed;
  WebhookSink refused(
      WebhookSettings{"http://127.0.0.1:" + std::to_string(closed.port()) + "/hook", kSecret, 2s},
      "acme", nullptr, &clock);
  const SendResult r = refused.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 0);
  CHECK(r.request_codes == std::vector<int>{0});
  CHECK_FALSE(r.sent_without_answer);
  CHECK_FALSE(r.error.empty());

  FakeHttpServer server;
  server.delay("/hook", 3000ms, FakeResponse{200, {}, "", 0ms});
  WebhookSink silent(WebhookSettings{server.url("/hook"), kSecret, 300ms}, "acme", nullptr, &clock);
  const SendResult open = silent.send(action(ActionKind::Open), sampleFacts(), std::nullopt, false);
  CHECK(open.status == SendStatus::Retry);
  CHECK(open.http_code == 0);
  CHECK(open.sent_without_answer);
  CHECK(open.error.rfind("sent, but no answer", 0) == 0);
  // Only an Open reports an unknown outcome (the worker's create-or-find decision hangs on it).
  const SendResult digest =
      silent.send(action(ActionKind::Digest), sampleFacts(), std::nullopt, false);
  CHECK(digest.status == SendStatus::Retry);
  CHECK_FALSE(digest.sent_without_answer);
}
