// RedmineSink's lifecycle against the REAL Redmine 5.0.4 of the `redmine` fixture, as the non-admin
// member `shopwatch`: outage → one issue (all fields) → escalation note + priority (once, even when
// retried) → resolve note + Closed; re-firing inside the window reopens, after it a new related
// issue; an unanswered create is adopted, a closed issue is found (status_id=*); 401 pauses, 422
// dead-letters with Redmine's words, a refused connection retries.
#include <catch2/catch.hpp>
#include <algorithm>

#include "closed_port.h"
#include "redmine_test_world.h"

using namespace shopwatch::redmine_test;

namespace {

std::string trailer(std::int64_t episode, const char* kind, std::int64_t id) {
  return "shopwatch:" + kFingerprint + ":" + std::to_string(episode) + ":" + kind + ":" + std::to_string(id);
}

Ticket fileOutage(RedmineWorld& w, SystemTime since) {
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(since), std::nullopt);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  return *r.ticket;
}

std::size_t countContaining(const std::vector<std::string>& notes, const std::string& part) {
  return static_cast<std::size_t>(
      std::count_if(notes.begin(), notes.end(), [&part](const std::string& n) { return contains(n, part); }));
}

}  // namespace

TEST_CASE("an outage files one Redmine issue with every field set") {
  RedmineWorld w;
  const SystemTime since = now() - 5min;
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(since), std::nullopt);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  const std::string id = r.ticket->id;
  CHECK(r.ticket->key == "#" + id);
  CHECK(r.ticket->url == w.redmine.url + "/issues/" + id);
  CHECK(r.ticket->episode == 1);
  CHECK(r.request_codes.back() == 201);

  REQUIRE(w.issues().size() == 1);
  const json issue = w.issue(id);
  CHECK(issue["subject"] ==
        "[FIRING] webshop/checkout/cart (production): checkout-down — availability < 99% [" + kFingerprint + "]");
  CHECK(issue["tracker"]["name"] == "Bug");
  CHECK(issue["priority"]["name"] == "High");  // warning → High (the default)
  CHECK(issue["status"]["name"] == "New");
  CHECK(w.fingerprintOf(issue) == kFingerprint);
  const std::string description = issue["description"];
  CHECK(contains(description, "Severity: warning"));
  CHECK(contains(description, "Condition: availability < 99%, value 93.3% vs threshold 99%"));
  CHECK(contains(description, "Failure reason: http&#95;status (HTTP status 503)"));
  CHECK(contains(description, "Failing step: cart"));
  CHECK(contains(description, "expected status 2xx, got 503"));
  // Redmine stores line ends as CRLF.
  CHECK(contains(description, "<pre>\r\n<html><body>Service Unavailable {maintenance}</body></html>\r\n</pre>"));
  CHECK(contains(description, "Status: http://127.0.0.1:9464/api/v1/checks/webshop/checkout"));
  CHECK(contains(description, trailer(1, "open", 1)));
}

TEST_CASE("an escalation adds one note and the new priority, also when retried") {
  RedmineWorld w;
  const Ticket t = fileOutage(w, now() - 10min);
  IncidentFacts worse = outageFacts(now() - 10min);
  worse.previous_severity = "warning";
  worse.severity = "critical";
  worse.value_text = "81.0%";
  SendResult r = w.send(action(2, ActionKind::Escalate), worse, t);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  json issue = w.issue(t.id);
  CHECK(issue["priority"]["name"] == "Urgent");
  auto notes = w.notes(t.id);
  REQUIRE(notes.size() == 1);
  CHECK(contains(notes[0], "severity warning → critical"));
  CHECK(contains(notes[0], trailer(1, "escalate", 2)));

  // The outbox retries it (its answer was lost): the trailer is found, no second note.
  r = w.send(action(2, ActionKind::Escalate, 1), worse, t);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(w.notes(t.id).size() == 1);
  w.makeSink();
  r = w.send(action(2, ActionKind::Escalate, 2), worse, t);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(w.notes(t.id).size() == 1);
  // A digest is its own note.
  r = w.send(action(3, ActionKind::Digest), worse, t);
  REQUIRE(r.status == SendStatus::Done);
  notes = w.notes(t.id);
  REQUIRE(notes.size() == 2);
  CHECK(contains(notes[1], "still firing since"));
}

