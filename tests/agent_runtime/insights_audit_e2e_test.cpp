// Response audits in the running agent ([F]): a fake shop whose page is sent uncompressed and whose
// stylesheet has no caching headers, the agent's first insights pass fetching them on its engine,
// GET /api/v1/insights ranking the audit findings, and `insights.backlog: jira` filing each of them
// exactly once into a fake Jira as an Improvement (another pass files nothing new).

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "fake_http_server.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "shopwatch/agent/runtime/demo_backlog.h"
#include "test_helpers.h"

using namespace std::chrono_literals;
using shopwatch::agent::loadConfigFile;
using shopwatch::agent::runtime::AgentRuntime;
using shopwatch::agent::runtime::DemoBacklog;
using shopwatch::agent::runtime::DemoBacklogOptions;
using shopwatch::agent::runtime::RuntimeOptions;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using shopwatch::testing::httpGet;
using shopwatch::testing::TempDir;
using shopwatch::testing::waitUntil;

namespace {

constexpr const char* kTokenEnv = "SHOPWATCH_INSIGHTS_E2E_TOKEN";

/// A home page of ~6 KB of HTML, sent without content-encoding, naming one stylesheet, one image
/// behind a redirect and a script on a host the config does not list.
void shopWithFindings(FakeHttpServer& shop) {
  std::string html = "<!doctype html><html><head><title>Acme</title>"
                     "<link rel=\"stylesheet\" href=\"/static/app.css\">"
                     "<script src=\"http://cdn.invalid/tracker.js\"></script></head><body>"
                     "<img src=\"/img/old-hero.png\">";
  while (html.size() < 6000) html += "<p>Fresh coffee beans, roasted to order, shipped in 24 hours.</p>";
  html += "</body></html>";
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html; charset=utf-8"}}, html, 0ms});
  std::string css;
  while (css.size() < 4000) css += ".product-card{margin:0 auto;padding:12px;border:1px solid #ddd}\n";
  shop.respond("/static/app.css",
               FakeResponse{200, {{"Content-Type", "text/css"}, {"Content-Encoding", "identity"}}, css, 0ms});
  shop.redirect("/img/old-hero.png", "/img/hero.png", 301);
  shop.respond("/img/hero.png",
               FakeResponse{200, {{"Content-Type", "image/png"}, {"Cache-Control", "public, max-age=31536000"}},
                            std::string(2000, 'x'), 0ms});
}

std::set<std::string> findingIds(const nlohmann::json& doc) {
  std::set<std::string> ids;
  for (const auto& f : doc["findings"]) ids.insert(f["finding"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("the agent audits its pages and files each finding once into Jira as an improvement",
          "[insights][audit]") {
  FakeHttpServer shop;
  shopWithFindings(shop);
  ::setenv(kTokenEnv, "insights-e2e-token", 1);
  DemoBacklogOptions jira_options;
  jira_options.token = "insights-e2e-token";
  jira_options.issue_types = {"Incident", "Improvement"};
  DemoBacklog jira(jira_options);
  REQUIRE(jira.start().ok());

  TempDir dir;
  const auto cfg = dir.write(
      "acme.yaml",
      "agent:\n  client: acme\n  database: " + (dir.path() / "acme.db").string() +
          "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
          "\n    checks:\n      - name: home\n        url: /\n        interval: 1h\n"
          "backlog:\n  jira:\n    url: " + jira.baseUrl() +
          "\n    flavor: cloud\n    email: demo@shopwatch.invalid\n    token: ${env:" + kTokenEnv +
          "}\n    project: SHOP\n    issue_type: Incident\n"
          "insights:\n  backlog: jira\n  issue_type: Improvement\n  min_priority: info\n  audit_interval: 1h\n");
  RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.insights_first_delay = 0ms;
  options.insights_every = 500ms;  // several passes: the filing must not repeat
  AgentRuntime agent(options);
  auto loaded = loadConfigFile(cfg.string());
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.format() + "\n";
  INFO(errors);
  REQUIRE(loaded.ok());
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(agent.port());

  nlohmann::json doc;
  REQUIRE(waitUntil([&] {
    const auto r = httpGet(base + "/api/v1/insights?shop=shop");
    if (r.status != 200) return false;
    doc = nlohmann::json::parse(r.body, nullptr, false);
    return doc.is_object() && findingIds(doc).count("no-compression") > 0;
  }, 20s));
  const auto ids = findingIds(doc);
  CHECK(ids.count("no-compression") == 1);
  CHECK(ids.count("no-cache-headers") == 1);
  CHECK(ids.count("redirect-chain") == 1);
  CHECK(ids.count("no-http2") == 0);  // plain http is not flagged
  for (const auto& f : doc["findings"]) {
    INFO(f.dump());
    CHECK(f["check"] == "home");
    if (f["finding"] == "no-compression") {
      CHECK(f["saving_bytes"].get<double>() > 3000);
      CHECK(f["evidence"].dump().find("/static/app.css") != std::string::npos);
      CHECK(f["evidence"].dump().find(shop.url("/")) != std::string::npos);
    }
    if (f["finding"] == "no-cache-headers") {
      CHECK(f["evidence"].dump().find("/static/app.css") != std::string::npos);
      CHECK(f["evidence"].dump().find("hero.png") == std::string::npos);  // cached for a year
    }
    if (f["finding"] == "redirect-chain") CHECK(f["evidence"].dump().find("/img/hero.png") != std::string::npos);
  }
  // The script on the unlisted host was never requested; the shop saw the page and its assets.
  std::set<std::string> paths;
  for (const auto& r : shop.requests()) paths.insert(r.path);
  CHECK(paths.count("/static/app.css") == 1);
  CHECK(paths.count("/img/hero.png") == 1);
  for (const auto& r : shop.requests()) {
    if (r.path == "/static/app.css") CHECK(r.headers.count("accept-encoding") == 1);
  }

  // One Improvement per finding, however many passes ran.
  REQUIRE(waitUntil([&] { return jira.issues().size() == ids.size(); }, 20s));
  std::this_thread::sleep_for(1500ms);  // three more passes
  const auto issues = jira.issues();
  CHECK(issues.size() == ids.size());
  std::set<std::string> summaries;
  for (const auto& issue : issues) {
    INFO(issue.summary);
    CHECK(issue.issue_type == "Improvement");
    CHECK(issue.summary.rfind("[IMPROVEMENT] ", 0) == 0);
    CHECK(issue.status_category == "new");
    summaries.insert(issue.summary);
  }
  CHECK(summaries.size() == issues.size());
  const std::string metrics = httpGet(base + "/metrics").body;
  CHECK(metrics.find("insights-e2e-token") == std::string::npos);
  CHECK(metrics.find("shopwatch_finding_saving_bytes{shop=\"shop\",env=\"production\",check=\"home\",step=\"\","
                     "finding=\"no-compression\"}") != std::string::npos);
  agent.stop();
}

TEST_CASE("a slow TLS handshake is a slow-tls finding of the agent's audit", "[insights][audit]") {
  FakeHttpServer::Options tls;
  tls.tls = true;
  tls.handshake_delay = 350ms;
  FakeHttpServer shop(tls);
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<html><body>ok</body></html>", 0ms});
  TempDir dir;
  const auto cfg = dir.write(
      "acme.yaml", "agent:\n  client: acme\n  database: " + (dir.path() / "acme.db").string() +
                       "\nshops:\n  - name: shop\n    base_url: " + shop.url("") +
                       "\n    checks:\n      - name: home\n        url: /\n        interval: 1h\n"
                       "        tls: {verify: false}\n"
                       "insights:\n  audit_interval: 1h\n");
  RuntimeOptions options;
  options.listen_override = "127.0.0.1:0";
  options.insights_first_delay = 0ms;
  AgentRuntime agent(options);
  auto loaded = loadConfigFile(cfg.string());
  REQUIRE(loaded.ok());
  REQUIRE(agent.start(std::move(*loaded.config)).ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(agent.port());
  nlohmann::json doc;
  REQUIRE(waitUntil([&] {
    const auto r = httpGet(base + "/api/v1/insights");
    doc = nlohmann::json::parse(r.body, nullptr, false);
    return doc.is_object() && !doc["findings"].empty();
  }, 20s));
  INFO(doc.dump(2));
  const auto& first = doc["findings"][0];
  CHECK(first["finding"] == "slow-tls");
  CHECK(first["check"] == "home");
  CHECK(first["evidence"]["tls_ms"].get<double>() >= 340);
  CHECK(first["saving_seconds"].get<double>() >= 0.26);  // tls − the 80 ms target
  // The fake speaks HTTP/1.1, and its self-signed certificate expires within a day.
  CHECK(findingIds(doc) == std::set<std::string>{"slow-tls", "no-http2", "cert-chain"});
  for (const auto& f : doc["findings"]) {
    if (f["finding"] == "cert-chain") CHECK(f["evidence"]["expiring"][0]["days_left"] == 0);
  }
  // The status page's "what to improve next" names it.
  const auto page = httpGet(base + "/");
  CHECK(page.body.find("What to improve next") != std::string::npos);
  CHECK(page.body.find("slow-tls") != std::string::npos);
  agent.stop();
}
