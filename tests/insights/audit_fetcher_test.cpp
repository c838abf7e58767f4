// The audit fetcher ([F]) against fake shops on 127.0.0.1: the page and its assets as the audits
// see them, the address policy (assets on other hosts are never contacted), and early return.
#include "shopwatch/agent/insights/audit_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "closed_port.h"
#include "fake_http_server.h"
#include "shopwatch/agent/insights/audits.h"
#include "shopwatch/probes/http_probe_engine.h"
#include "temp_dir.h"
#include "tls_resumption.h"

namespace ins = shopwatch::agent::insights;
using namespace std::chrono_literals;
using shopwatch::core::Check;
using shopwatch::probes::EngineOptions;
using shopwatch::probes::HttpProbeEngine;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;

namespace {

bool curlReady() {
  static const bool kReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return kReady;
}

// Every name the tests use resolves to 127.0.0.1 (or not at all): nothing leaves the machine.
class LoopbackResolver final : public shopwatch::probes::Resolver {
 public:
  std::optional<std::string> resolve(const std::string& host, shopwatch::core::IpVersion) override {
    if (host == "cdn.test" || host == "shop.test") return "127.0.0.1";
    return std::nullopt;
  }
};

EngineOptions loopbackEngine() {
  REQUIRE(curlReady());
  EngineOptions options;
  options.resolver = std::make_shared<LoopbackResolver>();
  return options;
}

Check pageCheck(const std::string& url) {
  Check check;
  check.key = {"acme", "production", "home"};
  check.probe = shopwatch::core::HttpProbe{};
  check.http()->request.url = url;
  check.http()->request.user_agent = "shopwatch-audit-test";
  return check;
}

const ins::Finding* findingOf(const std::vector<ins::Finding>& findings, const std::string& id) {
  for (const auto& f : findings) {
    if (f.finding == id) return &f;
  }
  return nullptr;
}

std::vector<std::string> evidenceUrls(const ins::Finding& f, const char* list) {
  std::vector<std::string> urls;
  for (const auto& item : f.evidence.at(list)) urls.push_back(item.at("url").get<std::string>());
  return urls;
}

const ins::FetchedResource* assetNamed(const ins::PageAudit& audit, const std::string& url) {
  for (const auto& a : audit.assets) {
    if (a.url == url) return &a;
  }
  return nullptr;
}

std::string headerOf(const ins::FetchedResource& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

const auto kNever = [] { return false; };

}  // namespace

TEST_CASE("a fetched shop page yields the compression, cache and redirect findings", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  FakeHttpServer cdn;  // on 127.0.0.1 too, named cdn.test: not an allowed host here
  const std::string cdn_script = cdn.urlWithHost("cdn.test", "/app.js");
  shop.respond("/", FakeResponse{200,
                                 {{"Content-Type", "text/html; charset=utf-8"}},
                                 "<!doctype html><html><head>"
                                 "<link rel=\"stylesheet\" href=\"/site.css\">"
                                 "<script src=\"http://cdn.invalid/app.js\"></script>"
                                 "<script src=\"" + cdn_script + "\"></script>"
                                 "</head><body><img src=\"img/hero\" alt=\"\"></body></html>"});
  const std::string css(6000, 'a');
  shop.respond("/site.css", FakeResponse{200, {{"Content-Type", "text/css"}}, css});
  shop.redirect("/img/hero", "/img/hero.png", 302);
  shop.respond("/img/hero.png", FakeResponse{200,
                                             {{"Content-Type", "image/png"},
                                              {"Cache-Control", "public, max-age=31536000"}},
                                             std::string(2000, 'p')});
  cdn.respond("/app.js", FakeResponse{200, {{"Content-Type", "application/javascript"}}, "x()"});

  HttpProbeEngine engine(loopbackEngine());
  const Check check = pageCheck(shop.url("/"));
  const ins::PageAudit audit = ins::fetchPageAudit(engine, check, "", {}, kNever);

  CHECK(audit.key == check.key);
  CHECK(audit.step.empty());
  INFO(audit.page.error);
  CHECK(audit.page.url == shop.url("/"));
  CHECK(audit.page.kind == ins::ResourceKind::Page);
  CHECK(audit.page.status == 200);
  CHECK(audit.page.http_version == "1.1");
  CHECK(audit.page.error.empty());
  CHECK(headerOf(audit.page, "Content-Type") == "text/html; charset=utf-8");
  CHECK(audit.page.bytes > 100);

  // The address policy: neither foreign script was fetched, both are listed.
  CHECK(audit.skipped_assets == std::vector<std::string>{"http://cdn.invalid/app.js", cdn_script});
  CHECK(cdn.requestCount("/app.js") == 0);
  REQUIRE(audit.assets.size() == 2);

  const auto* sheet = assetNamed(audit, shop.url("/site.css"));
  REQUIRE(sheet);
  CHECK(sheet->kind == ins::ResourceKind::Stylesheet);
  CHECK(sheet->status == 200);
  CHECK(sheet->bytes == css.size());
  CHECK(sheet->redirect_chain.empty());
  CHECK(sheet->fetched_at.time_since_epoch().count() > 0);

  const auto* image = assetNamed(audit, shop.url("/img/hero"));
  REQUIRE(image);
  CHECK(image->kind == ins::ResourceKind::Image);
  CHECK(image->status == 200);
  CHECK(image->redirect_chain == std::vector<std::string>{shop.url("/img/hero")});
  CHECK(headerOf(*image, "Cache-Control") == "public, max-age=31536000");
  CHECK(image->bytes == 2000);
  CHECK(image->duration > 0us);

  // What went out: browser-like encodings on every request, the check's user agent.
  for (const auto& req : shop.requests()) {
    INFO(req.path);
    CHECK(req.method == "GET");
    CHECK(req.headers.at("accept-encoding") == "gzip, deflate, br");
    CHECK(req.headers.at("user-agent") == "shopwatch-audit-test");
  }

  const auto findings = ins::auditPage(audit);
  const auto* compression = findingOf(findings, ins::ids::kNoCompression);
  REQUIRE(compression);
  CHECK(evidenceUrls(*compression, "responses") == std::vector<std::string>{shop.url("/site.css")});
  const auto* cache = findingOf(findings, ins::ids::kNoCacheHeaders);
  REQUIRE(cache);
  CHECK(evidenceUrls(*cache, "assets") == std::vector<std::string>{shop.url("/site.css")});
  const auto* redirects = findingOf(findings, ins::ids::kRedirectChain);
  REQUIRE(redirects);
  CHECK(evidenceUrls(*redirects, "redirects") == std::vector<std::string>{shop.url("/img/hero")});
  CHECK(redirects->evidence.at("hops") == 1);
}

TEST_CASE("assets on a listed host are fetched", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  FakeHttpServer cdn;
  const std::string script = cdn.urlWithHost("CDN.test", "/app.js");
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}},
                                 "<script src=\"" + script + "\"></script>"});
  cdn.respond("/app.js", FakeResponse{200, {{"Content-Type", "application/javascript"},
                                            {"Content-Encoding", "identity"}}, "x()"});
  HttpProbeEngine engine(loopbackEngine());
  ins::AuditFetchOptions options;
  options.asset_hosts = {"cdn.TEST:" + std::to_string(cdn.port())};
  options.resolve_host = [](const std::string&) { return std::vector<std::string>{"127.0.0.1"}; };
  Check check = pageCheck(shop.urlWithHost("shop.test", "/"));
  check.http()->request.resolve = {{"shop.test", "127.0.0.1"}};
  const auto audit = ins::fetchPageAudit(engine, check, "", options, kNever);
  INFO(audit.page.error);
  CHECK(audit.skipped_assets.empty());
  REQUIRE(audit.assets.size() == 1);
  CHECK(audit.assets[0].kind == ins::ResourceKind::Script);
  CHECK(audit.assets[0].status == 200);
  CHECK(cdn.requestCount("/app.js") == 1);

  SECTION("another port of a listed host is not allowed") {
    options.asset_hosts = {"cdn.test:1"};
    const auto again = ins::fetchPageAudit(engine, check, "", options, kNever);
    CHECK(again.assets.empty());
    CHECK(again.skipped_assets.size() == 1);
    CHECK(cdn.requestCount("/app.js") == 1);
  }
}