TEST_CASE("resolving adds the summary note and closes the issue") {
  RedmineWorld w;
  const SystemTime since = now() - 65min;
  const Ticket t = fileOutage(w, since);
  const SendResult r = w.send(action(2, ActionKind::Resolve), resolvedFacts(since, since + 1h + 5min + 3s), t);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  const json issue = w.issue(t.id);
  CHECK(issue["status"]["name"] == "Closed");
  CHECK(contains(issue["subject"], "[RESOLVED] webshop/checkout/cart"));
  const auto notes = w.notes(t.id);
  REQUIRE(notes.size() == 1);
  CHECK(contains(notes[0], "Resolved: started "));
  CHECK(contains(notes[0], "lasted 1h 5m 3s"));
  CHECK(contains(notes[0], "Peak value: 81.0%"));
  CHECK(contains(notes[0], "SLO budget consumed: 12.5% of the 30d error budget"));
  CHECK(contains(notes[0], trailer(1, "resolve", 2)));
  // A retried resolve neither notes twice nor fails on the closed issue.
  const SendResult again = w.send(action(2, ActionKind::Resolve, 1), resolvedFacts(since, since + 1h), t);
  CHECK(again.status == SendStatus::Done);
  CHECK(w.notes(t.id).size() == 1);
}

TEST_CASE("a retired incident gets the no longer monitored note and is closed") {
  RedmineWorld w;
  const Ticket t = fileOutage(w, now() - 1h);
  const SendResult r = w.send(action(2, ActionKind::Retire), resolvedFacts(now() - 1h, now()), t);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(w.issue(t.id)["status"]["name"] == "Closed");
  const auto notes = w.notes(t.id);
  REQUIRE(notes.size() == 1);
  CHECK(contains(notes[0], "no longer monitored"));
}

TEST_CASE("firing again inside reopen_window reopens the same issue with a note") {
  RedmineWorld w;
  const SystemTime since = now() - 30min;
  const Ticket t = fileOutage(w, since);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(since, now()), t).status == SendStatus::Done);
  REQUIRE(w.issue(t.id)["status"]["name"] == "Closed");

  const SendResult r = w.send(action(3, ActionKind::Open), outageFacts(now(), 2), t);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->id == t.id);
  CHECK(r.ticket->episode == 2);
  CHECK(w.issues().size() == 1);
  const json issue = w.issue(t.id);
  CHECK(issue["status"]["name"] == "New");
  CHECK(contains(issue["subject"], "[FIRING]"));
  const auto notes = w.notes(t.id);
  CHECK(countContaining(notes, "Reopened: re-occurred at") == 1);
  CHECK(countContaining(notes, trailer(2, "open", 3)) == 1);
  // The retried Open (its answer lost) changes nothing.
  const SendResult again = w.send(action(3, ActionKind::Open, 1), outageFacts(now(), 2), *r.ticket);
  CHECK(again.status == SendStatus::Done);
  CHECK(w.notes(t.id).size() == notes.size());
}

TEST_CASE("firing again after reopen_window files a new issue related to the old one") {
  RedmineWorld w;
  w.settings.reopen_window = 1h;
  w.makeSink();
  const SystemTime since = now() - 30min;
  const Ticket t = fileOutage(w, since);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(since, now()), t).status == SendStatus::Done);

  const SendResult r = w.send(action(3, ActionKind::Open), outageFacts(now() + 2h, 2), t);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->id != t.id);
  CHECK(r.ticket->episode == 2);
  CHECK(w.issues().size() == 2);
  CHECK(w.issue(t.id)["status"]["name"] == "Closed");
  const json fresh = w.issue(r.ticket->id);
  CHECK(fresh["status"]["name"] == "New");
  CHECK(w.fingerprintOf(fresh) == kFingerprint);
  REQUIRE(fresh["relations"].size() == 1);
  const json rel = fresh["relations"][0];
  CHECK(rel["relation_type"] == "relates");
  const std::string a = std::to_string(rel["issue_id"].get<long>());
  const std::string b = std::to_string(rel["issue_to_id"].get<long>());
  CHECK(((a == r.ticket->id && b == t.id) || (a == t.id && b == r.ticket->id)));
}

TEST_CASE("a workflow that refuses reopen_status gets a new related issue instead") {
  RedmineWorld w;
  w.settings.reopen_status = "Feedback";  // the fixture's Developer may not move Closed → Feedback
  w.makeSink();
  const Ticket t = fileOutage(w, now() - 30min);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(now() - 30min, now()), t).status ==
          SendStatus::Done);
  const SendResult r = w.send(action(3, ActionKind::Open), outageFacts(now(), 2), t);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->id != t.id);
  CHECK(w.issue(t.id)["status"]["name"] == "Closed");
  CHECK(w.issue(r.ticket->id)["relations"].size() == 1);
}

