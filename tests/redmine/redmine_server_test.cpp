// The real Redmine fixture itself (tests/support/redmine_server.h), and the Redmine facts the sink
// relies on: a non-admin member key, the fingerprint filter over all statuses, the workflow
// New -> Closed -> New for the Developer role, unknown cf filters silently ignored, stop and start.
#include "redmine_server.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "redmine_rest.h"

namespace {

using nlohmann::json;
using shopwatch::testing::RedmineInstance;
using shopwatch::testing::redmineRequest;

json bodyOf(const shopwatch::testing::RedmineReply& reply) {
  return json::parse(reply.body, nullptr, false);
}

/// Creates a Bug with `fingerprint` as the member; returns its id (0 on failure, with a failed
/// check).
int createIssue(const RedmineInstance& rm, const std::string& fingerprint) {
  const json issue = {
      {"issue",
       {{"project_id", rm.project},
        {"tracker_id", 1},
        {"subject", "outage " + fingerprint},
        {"description", "evidence"},
        {"custom_fields", {{{"id", rm.fingerprint_field_id}, {"value", fingerprint}}}}}}};
  const auto reply = redmineRequest(rm.url, rm.api_key, "POST", "/issues.json", issue.dump());
  CHECK(reply.status == 201);
  const auto body = bodyOf(reply);
  if (reply.status != 201 || !body.contains("issue")) return 0;
  return body["issue"].value("id", 0);
}

int statusOf(const RedmineInstance& rm, int id) {
  const auto reply =
      redmineRequest(rm.url, rm.api_key, "GET", "/issues/" + std::to_string(id) + ".json");
  REQUIRE(reply.status == 200);
  return bodyOf(reply)["issue"]["status"].value("id", 0);
}

std::string search(const RedmineInstance& rm, int field_id, const std::string& value) {
  return "/issues.json?project_id=" + rm.project + "&status_id=*&cf_" + std::to_string(field_id) +
         "=" + value;
}

}  // namespace

TEST_CASE("the member key is accepted and is not an admin") {
  const auto rm = shopwatch::testing::redmineInstance();
  if (!rm) return;
  const auto me = redmineRequest(rm->url, rm->api_key, "GET", "/users/current.json");
  REQUIRE(me.status == 200);
  const auto user = bodyOf(me)["user"];
  CHECK(user.value("login", "") == "shopwatch");
  CHECK(user.value("admin", true) == false);
  CHECK(redmineRequest(rm->url, rm->api_key, "GET", "/custom_fields.json").status == 403);
  CHECK(redmineRequest(rm->url, "0000-not-a-key", "GET", "/users/current.json").status == 401);
  const auto admin = redmineRequest(rm->url, rm->admin_key, "GET", "/users/current.json");
  REQUIRE(admin.status == 200);
  CHECK(bodyOf(admin)["user"].value("admin", false) == true);
  const auto project = redmineRequest(rm->url, rm->api_key, "GET",
                                      "/projects/shop.json?include=trackers,issue_custom_fields");
  REQUIRE(project.status == 200);
  const auto fields = bodyOf(project)["project"]["issue_custom_fields"];
  REQUIRE(fields.size() == 1);
  CHECK(fields[0].value("name", "") == "fingerprint");
  CHECK(fields[0].value("id", 0) == rm->fingerprint_field_id);
}

TEST_CASE("the member creates finds closes and reopens an issue by its fingerprint") {
  const auto rm = shopwatch::testing::redmineInstance();
  if (!rm) return;
  REQUIRE(shopwatch::testing::clearRedmineIssues());
  const int id = createIssue(*rm, "shopwatch-fp-one");
  REQUIRE(id > 0);
  createIssue(*rm, "shopwatch-fp-two");

  const auto found = redmineRequest(rm->url, rm->api_key, "GET",
                                    search(*rm, rm->fingerprint_field_id, "shopwatch-fp-one"));
  REQUIRE(found.status == 200);
  const auto issues = bodyOf(found)["issues"];
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].value("id", 0) == id);
  CHECK(issues[0]["custom_fields"][0].value("value", "") == "shopwatch-fp-one");

  const auto close =
      redmineRequest(rm->url, rm->api_key, "PUT", "/issues/" + std::to_string(id) + ".json",
                     R"({"issue":{"notes":"resolved","status_id":5}})");
  CHECK(close.status == 204);
  CHECK(statusOf(*rm, id) == 5);
  // Closed issues are found only with status_id=*.
  const auto open_only =
      redmineRequest(rm->url, rm->api_key, "GET",
                     "/issues.json?project_id=shop&cf_" + std::to_string(rm->fingerprint_field_id) +
                         "=shopwatch-fp-one");
  REQUIRE(open_only.status == 200);
  CHECK(bodyOf(open_only)["issues"].empty());
  CHECK(bodyOf(redmineRequest(rm->url, rm->api_key, "GET",
                              search(*rm, rm->fingerprint_field_id, "shopwatch-fp-one")))["issues"]
            .size() == 1);

  const auto reopen =
      redmineRequest(rm->url, rm->api_key, "PUT", "/issues/" + std::to_string(id) + ".json",
                     R"({"issue":{"notes":"fires again","status_id":1}})");
  CHECK(reopen.status == 204);
  CHECK(statusOf(*rm, id) == 1);
  REQUIRE(shopwatch::testing::clearRedmineIssues());
  const auto after =
      redmineRequest(rm->url, rm->admin_key, "GET", "/issues.json?project_id=shop&status_id=*");
  REQUIRE(after.status == 200);
  CHECK(bodyOf(after).value("total_count", -1) == 0);
}

TEST_CASE("a filter on an unknown custom field is silently ignored by Redmine") {
  const auto rm = shopwatch::testing::redmineInstance();
  if (!rm) return;
  REQUIRE(shopwatch::testing::clearRedmineIssues());
  REQUIRE(createIssue(*rm, "shopwatch-fp-a") > 0);
  REQUIRE(createIssue(*rm, "shopwatch-fp-b") > 0);
  const auto reply = redmineRequest(rm->url, rm->api_key, "GET",
                                    search(*rm, rm->fingerprint_field_id + 98, "shopwatch-fp-a"));
  REQUIRE(reply.status == 200);
  // Both issues come back: the sink must verify the field's value in every result.
  CHECK(bodyOf(reply)["issues"].size() == 2);
  REQUIRE(shopwatch::testing::clearRedmineIssues());
}

TEST_CASE("stopRedmine makes the port refuse and startRedmine brings the same data back") {
  const auto rm = shopwatch::testing::redmineInstance();
  if (!rm) return;
  REQUIRE(shopwatch::testing::clearRedmineIssues());
  const int id = createIssue(*rm, "shopwatch-fp-kept");
  REQUIRE(id > 0);
  REQUIRE(shopwatch::testing::stopRedmine());
  const auto down = redmineRequest(rm->url, rm->api_key, "GET", "/users/current.json");
  CHECK(down.status == 0);
  CHECK_FALSE(shopwatch::testing::stopRedmine());  // not running any more
  REQUIRE(shopwatch::testing::startRedmine());
  const auto again = shopwatch::testing::redmineInstance();
  REQUIRE(again);
  CHECK(again->url == rm->url);
  const auto found = redmineRequest(rm->url, rm->api_key, "GET",
                                    search(*rm, rm->fingerprint_field_id, "shopwatch-fp-kept"));
  REQUIRE(found.status == 200);
  REQUIRE(bodyOf(found)["issues"].size() == 1);
  CHECK(bodyOf(found)["issues"][0].value("id", 0) == id);
  REQUIRE(shopwatch::testing::clearRedmineIssues());
}
