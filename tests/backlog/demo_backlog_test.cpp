// The demo backlog (agent/runtime's fake Jira) over real HTTP on 127.0.0.1 with libcurl easy, in
// both flavors: create → get → edit → comment → transitions → links/properties, metadata, search
// with index lag, Cloud's 410 on the removed /search, 400 for an off-screen field. Time is a
// FakeClock; nothing sleeps. Faults, auth and the page: demo_backlog_faults_test.cpp.

#include "demo_backlog_client.h"

using namespace shopwatch::testing::demo_backlog;

TEST_CASE("demo backlog creates, reads, edits, comments on and transitions an issue") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  const auto created_at = jira.clock.now();
  const Reply created =
      jira.call("POST", "/issue",
                {{"fields",
                  {{"project", {{"key", "SHOP"}}},
                   {"issuetype", {{"name", "Incident"}}},
                   {"summary", "[FIRING] demo/checkout down"},
                   {"description", jira.text("checkout fails")},
                   {"labels", {"shopwatch", "shopwatch-0123"}},
                   {"priority", {{"name", "High"}}},
                   {"components", json::array({{{"name", "Webshop"}}})}}},
                 {"properties", json::array({{{"key", "shopwatch"}, {"value", {{"seq", 1}}}}})}});
  REQUIRE(created.status == 201);
  const json c = created.parsed();
  CHECK(c["id"] == "10000");
  CHECK(c["key"] == "SHOP-1");
  CHECK(c["self"] == jira.api("/issue/10000"));

  jira.clock.advance(60s);
  Reply got = jira.call("GET",
                        "/issue/SHOP-1?fields=status,resolution,resolutiondate,summary,labels,"
                        "priority,created&properties=shopwatch");
  REQUIRE(got.status == 200);
  json g = got.parsed();
  CHECK(g["id"] == "10000");
  CHECK(g["fields"]["status"]["name"] == "To Do");
  CHECK(g["fields"]["status"]["statusCategory"]["key"] == "new");
  CHECK(g["fields"]["resolution"].is_null());
  CHECK(g["fields"]["resolutiondate"].is_null());
  CHECK(g["fields"]["summary"] == "[FIRING] demo/checkout down");
  CHECK(g["fields"]["labels"] == json({"shopwatch", "shopwatch-0123"}));
  CHECK(g["fields"]["priority"]["name"] == "High");
  CHECK(g["fields"]["created"] == "2027-01-15T08:00:00.000+0000");
  CHECK_FALSE(g["fields"].contains("description"));
  CHECK(g["properties"]["shopwatch"] == json({{"seq", 1}}));
  // The numeric id reads the same issue; all fields by default, description in the flavor's form.
  g = jira.call("GET", "/issue/10000").parsed();
  CHECK(g["key"] == "SHOP-1");
  CHECK(g["fields"]["description"] == jira.text("checkout fails"));
  CHECK(g["fields"]["components"] == json::array({{{"name", "Webshop"}}}));
  CHECK(jira.call("GET", "/issue/SHOP-99").status == 404);

  // Edit: fields and label operations.
  CHECK(jira.call("PUT", "/issue/SHOP-1",
                  {{"fields", {{"priority", {{"name", "Medium"}}}}},
                   {"update",
                    {{"labels",
                      json::array({{{"add", "flapping"}}, {{"remove", "shopwatch-0123"}}})}}}})
            .status == 204);
  CHECK(jira.call("PUT", "/issue/SHOP-1",
                  {{"fields", {{"labels", {"x"}}}},
                   {"update", {{"labels", json::array({{{"add", "y"}}})}}}})
            .status == 400);

  // Comments: two, listed newest first with maxResults.
  Reply posted =
      jira.call("POST", "/issue/SHOP-1/comment", {{"body", jira.text("escalated to critical")}});
  REQUIRE(posted.status == 201);
  CHECK(posted.parsed()["id"] == "10000");
  CHECK(posted.parsed()["body"] == jira.text("escalated to critical"));
  jira.clock.advance(1s);
  REQUIRE(jira.call("POST", "/issue/SHOP-1/comment", {{"body", jira.text("digest: still failing")}})
              .status == 201);
  CHECK(jira.call("POST", "/issue/SHOP-1/comment", {{"body", ""}}).status == 400);
  json comments = jira.call("GET", "/issue/SHOP-1/comment?orderBy=-created&maxResults=1").parsed();
  CHECK(comments["total"] == 2);
  CHECK(comments["maxResults"] == 1);
  REQUIRE(comments["comments"].size() == 1);
  CHECK(comments["comments"][0]["body"] == jira.text("digest: still failing"));

  // Transitions from To Do, then Done with a resolution, then Reopen.
  json ts = jira.call("GET", "/issue/SHOP-1/transitions").parsed();
  std::vector<std::string> names;
  for (const auto& t : ts["transitions"]) names.push_back(t["name"]);
  CHECK(names == std::vector<std::string>{"Start", "Done", "Won't Do"});
  CHECK(ts["transitions"][1]["id"] == "31");
  CHECK(ts["transitions"][1]["to"]["statusCategory"]["key"] == "done");
  CHECK(jira.call("POST", "/issue/SHOP-1/transitions", {{"transition", {{"id", "41"}}}}).status ==
        400);
  jira.clock.advance(10min);
  const auto resolved_at = jira.clock.now();
  CHECK(jira.call("POST", "/issue/SHOP-1/transitions",
                  {{"transition", {{"id", "31"}}},
                   {"fields", {{"resolution", {{"name", "Done"}}}}},
                   {"update",
                    {{"comment", json::array({{{"add", {{"body", jira.text("recovered")}}}}})}}}})
            .status == 204);
  g = jira.call("GET", "/issue/SHOP-1?fields=status,resolution,resolutiondate").parsed();
  CHECK(g["fields"]["status"]["name"] == "Done");
  CHECK(g["fields"]["status"]["statusCategory"]["key"] == "done");
  CHECK(g["fields"]["resolution"]["name"] == "Done");
  CHECK(g["fields"]["resolutiondate"] == "2027-01-15T08:11:01.000+0000");
  ts = jira.call("GET", "/issue/SHOP-1/transitions").parsed();
  REQUIRE(ts["transitions"].size() == 1);
  CHECK(ts["transitions"][0]["name"] == "Reopen");
  CHECK(jira.call("POST", "/issue/SHOP-1/transitions", {{"transition", {{"id", "41"}}}}).status ==
        204);
  g = jira.call("GET", "/issue/SHOP-1?fields=status,resolution,resolutiondate").parsed();
  CHECK(g["fields"]["status"]["statusCategory"]["key"] == "new");
  CHECK(g["fields"]["resolution"].is_null());

  // A second issue linked to the first, and a property written later.
  const std::string second = jira.create("[FIRING] demo/checkout down again", {"shopwatch"});
  CHECK(second == "SHOP-2");
  CHECK(jira.call("POST", "/issueLink",
                  {{"type", {{"name", "Relates"}}},
                   {"inwardIssue", {{"key", "SHOP-2"}}},
                   {"outwardIssue", {{"key", "SHOP-1"}}}})
            .status == 201);
  CHECK(jira.call("POST", "/issueLink",
                  {{"type", {{"name", "Nope"}}},
                   {"inwardIssue", {{"key", "SHOP-2"}}},
                   {"outwardIssue", {{"key", "SHOP-1"}}}})
            .status == 404);
  CHECK(jira.call("PUT", "/issue/SHOP-2/properties/shopwatch", {{"episode", 2}}).status == 200);
  CHECK(jira.call("PUT", "/issue/SHOP-2/properties/other", {{"a", 1}}).status == 201);
  CHECK(jira.call("GET", "/issue/SHOP-2/properties/shopwatch").parsed() ==
        json({{"key", "shopwatch"}, {"value", {{"episode", 2}}}}));
  CHECK(jira.call("GET", "/issue/SHOP-2/properties/missing").status == 404);

  // What tests inspect.
  const auto issue = jira.backlog.issue("SHOP-1");
  REQUIRE(issue);
  CHECK(issue->description == "checkout fails");
  CHECK(issue->labels == std::vector<std::string>{"shopwatch", "flapping"});
  CHECK(issue->priority == "Medium");
  CHECK(issue->status == "To Do");
  CHECK(issue->resolution.empty());
  CHECK(issue->created == created_at);
  REQUIRE(issue->comments.size() == 3);
  CHECK(issue->comments[0].body == "escalated to critical");
  CHECK(issue->comments[2].body == "recovered");
  REQUIRE(issue->transitions.size() == 2);
  CHECK(issue->transitions[0].name == "Done");
  CHECK(issue->transitions[0].from == "To Do");
  CHECK(issue->transitions[0].to == "Done");
  CHECK(issue->transitions[0].resolution == "Done");
  CHECK(issue->transitions[0].at == resolved_at);
  CHECK(issue->transitions[1].name == "Reopen");
  REQUIRE(issue->links.size() == 1);
  CHECK(issue->links[0].type == "Relates");
  CHECK(issue->links[0].inward == "SHOP-2");
  CHECK(issue->extra_fields.at("components") == R"([{"name":"Webshop"}])");
  CHECK(jira.backlog.issue("SHOP-2")->properties.at("shopwatch") == R"({"episode":2})");
  const auto counters = jira.backlog.counters();
  CHECK(counters.creates == 2);
  CHECK(counters.edits == 1);
  CHECK(counters.comments == 2);
  CHECK(counters.transitions == 2);
  CHECK(counters.links == 1);

  // Won't Do resolves with its own resolution; humans act through the same workflow.
  REQUIRE(jira.backlog.humanTransition("SHOP-2", "Won't Do"));
  CHECK(jira.backlog.issue("SHOP-2")->resolution == "Won't Do");
  CHECK_FALSE(jira.backlog.humanTransition("SHOP-2", "Done"));
  REQUIRE(jira.backlog.humanComment("SHOP-2", "closing, known issue"));
  CHECK(jira.call("GET", "/issue/SHOP-2/comment").parsed()["comments"][0]["body"] ==
        jira.text("closing, known issue"));
  REQUIRE(jira.backlog.deleteIssue("SHOP-2"));
  CHECK(jira.call("GET", "/issue/SHOP-2").status == 404);
}

