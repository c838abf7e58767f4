// JiraSink's lifecycle against the DemoBacklog (the fake Jira over real HTTP), in both flavors:
// outage → one issue → escalation comment → resolve; re-firing inside and after reopen_window;
// won't-fix and a human's close respected; auto_resolve false; a deleted issue forgotten.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "jira_test_world.h"

using namespace shopwatch::jira_test;

namespace {

const std::string kSummary =
    "[FIRING] webshop/checkout/cart (production): checkout-down — availability < 99%";

std::string trailer(std::int64_t episode, const char* kind, std::int64_t id) {
  return "shopwatch:" + kFingerprint + ":" + std::to_string(episode) + ":" + kind + ":" +
         std::to_string(id);
}

/// Files episode 1 and returns its ticket (SHOP-1).
Ticket fileOutage(JiraWorld& w) {
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  return *r.ticket;
}

IncidentFacts resolvedFacts(SystemTime since, SystemTime end, std::int64_t episode = 1) {
  IncidentFacts f = outageFacts(since, episode);
  f.at = end;
  f.resolved_at = end;
  f.peak_text = "81.0%";
  return f;
}

}  // namespace

TEST_CASE("an outage files one issue, comments on escalation and resolves it") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);

  const SendResult opened = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(opened.status == SendStatus::Done);
  REQUIRE(opened.ticket.has_value());
  CHECK(opened.ticket->key == "SHOP-1");
  CHECK(opened.ticket->id == "10000");
  CHECK(opened.ticket->url == w.demo->baseUrl() + "/browse/SHOP-1");
  CHECK(opened.ticket->episode == 1);
  CHECK(opened.request_codes == std::vector<int>{200, 201});  // label search, create
  REQUIRE(w.demo->issues().size() == 1);

  DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.summary == kSummary);
  CHECK(issue.issue_type == "Incident");
  CHECK(issue.labels == std::vector<std::string>{"shopwatch", kFingerprint, "shop-webshop"});
  CHECK(issue.priority == "Medium");
  CHECK(issue.status == "To Do");
  CHECK(contains(issue.description, "Severity: warning"));
  CHECK(contains(issue.description, "Condition: availability < 99%, value 93.3% vs threshold 99%"));
  CHECK(contains(issue.description, "Firing since: 2027-01-15T08:00:00Z"));
  CHECK(contains(issue.description, "Failing step: cart"));
  CHECK(contains(issue.description, "Failure reason: http_status (HTTP status 503)"));
  CHECK(contains(issue.description, "expected status 2xx, got 503"));
  CHECK(contains(issue.description, "Phases: resolve 1ms, connect 2ms, tls 30ms, processing 812ms"));
  CHECK(contains(issue.description, "Service Unavailable {maintenance}"));
  CHECK(contains(issue.description, "Status: http://127.0.0.1:9464/api/v1/checks/webshop/checkout"));
  REQUIRE(issue.properties.count("shopwatch") == 1);
  const auto prop = nlohmann::json::parse(issue.properties["shopwatch"]);
  CHECK(prop == nlohmann::json{{"fingerprint", kFingerprint},
                               {"episode", 1},
                               {"client", "acme"},
                               {"rule", "checkout-down"}});

  w.clock.advance(10min);
  IncidentFacts worse = outageFacts(kStart);
  worse.previous_severity = "warning";
  worse.severity = "critical";
  worse.value_text = "71.4%";
  worse.at = kStart + 10min;
  const SendResult escalated = w.send(action(2, ActionKind::Escalate), worse, opened.ticket);
  CHECK(escalated.status == SendStatus::Done);
  CHECK(escalated.request_codes == std::vector<int>{201, 204});  // comment, priority
  issue = w.issue("SHOP-1");
  REQUIRE(issue.comments.size() == 1);
  CHECK(contains(issue.comments[0].body, "severity warning → critical: availability < 99%, value "
                                         "71.4% vs threshold 99%, at 2027-01-15T08:10:00Z."));
  CHECK(contains(issue.comments[0].body, trailer(1, "escalate", 2)));
  CHECK(issue.priority == "High");

  w.clock.advance(20min);
  IncidentFacts resolved = resolvedFacts(kStart, kStart + 30min);
  resolved.severity = "critical";
  resolved.slo_budget_text = "12.5% of the 30d budget";
  const SendResult done = w.send(action(3, ActionKind::Resolve), resolved, opened.ticket);
  CHECK(done.status == SendStatus::Done);
  // read, comment, summary, transitions, transition
  CHECK(done.request_codes == std::vector<int>{200, 201, 204, 200, 204});
  issue = w.issue("SHOP-1");
  REQUIRE(issue.comments.size() == 2);
  const std::string& c = issue.comments[1].body;
  CHECK(contains(c, "Resolved: started 2027-01-15T08:00:00Z, ended 2027-01-15T08:30:00Z, lasted 30m."));
  CHECK(contains(c, "Peak value: 81.0% (availability < 99%)."));
  CHECK(contains(c, "SLO budget consumed: 12.5% of the 30d budget"));
  CHECK(contains(c, trailer(1, "resolve", 3)));
  CHECK(issue.summary ==
        "[RESOLVED] webshop/checkout/cart (production): checkout-down — availability < 99%");
  CHECK(issue.status == "Done");
  CHECK(issue.resolution == "Done");
  REQUIRE(issue.transitions.size() == 1);
  CHECK(issue.transitions[0].name == "Done");
  CHECK(w.demo->issues().size() == 1);
}