TEST_CASE("an HTTPS page and its own assets use the check's TLS options", "[insights][audit-fetch]") {
  FakeHttpServer::Options tls;
  tls.tls = true;
  FakeHttpServer shop(tls);
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}},
                                 "<link rel=stylesheet href=/s.css>"});
  shop.respond("/s.css", FakeResponse{200, {{"Content-Type", "text/css"}}, "a{}"});
  HttpProbeEngine engine(loopbackEngine());
  Check check = pageCheck(shop.url("/"));
  check.http()->request.tls.verify = false;  // the fake's self-signed certificate
  const auto audit = ins::fetchPageAudit(engine, check, "", {}, kNever);
  INFO(audit.page.error);
  CHECK(audit.page.status == 200);
  CHECK(audit.page.cert_not_after.has_value());
  CHECK(audit.page.phases.tls > 0us);
  REQUIRE(audit.assets.size() == 1);
  INFO(audit.assets[0].error);
  CHECK(audit.assets[0].status == 200);
  CHECK(audit.assets[0].cert_not_after.has_value());

  SECTION("with verification on, the page fails at TLS and that is the finding") {
    check.http()->request.tls.verify = true;
    const auto failed = ins::fetchPageAudit(engine, check, "", {}, kNever);
    CHECK(failed.page.status == 0);
    CHECK_FALSE(failed.page.error.empty());
    CHECK(failed.assets.empty());
    const auto findings = ins::auditPage(failed);
    CHECK(findingOf(findings, ins::ids::kCertChain) != nullptr);
  }
}