TEST_CASE("demo backlog answers metadata: project, create meta, myself") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  const json project = jira.call("GET", "/project/SHOP").parsed();
  CHECK(project["key"] == "SHOP");
  REQUIRE(project["issueTypes"].size() == 3);
  CHECK(project["issueTypes"][0]["name"] == "Incident");
  CHECK(jira.call("GET", "/project/NOPE").status == 404);
  const json types = jira.call("GET", "/issue/createmeta/SHOP/issuetypes").parsed();
  CHECK(types["issueTypes"] == types["values"]);
  CHECK(types["issueTypes"][2]["name"] == "Task");
  const json fields = jira.call("GET", "/issue/createmeta/SHOP/issuetypes/10001").parsed();
  bool labels_settable = false;
  for (const auto& f : fields["fields"]) {
    if (f["fieldId"] == "labels") labels_settable = true;
    if (f["fieldId"] == "summary") CHECK(f["required"] == true);
    if (f["fieldId"] == "labels") CHECK(f["required"] == false);
  }
  CHECK(labels_settable);
  CHECK(jira.call("GET", "/issue/createmeta/SHOP/issuetypes/999").status == 404);
  const json me = jira.call("GET", "/myself").parsed();
  CHECK(me["emailAddress"] == "ops@agency.example");
}

