// `backlog check` (checkJira) and `backlog rebuild` (findShopwatchTickets) against the DemoBacklog,
// the Data Center 410 fallback against a FakeHttpServer, and the ticket texts (ADF / wiki) directly.

#include <catch2/catch.hpp>
#include <algorithm>

#include "fake_http_server.h"
#include "jira_test_world.h"
#include "jira_text.h"

using namespace shopwatch::jira_test;
using shopwatch::agent::backlog::checkJira;
using shopwatch::agent::backlog::findShopwatchTickets;
using shopwatch::agent::backlog::HttpClient;
using shopwatch::agent::backlog::JiraCheckReport;
namespace text = shopwatch::agent::backlog::detail;

namespace {

bool hasLine(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return contains(l, needle); });
}

std::string joined(const JiraCheckReport& r) {
  std::string out = "ok:\n";
  for (const auto& l : r.ok) out += "  " + l + "\n";
  out += "problems:\n";
  for (const auto& l : r.problems) out += "  " + l + "\n";
  return out;
}

}  // namespace

TEST_CASE("backlog check passes a good configuration") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  HttpClient http;
  JiraCheckReport r = checkJira(w.settings, http);
  INFO(joined(r));
  CHECK(r.problems.empty());
  CHECK(hasLine(r.ok, "credentials accepted (ops@agency.example)"));
  CHECK(hasLine(r.ok, "project SHOP found"));
  CHECK(hasLine(r.ok, "project SHOPSTAGE found"));
  CHECK(hasLine(r.ok, "issue type \"Incident\" exists in SHOP"));
  CHECK(hasLine(r.ok, "the labels field is settable on the create screen of SHOP/Incident"));
  CHECK(hasLine(r.ok, "cannot verify transitions: the project SHOP has no issues yet"));

  // With an issue in the project the resolve transition can be seen.
  REQUIRE(w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt).status ==
          SendStatus::Done);
  r = checkJira(w.settings, http);
  INFO(joined(r));
  CHECK(r.problems.empty());
  CHECK(hasLine(r.ok, "resolve transition \"Done\" exists from SHOP-1's status \"To Do\""));
  CHECK(w.demo->issues().size() == 1);  // the check created nothing
}

TEST_CASE("backlog check names a wrong project, issue type, field and transition") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  REQUIRE(w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt).status ==
          SendStatus::Done);
  HttpClient http;

  JiraSettings wrong_project = w.settings;
  wrong_project.projects = {{"staging", "NOPE"}};
  JiraCheckReport r = checkJira(wrong_project, http);
  INFO(joined(r));
  CHECK(r.problems == std::vector<std::string>{
                          "project NOPE does not exist, or this account cannot see it"});

  JiraSettings wrong_type = w.settings;
  wrong_type.projects.clear();
  wrong_type.issue_type = "Incidnet";
  r = checkJira(wrong_type, http);
  INFO(joined(r));
  CHECK(r.problems == std::vector<std::string>{
                          "issue type \"Incidnet\" does not exist in SHOP (have: Incident, Bug, Task)"});

  JiraSettings extra_field = w.settings;
  extra_field.projects.clear();
  extra_field.fields_json = R"({"customfield_10010":{"value":"Monitoring"}})";
  extra_field.resolve_transition = "Close";
  r = checkJira(extra_field, http);
  INFO(joined(r));
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0] ==
        "field customfield_10010 from backlog.jira.fields is not on the create screen of "
        "SHOP/Incident (Jira would refuse it; shopwatch then files without it)");
  // No transition is named "Close", and two lead into done (Done, Won't Do): shopwatch never guesses.
  CHECK(r.problems[1] ==
        "no resolve transition from SHOP-1's status \"To Do\": none is named \"Close\" and there is "
        "not exactly one into a done status (available: Start (→ In Progress), Done (→ Done), "
        "Won't Do (→ Done))");
}

TEST_CASE("backlog check reports refused credentials and stops there") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  JiraSettings bad = w.settings;
  bad.token = "expired";
  HttpClient http;
  const JiraCheckReport r = checkJira(bad, http);
  INFO(joined(r));
  CHECK(r.ok.empty());
  REQUIRE(r.problems.size() == 1);
  CHECK(contains(r.problems[0], "Jira refused the credentials (HTTP 401)"));
  CHECK(!contains(r.problems[0], "expired"));
}