TEST_CASE("an asset redirect to a host that is not allowed is not followed", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  FakeHttpServer cdn;
  const std::string target = cdn.urlWithHost("cdn.test", "/hero.png");
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<img src=\"/hero\">"});
  shop.redirect("/hero", target, 302);
  cdn.respond("/hero.png", FakeResponse{200, {{"Content-Type", "image/png"}}, "png"});
  HttpProbeEngine engine(loopbackEngine());
  const auto audit = ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, kNever);
  REQUIRE(audit.assets.size() == 1);
  CHECK(audit.assets[0].status == 0);
  CHECK(audit.assets[0].error.find("not followed") != std::string::npos);
  CHECK(audit.skipped_assets == std::vector<std::string>{target});
  CHECK(cdn.requestCount("/hero.png") == 0);
}

TEST_CASE("assets are extracted only from an HTML page", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  shop.respond("/", FakeResponse{200, {{"Content-Type", "application/json"}},
                                 "{\"html\": \"<img src=/x.png>\"}"});
  HttpProbeEngine engine(loopbackEngine());
  const auto audit = ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, kNever);
  CHECK(audit.page.status == 200);
  CHECK(audit.assets.empty());
  CHECK(audit.skipped_assets.empty());
  CHECK(shop.requestCount("/x.png") == 0);
}