TEST_CASE("demo backlog search finds issues by project and label only after the index lag") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor, 5s);
  const std::string first = jira.create("first", {"shopwatch", "shopwatch-aaa"});
  jira.clock.advance(1s);
  const std::string other = jira.create("other", {"shopwatch", "shopwatch-bbb"}, "SHOPSTAGE");
  jira.clock.advance(1s);
  const std::string second = jira.create("second", {"shopwatch", "shopwatch-aaa"});
  CHECK(first == "SHOP-1");
  CHECK(other == "SHOPSTAGE-1");
  CHECK(second == "SHOP-2");
  const std::string path = jira.cloud() ? "/search/jql" : "/search";
  const auto search = [&](const std::string& jql) {
    return jira.call(
        "POST", path,
        {{"jql", jql},
         {"fields", {"status", "resolution", "resolutiondate", "created", "summary", "labels"}},
         {"properties", {"shopwatch"}},
         {"maxResults", 5}});
  };
  const auto keys = [](const json& body) {
    std::vector<std::string> out;
    for (const auto& i : body["issues"]) out.push_back(i["key"]);
    return out;
  };
  const std::string jql =
      R"(project in ("SHOP","SHOPSTAGE") AND labels = "shopwatch-aaa" ORDER BY created DESC)";

  // 2 s after the first create nothing is indexed yet; GET by key is strongly consistent.
  Reply r = search(jql);
  REQUIRE(r.status == 200);
  CHECK(keys(r.parsed()).empty());
  CHECK(jira.call("GET", "/issue/SHOP-2").status == 200);
  jira.clock.advance(3s);  // first is 5 s old, second 3 s
  CHECK(keys(search(jql).parsed()) == std::vector<std::string>{"SHOP-1"});
  jira.clock.advance(2s);
  json body = search(jql).parsed();
  CHECK(keys(body) == std::vector<std::string>{"SHOP-2", "SHOP-1"});
  CHECK(body["issues"][0]["fields"]["status"]["statusCategory"]["key"] == "new");
  CHECK(body["issues"][0]["fields"]["summary"] == "second");
  CHECK(body["issues"][0]["properties"]["shopwatch"] == json({{"episode", 1}}));
  if (jira.cloud()) {
    CHECK(body["isLast"] == true);
    CHECK_FALSE(body.contains("total"));
  } else {
    CHECK(body["total"] == 2);
    CHECK(body["startAt"] == 0);
    CHECK(body["maxResults"] == 5);
  }
  CHECK(keys(search(R"(project = "SHOP" ORDER BY created ASC)").parsed()) ==
        std::vector<std::string>{"SHOP-1", "SHOP-2"});
  CHECK(keys(search(R"(project = SHOPSTAGE AND labels = "shopwatch")").parsed()) ==
        std::vector<std::string>{"SHOPSTAGE-1"});

  // Paging: one per page.
  r = jira.call("POST", path, {{"jql", jql}, {"fields", {"summary"}}, {"maxResults", 1}});
  body = r.parsed();
  CHECK(keys(body) == std::vector<std::string>{"SHOP-2"});
  if (jira.cloud()) {
    CHECK(body["isLast"] == false);
    body = jira.call("POST", path,
                     {{"jql", jql},
                      {"fields", {"summary"}},
                      {"maxResults", 1},
                      {"nextPageToken", body["nextPageToken"]}})
               .parsed();
    CHECK(keys(body) == std::vector<std::string>{"SHOP-1"});
    CHECK(body["isLast"] == true);
    // Cloud's default fields are the id only.
    body = jira.call("POST", path, {{"jql", jql}}).parsed();
    CHECK(body["issues"][0] == json({{"id", "10002"}}));
  } else {
    CHECK(body["total"] == 2);
  }

  // JQL outside the subset, or naming an unknown project, is a 400 with Jira's message.
  r = search(R"(project = "SHOP" OR labels = "x")");
  CHECK(r.status == 400);
  CHECK(r.parsed()["errorMessages"][0].get<std::string>().rfind("Error in the JQL Query:", 0) == 0);
  CHECK(search(R"(labels ~ "x")").status == 400);
  CHECK(search(R"(status = "Done")").status == 400);
  CHECK(search(R"(project = "SHOP" ORDER BY status)").status == 400);
  r = search(R"(project = "NOPE")");
  CHECK(r.status == 400);
  CHECK(r.parsed()["errorMessages"][0] ==
        "The value 'NOPE' does not exist for the field 'project'.");
  CHECK(search("").status == (jira.cloud() ? 400 : 200));  // Cloud refuses unbounded queries
  CHECK(jira.backlog.counters().searches == (jira.cloud() ? 8u : 7u));
}

