// JiraSink when Jira refuses or fails: a field off the create screen, labels off it, 401, 429 with
// Retry-After, 503, a create whose answer never came (found again by label search after the index
// lag, never filed twice), and the comment trailer that keeps a retried comment from being posted twice.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "jira_test_world.h"

using namespace shopwatch::jira_test;

TEST_CASE("a custom field off the create screen is dropped and the create retried once") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  w.settings.fields_json =
      R"({"components":[{"name":"Webshop"}],"customfield_10010":{"value":"Monitoring"}})";
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.request_codes == std::vector<int>{200, 400, 201});
  const DemoIssue issue = w.issue(r.ticket->key);
  CHECK(issue.summary.rfind("[FIRING] ", 0) == 0);
  CHECK(issue.labels == std::vector<std::string>{"shopwatch", kFingerprint, "shop-webshop"});
  CHECK(issue.priority.empty());             // only project, type, summary, description, labels
  CHECK(issue.extra_fields.count("components") == 0);
  CHECK(issue.extra_fields.count("customfield_10010") == 0);
  CHECK(w.demo->counters().creates == 1);
}

TEST_CASE("extra fields on the create screen are sent as configured") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  w.demo->allowFields({"customfield_10010"});
  w.settings.fields_json =
      R"({"components":[{"name":"Webshop"}],"customfield_10010":{"value":"Monitoring"}})";
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(r.status == SendStatus::Done);
  CHECK(r.request_codes == std::vector<int>{200, 201});
  const DemoIssue issue = w.issue("SHOP-1");
  CHECK(issue.priority == "Medium");
  REQUIRE(issue.extra_fields.count("customfield_10010") == 1);
  CHECK(nlohmann::json::parse(issue.extra_fields.at("customfield_10010")) ==
        nlohmann::json{{"value", "Monitoring"}});
  REQUIRE(issue.extra_fields.count("components") == 1);
}

TEST_CASE("labels off the create screen dead-letter the create with a plain message") {
  DemoBacklogOptions options;
  options.screen_fields = {"project", "issuetype", "summary", "description", "priority"};
  JiraWorld w(JiraSettings::Flavor::Cloud, options);
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Dead);
  CHECK(r.http_code == 400);
  CHECK(contains(r.error, "the Labels field is not on the create screen"));
  CHECK(w.demo->issues().empty());
}

TEST_CASE("refused credentials pause the sink") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  w.settings.token = "wrong";
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Pause);
  CHECK(r.http_code == 401);
  CHECK(r.request_codes == std::vector<int>{401});
  CHECK(!contains(r.error, "wrong"));  // never the token
  CHECK(w.demo->issues().empty());
}

TEST_CASE("429 and 503 are retried, honouring Retry-After") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  w.demo->failNext(1, 429, 30);
  SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 429);
  REQUIRE(r.retry_after.has_value());
  CHECK(*r.retry_after == std::chrono::seconds{30});
  CHECK(r.request_codes == std::vector<int>{429});

  w.demo->failNext(1, 503);
  r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt, false);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 503);
  CHECK(!r.retry_after.has_value());
  CHECK(w.demo->issues().empty());

  r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Done);
  CHECK(w.demo->issues().size() == 1);
}

TEST_CASE("a create whose answer was lost is found by label search after the index lag, not filed twice") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  DemoBacklogOptions options;
  options.search_lag = std::chrono::seconds{5};
  JiraWorld w(flavor, options);
  w.settings.timeout = 300ms;
  w.makeSink();
  w.demo->dropAfterCreate(1, 1500ms);

  SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.sent_without_answer);
  CHECK(r.request_codes == std::vector<int>{200, 0});
  CHECK(w.demo->counters().creates == 1);

  // 1 s later the index does not show it yet: wait rather than create again.
  w.clock.advance(1s);
  r = w.send(action(1, ActionKind::Open, 1), outageFacts(kStart), std::nullopt, true);
  CHECK(r.status == SendStatus::Retry);
  CHECK(!r.sent_without_answer);
  REQUIRE(r.retry_after.has_value());
  CHECK(*r.retry_after == std::chrono::seconds{9});
  CHECK(r.request_codes == std::vector<int>{200});
  CHECK(w.demo->counters().creates == 1);

  w.clock.advance(9s);
  r = w.send(action(1, ActionKind::Open, 2), outageFacts(kStart), std::nullopt, true);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->key == "SHOP-1");
  CHECK(r.ticket->episode == 1);
  CHECK(r.request_codes == std::vector<int>{200});  // the search only: adopted silently
  CHECK(w.demo->counters().creates == 1);
  CHECK(w.demo->issues().size() == 1);
  CHECK(w.issue("SHOP-1").comments.empty());
}

TEST_CASE("after a restart a create of unknown outcome is found by search once the index shows it") {
  DemoBacklogOptions options;
  options.search_lag = std::chrono::seconds{5};
  JiraWorld w(JiraSettings::Flavor::Cloud, options);
  w.settings.timeout = 300ms;
  w.makeSink();
  w.demo->dropAfterCreate(1, 1500ms);
  REQUIRE(w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt).sent_without_answer);

  w.clock.advance(30s);  // the agent restarted: a fresh sink, the outbox row says outcome_unknown
  w.makeSink();
  const SendResult r = w.send(action(1, ActionKind::Open, 1), outageFacts(kStart), std::nullopt, true);
  CHECK(r.status == SendStatus::Done);
  CHECK(r.ticket->key == "SHOP-1");
  CHECK(w.demo->counters().creates == 1);
}

TEST_CASE("a retried comment whose trailer is already on the issue is not posted again") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  JiraWorld w(flavor);
  const SendResult opened = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  REQUIRE(opened.status == SendStatus::Done);
  IncidentFacts worse = outageFacts(kStart);
  worse.previous_severity = "warning";
  worse.severity = "critical";

  REQUIRE(w.send(action(2, ActionKind::Escalate), worse, opened.ticket).status == SendStatus::Done);
  REQUIRE(w.issue("SHOP-1").comments.size() == 1);
  // The worker did not learn the outcome and delivers the same action again.
  const SendResult again = w.send(action(2, ActionKind::Escalate, 1), worse, opened.ticket);
  CHECK(again.status == SendStatus::Done);
  CHECK(again.request_codes == std::vector<int>{200, 204});  // read comments, priority
  CHECK(w.issue("SHOP-1").comments.size() == 1);

  // A retried action that never reached Jira is posted after the look.
  const SendResult digest = w.send(action(3, ActionKind::Digest, 1), outageFacts(kStart), opened.ticket);
  CHECK(digest.status == SendStatus::Done);
  CHECK(digest.request_codes == std::vector<int>{200, 201});
  const DemoIssue issue = w.issue("SHOP-1");
  REQUIRE(issue.comments.size() == 2);
  CHECK(contains(issue.comments[1].body, "shopwatch:" + kFingerprint + ":1:digest:3"));
}

TEST_CASE("a Jira that does not answer at all is retried") {
  JiraWorld w(JiraSettings::Flavor::Cloud);
  w.demo->setDown(true);
  SendResult r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 503);
  w.demo->stop();
  r = w.send(action(1, ActionKind::Open), outageFacts(kStart), std::nullopt);
  CHECK(r.status == SendStatus::Retry);
  CHECK(r.http_code == 0);
  CHECK(!r.sent_without_answer);  // the search failed; nothing was created
  CHECK(r.request_codes == std::vector<int>{0});
}