TEST_CASE("a shop in another env files into that env's project") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  IncidentFacts f = outageFacts(kStart);
  f.env = "staging";
  const SendResult r = w.send(action(1, ActionKind::Open), f, std::nullopt);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.ticket->key == "SHOPSTAGE-1");
}

TEST_CASE("firing again inside the reopen window reopens the issue with a comment") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const Ticket t = fileOutage(w);
  w.clock.advance(30min);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(kStart, kStart + 30min), t).status ==
          SendStatus::Done);

  w.clock.advance(2h);  // 2h after resolving: inside 24h
  IncidentFacts again = outageFacts(w.clock.now(), 2);
  const SendResult r = w.send(action(3, ActionKind::Open), again, t);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->key == "SHOP-1");
  CHECK(r.ticket->episode == 2);
  CHECK(w.demo->issues().size() == 1);
  const DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.status == "To Do");
  CHECK(issue.resolution.empty());
  REQUIRE(issue.transitions.size() == 2);
  CHECK(issue.transitions[1].name == "Reopen");
  REQUIRE(issue.comments.size() == 2);
  CHECK(contains(issue.comments[1].body, "Reopened: re-occurred at 2027-01-15T10:30:00Z"));
  CHECK(contains(issue.comments[1].body, trailer(2, "open", 3)));
  CHECK(issue.summary == kSummary);
  CHECK(nlohmann::json::parse(issue.properties.at("shopwatch"))["episode"] == 2);
}

TEST_CASE("firing again after the reopen window files a new issue related to the old one") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const Ticket t = fileOutage(w);
  w.clock.advance(30min);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(kStart, kStart + 30min), t).status ==
          SendStatus::Done);

  w.clock.advance(25h);
  const SendResult r = w.send(action(3, ActionKind::Open), outageFacts(w.clock.now(), 2), t);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->key == "SHOP-2");
  CHECK(r.ticket->episode == 2);
  REQUIRE(w.demo->issues().size() == 2);
  CHECK(w.issue("SHOP-1").status == "Done");
  const DemoIssue fresh = w.issue("SHOP-2");
  CHECK(fresh.status == "To Do");
  REQUIRE(fresh.links.size() == 1);
  CHECK(fresh.links[0].type == "Relates");
  CHECK(fresh.links[0].inward == "SHOP-2");
  CHECK(fresh.links[0].outward == "SHOP-1");
}

TEST_CASE("reopen_window never files a new issue and 0s always reopens") {
  const bool never = GENERATE(true, false);
  JiraWorld w(JiraSettings::Flavor::Cloud);
  if (never) {
    w.settings.reopen_window.reset();
  } else {
    w.settings.reopen_window = shopwatch::core::Micros{0};
  }
  w.makeSink();
  const Ticket t = fileOutage(w);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(kStart, kStart + 30min), t).status ==
          SendStatus::Done);
  w.clock.advance(30 * 24h);
  const SendResult r = w.send(action(3, ActionKind::Open), outageFacts(w.clock.now(), 2), t);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.ticket->key == (never ? "SHOP-2" : "SHOP-1"));
  CHECK(w.demo->issues().size() == (never ? 2u : 1u));
}

TEST_CASE("a won't-fix resolution is respected: no reopen, no new issue, no comments") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const Ticket t = fileOutage(w);
  REQUIRE(w.demo->humanTransition("SHOP-1", "Won't Do").ok());
  w.clock.advance(30min);
  // Resolving an issue a human already closed: the comment only.
  const SendResult resolved = w.send(action(2, ActionKind::Resolve),
                                     resolvedFacts(kStart, kStart + 30min), t);
  CHECK(resolved.status == SendStatus::Done);
  CHECK(resolved.request_codes == std::vector<int>{200, 201});
  CHECK(w.issue("SHOP-1").transitions.size() == 1);

  w.clock.advance(1h);
  const SendResult again = w.send(action(3, ActionKind::Open), outageFacts(w.clock.now(), 2), t);
  CHECK(again.status == SendStatus::Done);
  REQUIRE(again.ticket.has_value());
  CHECK(again.ticket->key == "SHOP-1");
  CHECK(again.ticket->episode == 1);  // not opened for episode 2
  CHECK(contains(again.error, "Won't Do"));
  CHECK(again.request_codes == std::vector<int>{200});
  CHECK(w.demo->issues().size() == 1);
  const DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.status == "Done");
  CHECK(issue.resolution == "Won't Do");
  CHECK(issue.comments.size() == 1);

  // The episode's later actions leave the issue alone.
  IncidentFacts digest = outageFacts(w.clock.now(), 2);
  const SendResult skipped = w.send(action(4, ActionKind::Digest), digest, again.ticket);
  CHECK(skipped.status == SendStatus::Done);
  CHECK(skipped.request_codes.empty());
  CHECK(w.issue("SHOP-1").comments.size() == 1);

  // Without the local mapping (a lost database) the label search reaches the same answer.
  w.makeSink();
  const SendResult searched =
      w.send(action(5, ActionKind::Open), outageFacts(w.clock.now(), 2), std::nullopt);
  CHECK(searched.status == SendStatus::Done);
  CHECK(searched.ticket->key == "SHOP-1");
  CHECK(w.demo->issues().size() == 1);
}

