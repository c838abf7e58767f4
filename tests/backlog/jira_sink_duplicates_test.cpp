// Several open Jira issues carrying one incident's fingerprint label (a human cloned one, or two
// agents filed it): the sink keeps the newest and labels every other open one shopwatch-duplicate
// with one comment naming the kept issue — once, however often it looks again.

#include <catch2/catch.hpp>

#include "demo_backlog_client.h"
#include "jira_test_world.h"

using namespace shopwatch::jira_test;
namespace client = shopwatch::testing::demo_backlog;

namespace {

bool hasLabel(const DemoIssue& issue, const std::string& label) {
  return std::find(issue.labels.begin(), issue.labels.end(), label) != issue.labels.end();
}

}  // namespace

TEST_CASE("duplicate open issues of one incident are labelled shopwatch-duplicate once") {
  const auto flavor = GENERATE(JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter);
  INFO("flavor " << flavorName(flavor));
  client::Jira jira(flavor);
  const std::string older = jira.create("[FIRING] webshop/checkout", {"shopwatch", kFingerprint});
  jira.clock.advance(1min);
  const std::string newer = jira.create("[FIRING] webshop/checkout", {"shopwatch", kFingerprint});
  jira.clock.advance(1min);
  const std::string unrelated = jira.create("[FIRING] webshop/home", {"shopwatch", kOtherFingerprint});

  JiraSettings settings;
  settings.url = jira.backlog.baseUrl();
  settings.flavor = flavor;
  settings.email = "ops@agency.example";
  settings.token = "s3cret";
  settings.project = "SHOP";
  settings.timeout = 5s;
  JiraSink sink(settings, "acme", nullptr, &jira.clock);

  // The local mapping is lost: the label search finds both open issues.
  const SendResult r = sink.send(action(1, ActionKind::Open), outageFacts(jira.clock.now()), std::nullopt, false);
  REQUIRE(r.status == SendStatus::Done);
  REQUIRE(r.ticket.has_value());
  CHECK(r.ticket->key == newer);
  CHECK(jira.backlog.counters().creates == 3);  // nothing new filed

  const DemoIssue dup = *jira.backlog.issue(older);
  CHECK(hasLabel(dup, "shopwatch-duplicate"));
  REQUIRE(dup.comments.size() == 1);
  CHECK(dup.comments[0].body.find("duplicate of " + newer) != std::string::npos);
  CHECK(dup.status_category != "done");  // left for a human to close
  CHECK_FALSE(hasLabel(*jira.backlog.issue(newer), "shopwatch-duplicate"));
  CHECK_FALSE(hasLabel(*jira.backlog.issue(unrelated), "shopwatch-duplicate"));

  // Looking again (a fresh sink after a restart, the mapping still lost) marks nothing twice.
  JiraSink again(settings, "acme", nullptr, &jira.clock);
  const SendResult r2 =
      again.send(action(2, ActionKind::Open), outageFacts(jira.clock.now()), std::nullopt, false);
  REQUIRE(r2.status == SendStatus::Done);
  CHECK(r2.ticket->key == newer);
  CHECK(jira.backlog.issue(older)->comments.size() == 1);
}