TEST_CASE("an Open whose create went unanswered adopts the issue it created") {
  RedmineWorld w;
  const Ticket t = fileOutage(w, now() - 5min);
  // The agent restarted not knowing the create's answer: a fresh sink, nothing recorded.
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open, 1), outageFacts(now() - 5min), std::nullopt, true);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->id == t.id);
  CHECK(r.ticket->episode == 1);
  CHECK(w.issues().size() == 1);
  CHECK(w.notes(t.id).empty());  // its own episode: nothing to add
}

TEST_CASE("the fingerprint search finds a closed issue and respects a human's close") {
  RedmineWorld w;
  const Ticket t = fileOutage(w, now() - 5min);
  w.closeByHand(t.id);
  // The database was lost: nothing recorded. The closed issue is found (status_id=*), not duplicated.
  w.makeSink();
  const SendResult r = w.send(action(7, ActionKind::Open), outageFacts(now() - 5min), std::nullopt);
  INFO(r.error);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->id == t.id);
  CHECK(w.issues().size() == 1);
  CHECK(w.issue(t.id)["status"]["name"] == "Closed");
  // The next episode, inside the window, reopens it.
  const SendResult next = w.send(action(8, ActionKind::Open), outageFacts(now(), 2), std::nullopt);
  REQUIRE(next.status == SendStatus::Done);
  CHECK(next.ticket->id == t.id);
  CHECK(w.issue(t.id)["status"]["name"] == "New");
}

TEST_CASE("of two open issues with the fingerprint the newest is used") {
  RedmineWorld w;
  const Ticket first = fileOutage(w, now() - 5min);
  w.makeSink();
  const SendResult second = w.send(action(1, ActionKind::Open), outageFacts(now() - 5min, 2),
                                   Ticket{"#999999", "999999", "", 1});  // recorded one is gone (404)
  REQUIRE(second.status == SendStatus::Done);
  // Episode 2 adopted the open issue #first (found by search after the 404).
  CHECK(second.ticket->id == first.id);
  // A human cloned it: now two open issues carry the fingerprint.
  const auto created = shopwatch::testing::redmineRequest(
      w.redmine.url, w.redmine.admin_key, "POST", "/issues.json",
      json{{"issue", {{"project_id", w.redmine.project}, {"tracker_id", 1}, {"subject", "clone"},
                      {"custom_fields", {{{"id", w.redmine.fingerprint_field_id}, {"value", kFingerprint}}}}}}}
          .dump());
  REQUIRE(created.status == 201);
  const std::string clone = std::to_string(json::parse(created.body)["issue"]["id"].get<long>());
  w.makeSink();
  const SendResult r = w.send(action(9, ActionKind::Open), outageFacts(now(), 3), std::nullopt);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.ticket->id == clone);
  CHECK(w.issues().size() == 2);
}

TEST_CASE("a refused API key pauses the sink") {
  RedmineWorld w;
  w.settings.api_key = "0000000000000000000000000000000000000000";
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(now()), std::nullopt);
  CHECK(r.status == SendStatus::Pause);
  CHECK(r.http_code == 401);
  CHECK(contains(r.error, "API key was refused"));
  CHECK_FALSE(contains(r.error, w.settings.api_key));
  CHECK(w.issues().empty());
}

TEST_CASE("a 422 dead-letters with Redmine's error words") {
  RedmineWorld w;
  w.settings.priority[shopwatch::rules::Severity::Warning] = "999999";  // an id no priority has
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(now()), std::nullopt);
  CHECK(r.status == SendStatus::Dead);
  CHECK(r.http_code == 422);
  CHECK(contains(r.error, "Priority cannot be blank"));
  CHECK(w.issues().empty());
  // A priority name that does not exist is dead too, in plain words, before any create.
  w.settings.priority[shopwatch::rules::Severity::Warning] = "Sometimes";
  w.makeSink();
  const SendResult named = w.send(action(1, ActionKind::Open), outageFacts(now()), std::nullopt);
  CHECK(named.status == SendStatus::Dead);
  CHECK(contains(named.error, "priority \"Sometimes\" does not exist in Redmine (have: Low, Normal, High, Urgent, Immediate)"));
}

TEST_CASE("an unreachable Redmine is retried") {
  RedmineWorld w;
  shopwatch::testing::ClosedLoopbackPort closed;
  w.settings.url = "http://127.0.0.1:" + std::to_string(closed.port());
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(now()), std::nullopt);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 0);
  CHECK_FALSE(r.sent_without_answer);
  CHECK(contains(r.error, "no answer from Redmine"));
  const SendResult note = w.send(action(2, ActionKind::Digest), outageFacts(now()), Ticket{"#1", "1", "", 1});
  CHECK(note.status == SendStatus::Retry);
}