TEST_CASE("an issue a human closed while the episode still fires is not reopened") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const Ticket t = fileOutage(w);
  REQUIRE(w.demo->humanTransition("SHOP-1", "Done").ok());

  // The Open delivered again in the same episode (recorded ticket, or found by search).
  SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), t);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.ticket->key == "SHOP-1");
  CHECK(r.request_codes == std::vector<int>{200});
  r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.ticket->key == "SHOP-1");

  w.clock.advance(4h);
  IncidentFacts digest = outageFacts(kStart);
  digest.at = w.clock.now();
  CHECK(w.send(action(2, ActionKind::Digest), digest, t).status == SendStatus::Done);
  const SendResult resolved =
      w.send(action(3, ActionKind::Resolve), resolvedFacts(kStart, w.clock.now()), t);
  CHECK(resolved.status == SendStatus::Done);

  const DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.status == "Done");
  REQUIRE(issue.transitions.size() == 1);  // the human's only
  REQUIRE(issue.comments.size() == 2);
  CHECK(contains(issue.comments[0].body, "still firing since 2027-01-15T08:00:00Z, now 93.3%"));
  CHECK(contains(issue.comments[1].body, "Resolved: started"));
  CHECK(w.demo->issues().size() == 1);
}

TEST_CASE("without auto_resolve a recovered issue gets a label and waits for a human") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  w.settings.auto_resolve = false;
  w.makeSink();
  const Ticket t = fileOutage(w);
  w.clock.advance(30min);
  const SendResult r = w.send(action(2, ActionKind::Resolve), resolvedFacts(kStart, kStart + 30min), t);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.request_codes == std::vector<int>{200, 201, 204});
  DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.status == "To Do");
  CHECK(issue.transitions.empty());
  CHECK(issue.labels ==
        std::vector<std::string>{"shopwatch", kFingerprint, "shop-webshop", "shopwatch-recovered"});
  CHECK(issue.summary.rfind("[RESOLVED] ", 0) == 0);

  // Firing again while it is still open: adopted with a comment, back to [FIRING], label gone.
  w.clock.advance(1h);
  const SendResult again = w.send(action(3, ActionKind::Open), outageFacts(w.clock.now(), 2), t);
  CHECK(again.status == SendStatus::Done);
  CHECK(again.ticket->key == "SHOP-1");
  CHECK(again.ticket->episode == 2);
  issue = w.issue("SHOP-1");
  REQUIRE(issue.comments.size() == 2);
  CHECK(contains(issue.comments[1].body, "re-occurred at 2027-01-15T09:30:00Z"));
  CHECK(!contains(issue.comments[1].body, "Reopened"));
  CHECK(issue.summary == kSummary);
  CHECK(issue.labels == std::vector<std::string>{"shopwatch", kFingerprint, "shop-webshop"});
  CHECK(w.demo->issues().size() == 1);
}

TEST_CASE("a retired incident gets a no-longer-monitored comment and is resolved") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  const Ticket t = fileOutage(w);
  w.clock.advance(1h);
  IncidentFacts f = outageFacts(kStart);
  f.at = w.clock.now();
  const SendResult r = w.send(action(2, ActionKind::Retire), f, t);
  CHECK(r.status == SendStatus::Done);
  const DemoIssue issue = w.issue("SHOP-1");
  REQUIRE(issue.comments.size() == 1);
  CHECK(contains(issue.comments[0].body,
                 "no longer monitored (rule or check removed from the config)."));
  CHECK(contains(issue.comments[0].body, "lasted 1h."));
  CHECK(contains(issue.comments[0].body, "shopwatch:" + kFingerprint + ":1:retire:2"));
  CHECK(issue.status == "Done");
}

TEST_CASE("a deleted issue is forgotten and the next episode files a new one") {
  JiraWorld w(JiraSettings::Flavor::DataCenter);
  const Ticket t = fileOutage(w);
  REQUIRE(w.demo->deleteIssue("SHOP-1").ok());
  w.clock.advance(1h);
  const SendResult r = w.send(action(2, ActionKind::Open), outageFacts(w.clock.now(), 2), t);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.ticket->key == "SHOP-2");
  CHECK(r.request_codes == std::vector<int>{404, 200, 201});
  CHECK(w.issue("SHOP-2").links.empty());
  // An update for the deleted one is dropped, not dead-lettered.
  const SendResult late = w.send(action(3, ActionKind::Digest), outageFacts(kStart), t);
  CHECK(late.status == SendStatus::Done);
  CHECK(late.request_codes == std::vector<int>{404});
}