TEST_CASE("backlog rebuild finds every shopwatch issue with its fingerprint and property") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const SendResult first = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(first.status == SendStatus::Done);
  w.clock.advance(1min);
  IncidentFacts other = outageFacts(w.clock.now());
  other.fingerprint = kOtherFingerprint;
  other.env = "staging";
  REQUIRE(w.send(action(2, ActionKind::Open), other, std::nullopt).status == SendStatus::Done);
  REQUIRE(w.demo->humanTransition("SHOP-1", "Done").ok());

  HttpClient http;
  auto found = findShopwatchTickets(w.settings, http);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 2);
  const auto& newest = (*found)[0];
  CHECK(newest.fingerprint == kOtherFingerprint);
  CHECK(newest.ticket.key == "SHOPSTAGE-1");
  CHECK(newest.ticket.url == w.demo->baseUrl() + "/browse/SHOPSTAGE-1");
  CHECK(newest.ticket.episode == 1);
  CHECK(!newest.done);
  const auto& older = (*found)[1];
  CHECK(older.fingerprint == kFingerprint);
  CHECK(older.ticket.key == "SHOP-1");
  CHECK(older.ticket.id == first.ticket->id);
  CHECK(older.done);
  CHECK(nlohmann::json::parse(older.property_json)["fingerprint"] == kFingerprint);
}

TEST_CASE("a Data Center search answering 410 switches to /search/jql") {
  curlOnce();
  shopwatch::testing::FakeHttpServer server;
  server.status("/rest/api/2/search", 410,
                R"({"errorMessages":["The requested API has been removed."],"errors":{}})");
  server.respond("/rest/api/2/search/jql",
                 {200, {{"Content-Type", "application/json"}},
                  R"({"issues":[{"id":"10007","key":"SHOP-7","fields":{"labels":["shopwatch",")" +
                      kFingerprint + R"("],"status":{"name":"To Do","statusCategory":{"key":"new"}}}}],)"
                      R"("isLast":true})"});
  JiraSettings s;
  s.url = server.url("");
  s.flavor = JiraSettings::Flavor::DataCenter;
  s.token = "pat";
  s.project = "SHOP";
  HttpClient http;
  auto found = findShopwatchTickets(s, http);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].ticket.key == "SHOP-7");
  CHECK((*found)[0].fingerprint == kFingerprint);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].path == "/rest/api/2/search");
  CHECK(requests[1].path == "/rest/api/2/search/jql");
  CHECK(requests[1].headers.at("authorization") == "Bearer pat");
  CHECK(requests[1].headers.at("accept-language") == "en");
  CHECK(requests[1].headers.at("content-type") == "application/json");
  const auto body = nlohmann::json::parse(requests[1].body);
  CHECK(body["jql"] == "labels = \"shopwatch\" AND project in (\"SHOP\") ORDER BY created DESC");
  CHECK(body["properties"] == nlohmann::json::array({"shopwatch"}));
}

TEST_CASE("descriptions render as ADF without empty text nodes and as escaped wiki text") {
  IncidentFacts f = outageFacts(kStart);
  f.message = "first line\n\nthird line";
  const auto doc = text::issueDescription(f);
  const nlohmann::json adf = text::toAdf(doc);
  CHECK(adf["version"] == 1);
  CHECK(adf["type"] == "doc");
  bool code_block = false;
  for (const auto& block : adf["content"]) {
    REQUIRE(block["content"].size() == 1);
    CHECK(block["content"][0]["type"] == "text");
    CHECK(!block["content"][0]["text"].get<std::string>().empty());
    if (block["type"] == "codeBlock") {
      code_block = true;
      CHECK(block["content"][0]["text"] == f.body_snippet);
    } else {
      CHECK(block["type"] == "paragraph");
    }
  }
  CHECK(code_block);
  const std::string wiki = text::toWiki(doc);
  CHECK(contains(wiki, "first line\n\nthird line"));
  CHECK(contains(wiki, "{noformat}\n<html><body>Service Unavailable {maintenance}</body></html>\n"
                       "{noformat}"));
  CHECK(!contains(wiki, "\n\n\n"));

  IncidentFacts longer = f;
  longer.expr = std::string(300, 'x');
  CHECK(text::issueSummary(longer, false).size() == 255);
  CHECK(text::humanDuration(std::chrono::seconds{3725}) == "1h 2m 5s");
  CHECK(text::humanDuration(std::chrono::seconds{86400 + 5}) == "1d 5s");
  CHECK(text::humanDuration(std::chrono::seconds{0}) == "0s");
}