TEST_CASE(
    "demo backlog on Cloud answers 410 on the removed search; Data Center has no search/jql") {
  Jira cloud(JiraSettings::Flavor::Cloud);
  for (const char* path : {"/rest/api/3/search", "/rest/api/2/search"}) {
    const Reply r = request("POST", cloud.backlog.baseUrl() + path, R"({"jql":"project = SHOP"})",
                            cloud.auth());
    CHECK(r.status == 410);
    CHECK(r.parsed()["errorMessages"][0].get<std::string>().find("/rest/api/3/search/jql") !=
          std::string::npos);
  }
  CHECK(request("GET", cloud.backlog.baseUrl() + "/rest/api/3/search?jql=project%3DSHOP", "",
                cloud.auth())
            .status == 410);
  Jira dc(JiraSettings::Flavor::DataCenter);
  CHECK(request("POST", dc.backlog.baseUrl() + "/rest/api/2/search/jql", "{}", dc.auth()).status ==
        404);
  CHECK(request("GET", dc.backlog.baseUrl() + "/rest/api/3/issue/SHOP-1", "", dc.auth()).status ==
        404);
  const Reply r = request(
      "GET", dc.backlog.baseUrl() + "/rest/api/2/search?jql=project%20%3D%20SHOP", "", dc.auth());
  CHECK(r.status == 200);
  CHECK(r.parsed()["total"] == 0);
}

