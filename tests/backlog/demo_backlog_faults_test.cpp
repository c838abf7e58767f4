// The demo backlog's authentication, fault injection (429 with Retry-After, 503 while down, a
// create whose answer never arrives), request log and human page, over real HTTP in both flavors.

#include "demo_backlog_client.h"

using namespace shopwatch::testing::demo_backlog;

TEST_CASE("demo backlog answers 401 to missing or wrong credentials") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  const std::string url = jira.api("/myself");
  const std::vector<std::vector<std::string>> bad{
      {},
      {"Authorization: Basic b3BzQGFnZW5jeS5leGFtcGxlOndyb25n"},  // ops@agency.example:wrong
      {"Authorization: Bearer wrong"},
      {jira.cloud() ? "Authorization: Bearer s3cret"
                    : "Authorization: Basic b3BzQGFnZW5jeS5leGFtcGxlOnMzY3JldA=="}};
  for (const auto& headers : bad) {
    const Reply r = request("GET", url, "", headers);
    CHECK(r.status == 401);
    CHECK(r.parsed()["errorMessages"].size() == 1);
    CHECK(r.parsed()["errors"] == json::object());
  }
  CHECK(request("POST", jira.api("/issue"), R"({"fields":{}})", {}).status == 401);
  CHECK(jira.backlog.issues().empty());
  CHECK(jira.backlog.counters().unauthorized == 5);
  CHECK(jira.call("GET", "/myself").status == 200);
}

TEST_CASE("demo backlog injects 429 with Retry-After, 503 while down, and logs every request") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  const auto t0 = jira.clock.now();
  jira.backlog.failNext(2, 429, 30);
  Reply r = jira.call("GET", "/myself");
  CHECK(r.status == 429);
  CHECK(r.headers.find("retry-after: 30\r\n") != std::string::npos);
  jira.clock.advance(30s);
  CHECK(jira.call("POST", "/issue/SHOP-1/comment", {{"body", jira.text("x")}}).status == 429);
  jira.clock.advance(1s);
  jira.create("after the storm", {"shopwatch"});
  jira.backlog.setDown(true);
  CHECK(jira.call("GET", "/issue/SHOP-1").status == 503);
  jira.backlog.setDown(false);
  CHECK(jira.call("GET", "/issue/SHOP-1").status == 200);
  jira.backlog.failNext(1, 503);
  r = jira.call("GET", "/issue/SHOP-1");
  CHECK(r.status == 503);
  CHECK(r.headers.find("retry-after") == std::string::npos);

  const auto log = jira.backlog.requests();
  REQUIRE(log.size() == 6);
  std::vector<int> statuses;
  for (const auto& e : log) statuses.push_back(e.status);
  CHECK(statuses == std::vector<int>{429, 429, 201, 503, 200, 503});
  CHECK(log[0].method == "GET");
  CHECK(log[0].path == (jira.cloud() ? "/rest/api/3/myself" : "/rest/api/2/myself"));
  CHECK(log[0].at == t0);
  CHECK(log[1].at == t0 + 30s);
  CHECK(log[2].method == "POST");
  CHECK(log[2].at == t0 + 31s);
  const auto counters = jira.backlog.counters();
  CHECK(counters.requests == 6);
  CHECK(counters.injected == 4);
  CHECK(counters.creates == 1);
  CHECK(counters.comments == 0);  // the 429'd comment was not acted on
  jira.backlog.clearRequests();
  CHECK(jira.backlog.requests().empty());
}

TEST_CASE("demo backlog can perform a create and leave the client without an answer") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  jira.backlog.dropAfterCreate(1, 30s);
  const json body{{"fields",
                   {{"project", {{"key", "SHOP"}}},
                    {"issuetype", {{"name", "Task"}}},
                    {"summary", "lost answer"}}}};
  const Reply lost = request("POST", jira.api("/issue"), body.dump(), jira.auth(), 300);
  CHECK_FALSE(lost.ok);
  CHECK(lost.status == 0);
  REQUIRE(jira.backlog.issues().size() == 1);  // yet the issue exists
  CHECK(jira.backlog.issues()[0].summary == "lost answer");
  const Reply next = jira.call("POST", "/issue", body);
  CHECK(next.status == 201);
  CHECK(next.parsed()["key"] == "SHOP-2");
  CHECK(jira.backlog.counters().creates == 2);
}

TEST_CASE("demo backlog page lists issues newest first with comments and transitions, escaped") {
  Jira jira(JiraSettings::Flavor::Cloud);
  jira.create("<script>alert(1)</script> checkout", {"shopwatch"});
  jira.create("second & newer", {"shopwatch", "shop-demo"});
  REQUIRE(jira.call("POST", "/issue/SHOP-1/comment", {{"body", adf("recovered after 12 min")}})
              .status == 201);
  REQUIRE(jira.backlog.humanTransition("SHOP-1", "Done"));
  // The page needs no credentials and is not affected by injected faults.
  jira.backlog.setDown(true);
  const Reply page = request("GET", jira.backlog.baseUrl() + "/", "", {});
  REQUIRE(page.status == 200);
  CHECK(page.headers.find("content-type: text/html") != std::string::npos);
  const std::string& html = page.body;
  CHECK(html.find(R"(<meta http-equiv="refresh" content="5">)") != std::string::npos);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; checkout") != std::string::npos);
  CHECK(html.find("second &amp; newer") != std::string::npos);
  const auto newer = html.find("id=\"SHOP-2\"");
  const auto older = html.find("id=\"SHOP-1\"");
  REQUIRE(newer != std::string::npos);
  REQUIRE(older != std::string::npos);
  CHECK(newer < older);
  CHECK(html.find("recovered after 12 min") > older);
  CHECK(html.find("Done: To Do → Done (Done)") > older);
  CHECK(html.find("<code>shop-demo</code>") != std::string::npos);
  CHECK(html.find("Priority High") != std::string::npos);

  const Reply one = request("GET", jira.backlog.baseUrl() + "/issues/SHOP-1", "", {});
  CHECK(one.status == 200);
  CHECK(one.body.find("id=\"SHOP-1\"") != std::string::npos);
  CHECK(one.body.find("id=\"SHOP-2\"") == std::string::npos);
  CHECK(request("GET", jira.backlog.baseUrl() + "/issues/SHOP-9", "", {}).status == 404);
}