TEST_CASE("a journey's page is the named step's request", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  shop.respond("/cart", FakeResponse{200, {{"Content-Type", "text/html"}}, "<p>cart</p>"});
  HttpProbeEngine engine(loopbackEngine());
  Check check = pageCheck(shop.url("/"));
  shopwatch::core::JourneyProbe journey;
  journey.steps.resize(3);
  journey.steps[0].name = "home";
  journey.steps[0].request.url = shop.url("/");
  journey.steps[1].name = "cart";
  journey.steps[1].request.url = shop.url("/cart");
  journey.steps[1].request.method = "POST";
  journey.steps[1].request.headers = {{"X-Token", "${token}"}, {"X-Plain", "1"}};
  journey.steps[2].name = "order";
  journey.steps[2].request.url = shop.url("/order/${order_id}");
  check.probe = journey;

  const auto audit = ins::fetchPageAudit(engine, check, "cart", {}, kNever);
  CHECK(audit.step == "cart");
  CHECK(audit.page.url == shop.url("/cart"));
  CHECK(audit.page.status == 200);
  const auto requests = shop.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].headers.count("x-token") == 0);
  CHECK(requests[0].headers.at("x-plain") == "1");

  const auto order = ins::fetchPageAudit(engine, check, "order", {}, kNever);
  CHECK(order.page.status == 0);
  CHECK(order.page.error.find("journey variables") != std::string::npos);
  CHECK(shop.requests().size() == 1);
}

TEST_CASE("the fetcher returns promptly when told to stop", "[insights][audit-fetch]") {
  FakeHttpServer shop;
  HttpProbeEngine engine(loopbackEngine());
  auto stopAfter = [](std::chrono::milliseconds after) {
    const auto until = std::chrono::steady_clock::now() + after;
    return [until] { return std::chrono::steady_clock::now() >= until; };
  };

  SECTION("while the page is in flight") {
    shop.delay("/", 3s, FakeResponse{200, {{"Content-Type", "text/html"}}, "<p>late</p>"});
    const auto t0 = std::chrono::steady_clock::now();
    const auto audit =
        ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, stopAfter(200ms));
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < 1s);
    CHECK(audit.page.status == 0);
    CHECK_FALSE(audit.page.error.empty());
    CHECK(audit.assets.empty());
  }
  SECTION("while assets are in flight: the finished ones are kept") {
    shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}},
                                   "<link rel=stylesheet href=/fast.css><script src=/slow.js></script>"});
    shop.respond("/fast.css", FakeResponse{200, {{"Content-Type", "text/css"}}, "a{}"});
    shop.delay("/slow.js", 3s, FakeResponse{200, {{"Content-Type", "text/javascript"}}, "x"});
    const auto t0 = std::chrono::steady_clock::now();
    const auto audit =
        ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, stopAfter(700ms));
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < 1500ms);
    CHECK(audit.page.status == 200);
    REQUIRE(audit.assets.size() == 1);
    CHECK(audit.assets[0].url == shop.url("/fast.css"));
  }
  SECTION("already stopping: nothing is requested") {
    const auto audit = ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, [] { return true; });
    CHECK(audit.page.status == 0);
    CHECK(shop.requests().empty());
  }
}

TEST_CASE("a listed asset host that leads into a private network is not fetched for a public shop",
          "[insights][audit-fetch]") {
  FakeHttpServer shop;
  FakeHttpServer cdn;
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}},
                                 "<script src=\"" + cdn.urlWithHost("cdn.test", "/app.js") + "\"></script>"});
  cdn.respond("/app.js", FakeResponse{200, {{"Content-Type", "application/javascript"}}, "x()"});
  HttpProbeEngine engine(loopbackEngine());  // every connection still goes to 127.0.0.1
  ins::AuditFetchOptions options;
  options.asset_hosts = {"cdn.test"};
  // What the address policy sees: the shop on a public address, its CDN name on a private one.
  options.resolve_host = [](const std::string& host) {
    return std::vector<std::string>{host == "shop.test" ? "93.184.216.34" : "10.0.0.8"};
  };
  const Check check = pageCheck(shop.urlWithHost("shop.test", "/"));
  const auto audit = ins::fetchPageAudit(engine, check, "", options, kNever);
  REQUIRE(audit.page.status == 200);
  REQUIRE(audit.assets.size() == 1);
  CHECK(audit.assets[0].status == 0);
  CHECK(audit.assets[0].error ==
        "not fetched: cdn.test resolves to 10.0.0.8, a private address, and the check's own host is public");
  CHECK(cdn.requestCount("/app.js") == 0);

  SECTION("the same CDN for a shop on a private network is fetched, at the address checked") {
    options.resolve_host = [](const std::string&) { return std::vector<std::string>{"127.0.0.1"}; };
    const auto inside = ins::fetchPageAudit(engine, check, "", options, kNever);
    REQUIRE(inside.assets.size() == 1);
    CHECK(inside.assets[0].status == 200);
    CHECK(cdn.requestCount("/app.js") == 1);
  }
}