TEST_CASE("demo backlog refuses a field that is not on the create screen") {
  const auto flavor = GENERATE(values(kFlavors));
  Jira jira(flavor);
  json body{{"fields",
             {{"project", {{"key", "SHOP"}}},
              {"issuetype", {{"name", "Incident"}}},
              {"summary", "s"},
              {"customfield_10010", {{"value", "Monitoring"}}}}}};
  Reply r = jira.call("POST", "/issue", body);
  CHECK(r.status == 400);
  CHECK(
      r.parsed() ==
      json::parse(R"({"errorMessages":[],"errors":{"customfield_10010":"Field 'customfield_10010' )"
                  R"(cannot be set. It is not on the appropriate screen, or unknown."}})"));
  CHECK(jira.backlog.issues().empty());
  jira.backlog.allowFields({"customfield_10010"});
  r = jira.call("POST", "/issue", body);
  REQUIRE(r.status == 201);
  CHECK(jira.backlog.issue("SHOP-1")->extra_fields.at("customfield_10010") ==
        R"({"value":"Monitoring"})");

  // Other create errors of Jira's kind.
  body["fields"]["issuetype"] = {{"name", "Epic"}};
  CHECK(jira.call("POST", "/issue", body).parsed()["errors"]["issuetype"] ==
        "Specify a valid issue type");
  body["fields"]["issuetype"] = {{"name", "Bug"}};
  body["fields"]["labels"] = {"has space"};
  CHECK(jira.call("POST", "/issue", body).status == 400);
  body["fields"].erase("labels");
  body["fields"].erase("summary");
  CHECK(jira.call("POST", "/issue", body).parsed()["errors"]["summary"] ==
        "You must specify a summary of the issue.");
  body["fields"]["summary"] = std::string(256, 'x');
  CHECK(jira.call("POST", "/issue", body).status == 400);
  body["fields"]["summary"] = "s";
  // Description in the other flavor's form: Cloud wants ADF, Data Center a string.
  body["fields"]["description"] = jira.cloud() ? json("plain") : adf("adf");
  CHECK(jira.call("POST", "/issue", body).status == 400);
  if (jira.cloud()) {  // an ADF text node must not be empty
    body["fields"]["description"] = adf("");
    CHECK(jira.call("POST", "/issue", body).parsed()["errors"]["description"] == "INVALID_INPUT");
  }
  CHECK(jira.backlog.issues().size() == 1);
}
