// `backlog check` (checkRedmine) and `backlog rebuild` (findRedmineTickets) against the REAL
// Redmine of the `redmine` fixture: a good config is all ok; a wrong tracker, status, priority, a
// missing fingerprint field and a refused key each give one problem in plain words.
#include <catch2/catch.hpp>

#include "redmine_test_world.h"
#include "shopwatch/agent/backlog/http_client.h"

using namespace shopwatch::redmine_test;
using shopwatch::agent::backlog::checkRedmine;
using shopwatch::agent::backlog::findRedmineTickets;
using shopwatch::agent::backlog::HttpClient;
using shopwatch::agent::backlog::SinkCheckReport;

namespace {

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& l : v) out += l + "\n";
  return out;
}

/// The one problem of a report (REQUIREs exactly one).
std::string onlyProblem(const SinkCheckReport& r) {
  INFO("ok:\n" << lines(r.ok) << "problems:\n" << lines(r.problems));
  REQUIRE(r.problems.size() == 1);
  return r.problems[0];
}

}  // namespace

TEST_CASE("backlog check passes a good Redmine config") {
  RedmineWorld w;
  HttpClient http;
  SinkCheckReport r = checkRedmine(w.settings, http);
  INFO("ok:\n" << lines(r.ok) << "problems:\n" << lines(r.problems));
  CHECK(r.problems.empty());
  CHECK(contains(lines(r.ok), "API key accepted (user shopwatch)"));
  CHECK(contains(lines(r.ok), "project shop found (Shop)"));
  CHECK(contains(lines(r.ok), "tracker \"Bug\" is enabled in shop"));
  CHECK(contains(lines(r.ok), "closed_status \"Closed\" exists and closes issues"));
  CHECK(contains(lines(r.ok), "fingerprint field \"fingerprint\" (id " +
                                  std::to_string(w.redmine.fingerprint_field_id) + ") is visible in shop"));
  CHECK(contains(lines(r.ok), "has no issues yet"));
  // With an issue, the filter itself is verified.
  REQUIRE(w.send(action(1, ActionKind::Open), outageFacts(now()), std::nullopt).status == SendStatus::Done);
  r = checkRedmine(w.settings, http);
  CHECK(r.problems.empty());
  CHECK(contains(lines(r.ok), "the fingerprint field is usable as a search filter"));
  CHECK(w.issues().size() == 1);  // the check created nothing
}

TEST_CASE("backlog check names a wrong tracker status priority or field in plain words") {
  RedmineWorld w;
  HttpClient http;
  SECTION("tracker") {
    w.settings.tracker = "Incident";
    const std::string p = onlyProblem(checkRedmine(w.settings, http));
    CHECK(contains(p, "tracker \"Incident\" does not exist (have: Bug, Feature, Support)"));
  }
  SECTION("closed status") {
    w.settings.closed_status = "Done";
    CHECK(contains(onlyProblem(checkRedmine(w.settings, http)),
                   "closed_status \"Done\" is not an issue status (have: New, In Progress, Resolved"));
  }
  SECTION("a closed_status that does not close") {
    w.settings.closed_status = "Resolved";
    CHECK(contains(onlyProblem(checkRedmine(w.settings, http)), "is not a closed status in Redmine"));
  }
  SECTION("priority") {
    w.settings.priority[shopwatch::rules::Severity::Info] = "Lowest";
    CHECK(contains(onlyProblem(checkRedmine(w.settings, http)),
                   "priority \"Lowest\" does not exist (have: Low, Normal, High, Urgent, Immediate)"));
  }
  SECTION("fingerprint field") {
    w.settings.fingerprint_field = "shopwatch_fingerprint";
    CHECK(contains(onlyProblem(checkRedmine(w.settings, http)),
                   "no issue custom field named \"shopwatch_fingerprint\" is visible in project shop"));
  }
  SECTION("project") {
    w.settings.project = "nosuchproject";
    CHECK(contains(onlyProblem(checkRedmine(w.settings, http)),
                   "project \"nosuchproject\" does not exist, or the key's user is not a member of it"));
  }
}

TEST_CASE("backlog check reports a refused key and nothing else") {
  RedmineWorld w;
  HttpClient http;
  w.settings.api_key = "0000000000000000000000000000000000000000";
  const std::string p = onlyProblem(checkRedmine(w.settings, http));
  CHECK(contains(p, "Redmine refused the API key (HTTP 401)"));
  CHECK_FALSE(contains(p, w.settings.api_key));
}

TEST_CASE("backlog rebuild finds shopwatch's Redmine issues of every status, newest first") {
  RedmineWorld w;
  HttpClient http;
  const SendResult first = w.send(action(1, ActionKind::Open), outageFacts(now() - 1h), std::nullopt);
  REQUIRE(first.status == SendStatus::Done);
  REQUIRE(w.send(action(2, ActionKind::Resolve), resolvedFacts(now() - 1h, now()), first.ticket).status ==
          SendStatus::Done);
  const SendResult second = w.send(action(3, ActionKind::Open), outageFacts(now(), 2), first.ticket);
  REQUIRE(second.status == SendStatus::Done);
  REQUIRE(second.ticket->id == first.ticket->id);  // reopened
  auto found = findRedmineTickets(w.settings, http);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].fingerprint == kFingerprint);
  CHECK((*found)[0].ticket.key == "#" + first.ticket->id);
  CHECK((*found)[0].ticket.url == w.redmine.url + "/issues/" + first.ticket->id);
  CHECK_FALSE((*found)[0].done);
}
