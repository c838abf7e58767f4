#pragma once
// The Redmine sink tests' world: the REAL Redmine of the `redmine` CTest fixture
// (tests/support/redmine_server.h), emptied of issues at the start of each test, a RedmineSink as
// the non-admin member `shopwatch`, the admin key for the tests' own inspection, and hand-built
// incident facts and actions. Times are real (Redmine stamps closed_on with its own clock).

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "redmine_rest.h"
#include "redmine_server.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::redmine_test {

using namespace std::chrono_literals;
using agent::RedmineSettings;
using agent::backlog::ActionKind;
using agent::backlog::IncidentFacts;
using agent::backlog::OutboxAction;
using agent::backlog::RedmineSink;
using agent::backlog::SendResult;
using agent::backlog::SendStatus;
using agent::backlog::Ticket;
using core::SystemTime;
using nlohmann::json;

inline const std::string kFingerprint = "shopwatch-0123456789abcdef0123456789abcdef";

inline SystemTime now() { return core::SystemClock::instance().now(); }

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

inline IncidentFacts resolvedFacts(SystemTime since, SystemTime end, std::int64_t episode = 1) {
  IncidentFacts f = outageFacts(since, episode);
  f.at = end;
  f.resolved_at = end;
  f.peak_text = "81.0%";
  f.slo_budget_text = "12.5% of the 30d error budget";
  return f;
}

inline OutboxAction action(std::int64_t id, ActionKind kind, std::int64_t attempts = 0) {
  OutboxAction a;
  a.id = id;
  a.incident_id = 1;
  a.sink = "redmine";
  a.kind = kind;
  a.attempts = attempts;
  return a;
}

inline void curlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct RedmineWorld {
  RedmineWorld() : clock(now()) {
    curlOnce();
    auto inst = testing::redmineInstance();
    REQUIRE(inst.has_value());
    redmine = *inst;
    REQUIRE(testing::clearRedmineIssues());
    settings.url = redmine.url;
    settings.api_key = redmine.api_key;
    settings.project = redmine.project;
    settings.fingerprint_field = redmine.fingerprint_field;
    settings.timeout = 20s;
    makeSink();
  }

  /// (Re)creates the sink after a settings change (a fresh sink has no memory: as after a restart).
  void makeSink() { sink = std::make_unique<RedmineSink>(settings, "acme", nullptr, &clock); }

  SendResult send(const OutboxAction& a, const IncidentFacts& f, const std::optional<Ticket>& t,
                  bool outcome_unknown = false) {
    return sink->send(a, f, t, outcome_unknown);
  }

  /// GET with the admin key; the parsed body (REQUIREs a 2xx).
  json admin(const std::string& path) const {
    const auto r = testing::redmineRequest(redmine.url, redmine.admin_key, "GET", path);
    INFO(path << " → " << r.status << " " << r.error);
    REQUIRE(r.status >= 200);
    REQUIRE(r.status < 300);
    return json::parse(r.body);
  }
  long adminPut(const std::string& path, const json& body) const {
    return testing::redmineRequest(redmine.url, redmine.admin_key, "PUT", path, body.dump()).status;
  }

  /// The issue as the admin sees it, with journals and relations.
  json issue(const std::string& id) const {
    return admin("/issues/" + id + ".json?include=journals,relations")["issue"];
  }
  /// Every issue of the project (all statuses), newest first.
  json issues() const {
    return admin("/issues.json?project_id=" + redmine.project + "&status_id=*&sort=id:desc&limit=100")["issues"];
  }
  /// The journals' non-empty notes of an issue.
  std::vector<std::string> notes(const std::string& id) const {
    std::vector<std::string> out;
    const json full = issue(id);
    for (const auto& j : full["journals"]) {
      if (j["notes"].is_string() && !j["notes"].get<std::string>().empty()) out.push_back(j["notes"]);
    }
    return out;
  }
  /// The value of the fingerprint field of an issue json.
  std::string fingerprintOf(const json& issue_json) const {
    const json& fields = issue_json["custom_fields"];
    for (const auto& f : fields) {
      if (f["id"] == redmine.fingerprint_field_id && f["value"].is_string()) return f["value"];
    }
    return {};
  }
  /// Closes an issue as the admin would (a human closing it).
  void closeByHand(const std::string& id) const {
    REQUIRE(adminPut("/issues/" + id + ".json", {{"issue", {{"status_id", 5}}}}) == 204);
  }

  core::FakeClock clock;
  testing::RedmineInstance redmine;
  RedmineSettings settings;
  std::unique_ptr<RedmineSink> sink;
};

}  // namespace shopwatch::redmine_test
