#pragma once
// The Jira sink tests' world: a DemoBacklog (the fake Jira, real HTTP on loopback) in one flavor, a
// FakeClock shared by both, a JiraSink pointed at it, and hand-built incident facts and actions.

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::jira_test {

using namespace std::chrono_literals;
using agent::JiraSettings;
using agent::backlog::ActionKind;
using agent::backlog::IncidentFacts;
using agent::backlog::JiraSink;
using agent::backlog::OutboxAction;
using agent::backlog::SendResult;
using agent::backlog::SendStatus;
using agent::backlog::Ticket;
using agent::runtime::DemoBacklog;
using agent::runtime::DemoBacklogOptions;
using agent::runtime::DemoIssue;
using core::SystemTime;

inline const std::string kFingerprint = "shopwatch-0123456789abcdef0123456789abcdef";
inline const std::string kOtherFingerprint = "shopwatch-fedcba9876543210fedcba9876543210";
// 2027-01-15T08:00:00Z
inline const SystemTime kStart{std::chrono::seconds{1'800'000'000}};

inline const char* flavorName(JiraSettings::Flavor f) {
  return f == JiraSettings::Flavor::Cloud ? "cloud" : "datacenter";
}

/// A checkout outage: the cart step answers 503.
inline IncidentFacts outageFacts(SystemTime since, std::int64_t episode = 1) {
  IncidentFacts f;
  f.client = "acme";
  f.fingerprint = kFingerprint;
  f.rule = "checkout-down";
  f.shop = "webshop";
  f.env = "production";
  f.check = "checkout";
  f.step = "cart";
  f.severity = "warning";
  f.expr = "availability < 99%";
  f.value_text = "93.3%";
  f.threshold_text = "99%";
  f.episode = episode;
  f.since = since;
  f.at = since;
  f.failure = "http_status";
  f.failed_step = "cart";
  f.status_code = 503;
  f.message = "expected status 2xx, got 503";
  f.phases = "resolve 1ms, connect 2ms, tls 30ms, processing 812ms, transfer 3ms";
  f.body_snippet = "<html><body>Service Unavailable {maintenance}</body></html>";
  f.status_url = "http://127.0.0.1:9464/api/v1/checks/webshop/checkout";
  return f;
}

inline OutboxAction action(std::int64_t id, ActionKind kind, std::int64_t attempts = 0) {
  OutboxAction a;
  a.id = id;
  a.incident_id = 1;
  a.sink = "jira";
  a.kind = kind;
  a.attempts = attempts;
  return a;
}

inline void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct JiraWorld {
  explicit JiraWorld(JiraSettings::Flavor flavor, DemoBacklogOptions options = {}) : clock(kStart) {
    curlOnce();
    options.flavor = flavor;
    options.email = "ops@agency.example";
    options.token = "t0ken";
    options.projects = {"SHOP", "SHOPSTAGE"};
    options.clock = &clock;
    demo = std::make_unique<DemoBacklog>(options);
    auto started = demo->start();
    REQUIRE(started.ok());
    settings.url = demo->baseUrl();
    settings.flavor = flavor;
    settings.email = "ops@agency.example";
    settings.token = "t0ken";
    settings.project = "SHOP";
    settings.projects = {{"staging", "SHOPSTAGE"}};
    settings.timeout = 5s;
    makeSink();
  }

  /// (Re)creates the sink after a settings change (a fresh sink has no memory: as after a restart).
  void makeSink() { sink = std::make_unique<JiraSink>(settings, "acme", nullptr, &clock); }

  SendResult send(const OutboxAction& a, const IncidentFacts& f, const std::optional<Ticket>& t,
                  bool outcome_unknown = false) {
    return sink->send(a, f, t, outcome_unknown);
  }

  DemoIssue issue(const std::string& key) const {
    auto i = demo->issue(key);
    REQUIRE(i.has_value());
    return *i;
  }

  core::FakeClock clock;
  std::unique_ptr<DemoBacklog> demo;
  JiraSettings settings;
  std::unique_ptr<JiraSink> sink;
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace shopwatch::jira_test