namespace {

FakeHttpServer::Options tlsFake(bool session_resumption) {
  FakeHttpServer::Options options;
  options.tls = true;
  options.session_resumption = session_resumption;
  return options;
}

std::size_t headRequests(const FakeHttpServer& shop) {
  const auto all = shop.requests();
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [](const auto& r) { return r.method == "HEAD"; }));
}

}  // namespace

TEST_CASE("an HTTPS shop that does not resume TLS sessions is a no-tls-resumption finding",
          "[insights][audit-fetch][tls-resumption]") {
  FakeHttpServer shop(tlsFake(false));
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<p>shop</p>"});
  HttpProbeEngine engine(loopbackEngine());
  Check check = pageCheck(shop.url("/"));
  check.http()->request.tls.verify = false;
  const auto audit = ins::fetchPageAudit(engine, check, "", {}, kNever);
  INFO(audit.page.error);
  REQUIRE(audit.page.status == 200);
  CHECK(audit.tls_session_resumed == false);
  // The page on the engine, then the probe's two HEAD requests on connections of their own.
  CHECK(headRequests(shop) == 2);
  CHECK(shop.connectionCount() == 3);
  const auto findings = ins::auditPage(audit);
  const auto* f = findingOf(findings, ins::ids::kNoTlsResumption);
  REQUIRE(f != nullptr);
  CHECK(f->evidence.at("url") == shop.url("/"));
  CHECK(f->evidence.at("resumed") == false);
  CHECK(f->evidence.at("source") == "audit fetch");
  CHECK(f->summary.find("does not resume TLS sessions") != std::string::npos);
}

TEST_CASE("an HTTPS shop that resumes TLS sessions has no no-tls-resumption finding",
          "[insights][audit-fetch][tls-resumption]") {
  FakeHttpServer shop(tlsFake(true));  // the default
  shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<p>shop</p>"});
  HttpProbeEngine engine(loopbackEngine());
  Check check = pageCheck(shop.url("/"));
  check.http()->request.tls.verify = false;
  const auto audit = ins::fetchPageAudit(engine, check, "", {}, kNever);
  INFO(audit.page.error);
  REQUIRE(audit.page.status == 200);
  CHECK(audit.tls_session_resumed == true);
  CHECK(headRequests(shop) == 2);
  CHECK(findingOf(ins::auditPage(audit), ins::ids::kNoTlsResumption) == nullptr);
}

TEST_CASE("a plain http page or a failed page is not probed for TLS resumption",
          "[insights][audit-fetch][tls-resumption]") {
  HttpProbeEngine engine(loopbackEngine());
  SECTION("plain http") {
    FakeHttpServer shop;
    shop.respond("/", FakeResponse{200, {{"Content-Type", "text/html"}}, "<p>shop</p>"});
    const auto audit = ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, kNever);
    REQUIRE(audit.page.status == 200);
    CHECK_FALSE(audit.tls_session_resumed.has_value());
    CHECK(shop.requests().size() == 1);
    CHECK(findingOf(ins::auditPage(audit), ins::ids::kNoTlsResumption) == nullptr);
  }
  SECTION("an HTTPS page that failed verification") {
    FakeHttpServer shop(tlsFake(false));
    const auto audit = ins::fetchPageAudit(engine, pageCheck(shop.url("/")), "", {}, kNever);
    CHECK(audit.page.status == 0);
    CHECK_FALSE(audit.tls_session_resumed.has_value());
    CHECK(shop.connectionCount() == 1);
  }
}

TEST_CASE("the TLS resumption probe reads the TLS 1.3 ticket before its first connection ends",
          "[insights][tls-resumption]") {
  REQUIRE(curlReady());
  namespace d = ins::detail;
  // OpenSSL 3 on both sides negotiates TLS 1.3: the session ticket comes after the handshake, so a
  // true here means the first transfer read it before closing.
  FakeHttpServer resuming(tlsFake(true));
  FakeHttpServer full(tlsFake(false));
  shopwatch::core::HttpRequest page;
  page.url = resuming.url("/");
  page.tls.verify = false;
  CHECK(d::tlsSessionResumed(page, 5s) == true);
  CHECK(resuming.connectionCount() == 2);
  page.url = full.url("/");
  CHECK(d::tlsSessionResumed(page, 5s) == false);
  CHECK(full.connectionCount() == 2);

  SECTION("TLS 1.2: a session ticket is offered as a browser would") {
    // The fake's session-id cache loses each session when its connection ends without a TLS
    // close, so a true here is the TLS 1.2 ticket (libcurl alone would not send one).
    FakeHttpServer::Options options = tlsFake(true);
    options.tls13 = false;
    FakeHttpServer tls12(options);
    page.url = tls12.url("/");
    CHECK(d::tlsSessionResumed(page, 5s) == true);
    options.session_resumption = false;
    FakeHttpServer tls12_full(options);
    page.url = tls12_full.url("/");
    CHECK(d::tlsSessionResumed(page, 5s) == false);
  }
  SECTION("with the page's TLS options: a CA file and tls.server_name") {
    shopwatch::testing::TempDir dir("shopwatch-resumption");
    page.url = resuming.url("/");
    page.tls.verify = true;
    page.tls.ca_file = dir.write("ca.pem", resuming.certificate().cert_pem).string();
    CHECK(d::tlsSessionResumed(page, 5s) == true);
    page.tls.server_name = "localhost";  // verified as localhost, connected to 127.0.0.1
    CHECK(d::tlsSessionResumed(page, 5s) == true);
    const auto requests = resuming.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.back().headers.at("host") == "localhost:" + std::to_string(resuming.port()));
    page.tls.ca_file.clear();  // the self-signed certificate is not trusted: no answer
    CHECK_FALSE(d::tlsSessionResumed(page, 5s).has_value());
  }
  SECTION("with the page's resolve overrides and user agent") {
    page.url = resuming.urlWithHost("shop.test", "/");
    page.resolve = {{"shop.test", "127.0.0.1"}};
    page.user_agent = "shopwatch-resumption-test";
    CHECK(d::tlsSessionResumed(page, 5s) == true);
    const auto requests = resuming.requests();
    REQUIRE(requests.size() == 4);
    CHECK(requests.back().method == "HEAD");
    CHECK(requests.back().headers.at("user-agent") == "shopwatch-resumption-test");
  }
  SECTION("plain http, a refused connection, a timeout: not measured") {
    FakeHttpServer plain;
    page.url = plain.url("/");
    CHECK_FALSE(d::tlsSessionResumed(page, 5s).has_value());
    CHECK(plain.connectionCount() == 0);
    shopwatch::testing::ClosedLoopbackPort closed;
    page.url = "https://127.0.0.1:" + std::to_string(closed.port()) + "/";
    CHECK_FALSE(d::tlsSessionResumed(page, 5s).has_value());
    FakeHttpServer::Options slow = tlsFake(true);
    slow.handshake_delay = 2s;
    FakeHttpServer late(slow);
    page.url = late.url("/");
    CHECK_FALSE(d::tlsSessionResumed(page, 300ms).has_value());
  }
  SECTION("stopping aborts a transfer in flight") {
    FakeHttpServer::Options slow = tlsFake(true);
    slow.handshake_delay = 3s;
    FakeHttpServer late(slow);
    page.url = late.url("/");
    const auto until = std::chrono::steady_clock::now() + 200ms;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(
        d::tlsSessionResumed(page, 10s, [until] { return std::chrono::steady_clock::now() >= until; })
            .has_value());
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  }
}
