// Response audits ([F]): hand-built pages and assets, one audit at a time, against a clean page
// that yields nothing; the header parsing they rest on.
#include "shopwatch/agent/insights/audits.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "audit_headers.h"

namespace ins = shopwatch::agent::insights;
using ins::ResourceKind;
using namespace std::chrono_literals;

namespace {

const shopwatch::core::SystemTime kNow{std::chrono::sys_days{std::chrono::year{2026} / 12 / 4}};

using Headers = std::vector<std::pair<std::string, std::string>>;

ins::FetchedResource resource(std::string url, ResourceKind kind, const std::string& type,
                              std::uint64_t bytes, Headers extra = {}) {
  ins::FetchedResource r;
  r.url = std::move(url);
  r.kind = kind;
  r.status = 200;
  r.http_version = "2";
  r.bytes = bytes;
  r.headers = {{"content-type", type}};
  for (auto& h : extra) r.headers.push_back(std::move(h));
  r.duration = 50ms;
  r.fetched_at = kNow;
  return r;
}

const Headers kCachedGzip{{"cache-control", "public, max-age=31536000"},
                          {"content-encoding", "gzip"}};

/// A page every audit passes: HTTP/2, compressed, cached assets, small, fast and resumed TLS,
/// valid certificate.
ins::PageAudit cleanPage() {
  ins::PageAudit a;
  a.key = {"acme", "production", "home"};
  a.page = resource(
      "https://shop.example/", ResourceKind::Page, "text/html; charset=utf-8", 30'000,
      {{"content-encoding", "gzip"}, {"cache-control", "no-cache"}, {"set-cookie", "sid=abc"}});
  a.page.duration = 300ms;
  a.page.phases.connect = 20ms;
  a.page.phases.tls = 40ms;
  a.page.cert_not_after = kNow + std::chrono::days{90};
  a.tls_session_resumed = true;
  a.assets.push_back(resource("https://shop.example/app.css", ResourceKind::Stylesheet, "text/css",
                              20'000, kCachedGzip));
  a.assets.push_back(resource("https://cdn.example/app.js", ResourceKind::Script,
                              "application/javascript", 80'000, kCachedGzip));
  a.assets.push_back(resource("https://cdn.example/hero.webp", ResourceKind::Image, "image/webp",
                              120'000, {{"cache-control", "max-age=31536000, immutable"}}));
  a.assets.push_back(resource("https://cdn.example/font.woff2", ResourceKind::Font, "font/woff2",
                              40'000, {{"cache-control", "max-age=31536000"}}));
  a.assets.push_back(
      resource("https://shop.example/api/cart", ResourceKind::Other, "application/json", 500));
  return a;
}

std::vector<ins::Finding> only(const std::vector<ins::Finding>& all, const std::string& id) {
  std::vector<ins::Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const ins::Finding& f) { return f.finding == id; });
  return out;
}

void dropHeader(ins::FetchedResource& r, const std::string& name) {
  std::erase_if(r.headers, [&](const auto& h) { return h.first == name; });
}

}  // namespace

TEST_CASE("a clean page produces zero findings", "[audits]") {
  const auto findings = ins::auditPage(cleanPage(), {});
  std::string seen;
  for (const auto& f : findings) seen += f.finding + ": " + f.summary + "\n";
  INFO(seen);
  CHECK(findings.empty());
}

TEST_CASE("an uncompressed html page yields exactly one no-compression finding with its bytes",
          "[audits]") {
  auto a = cleanPage();
  dropHeader(a.page, "content-encoding");
  a.page.bytes = 100'000;
  const auto all = ins::auditPage(a, {});
  REQUIRE(all.size() == 1);
  const auto& f = all[0];
  CHECK(f.finding == "no-compression");
  CHECK(f.key.check == "home");
  CHECK(f.saving_bytes == 70'000);
  CHECK(f.saving_seconds == 0);
  CHECK(f.score == 0);
  REQUIRE(f.evidence["responses"].size() == 1);
  CHECK(f.evidence["responses"][0]["url"] == "https://shop.example/");
  CHECK(f.evidence["responses"][0]["content_type"] == "text/html");
  CHECK(f.evidence["responses"][0]["bytes"] == 100'000);
  CHECK(f.evidence["total_bytes"] == 100'000);
  CHECK(f.summary ==
        "1 text response on acme/home is sent uncompressed (98 KiB, ~68 KiB saved with gzip)");
}

TEST_CASE("several uncompressed text responses share one finding", "[audits]") {
  auto a = cleanPage();
  dropHeader(a.page, "content-encoding");
  dropHeader(a.assets[0], "content-encoding");
  a.assets[4].bytes = 10'000;  // the json response, now over 1 KiB
  const auto f = only(ins::auditPage(a, {}), "no-compression");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence["responses"].size() == 3);
  CHECK(f[0].saving_bytes == 42'000);  // 70% of 30 000 + 20 000 + 10 000
  CHECK(f[0].summary.starts_with("3 text responses on acme/home are sent uncompressed"));
}

TEST_CASE("gzip or br responses and text under 1 KiB are not flagged for compression", "[audits]") {
  auto a = cleanPage();
  a.page.headers = {{"content-type", "text/html"}, {"content-encoding", "br"}};
  a.assets.push_back(resource("https://shop.example/tiny.js", ResourceKind::Script,
                              "text/javascript", 1023, {{"cache-control", "max-age=31536000"}}));
  CHECK(only(ins::auditPage(a, {}), "no-compression").empty());
  a.page.headers = {{"content-type", "text/html"}, {"content-encoding", "gzip"}};
  CHECK(only(ins::auditPage(a, {}), "no-compression").empty());
}

TEST_CASE("static assets without cache headers are flagged with their urls", "[audits]") {
  auto a = cleanPage();
  a.assets[0].headers = {{"content-type", "text/css"}, {"content-encoding", "gzip"}};
  a.assets[1].headers = {{"content-type", "application/javascript"},
                         {"content-encoding", "gzip"},
                         {"cache-control", "no-store"}};
  const auto f = only(ins::auditPage(a, {}), "no-cache-headers");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_bytes == 100'000);
  const auto& assets = f[0].evidence["assets"];
  REQUIRE(assets.size() == 2);
  CHECK(assets[0]["url"] == "https://shop.example/app.css");
  CHECK(assets[0]["cache_control"] == "none");
  CHECK(assets[0]["expires"] == "none");
  CHECK(assets[0]["problem"] == "none");
  CHECK(assets[0]["bytes"] == 20'000);
  CHECK(assets[1]["url"] == "https://cdn.example/app.js");
  CHECK(assets[1]["cache_control"] == "no-store");
  CHECK(assets[1]["problem"] == "no-store");
  CHECK(f[0].summary ==
        "2 static assets on acme/home are not cached for 7 days (98 KiB downloaded again on every "
        "visit)");
}

TEST_CASE("a one year max-age or an Expires a month ahead counts as cached", "[audits]") {
  auto a = cleanPage();
  a.assets[0].headers = {{"content-type", "text/css"},
                         {"content-encoding", "gzip"},
                         {"date", "Fri, 04 Dec 2026 00:00:00 GMT"},
                         {"expires", "Mon, 04 Jan 2027 00:00:00 GMT"}};
  CHECK(only(ins::auditPage(a, {}), "no-cache-headers").empty());
}

TEST_CASE("a max-age under 7 days or an Expires in the past is flagged", "[audits]") {
  auto a = cleanPage();
  a.assets[0].headers = {{"content-type", "text/css"},
                         {"content-encoding", "gzip"},
                         {"cache-control", "max-age=3600"}};
  a.assets[2].headers = {{"content-type", "image/webp"}, {"expires", "0"}};
  const auto f = only(ins::auditPage(a, {}), "no-cache-headers");
  REQUIRE(f.size() == 1);
  const auto& assets = f[0].evidence["assets"];
  REQUIRE(assets.size() == 2);
  CHECK(assets[0]["problem"] == "short");
  CHECK(assets[0]["lifetime_seconds"] == 3600);
  CHECK(assets[1]["url"] == "https://cdn.example/hero.webp");
  CHECK(assets[1]["problem"] == "expired");
  CHECK(assets[1]["expires"] == "0");
}

TEST_CASE("a redirect chain of two hops yields a finding with the whole chain", "[audits]") {
  auto a = cleanPage();
  a.page.url = "https://shop.example/en/";
  a.page.redirect_chain = {"http://shop.example/", "https://shop.example/"};
  const auto f = only(ins::auditPage(a, {}), "redirect-chain");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_seconds == Approx(0.2));  // 2 of 3 requests in 300 ms
  const auto& r = f[0].evidence["redirects"];
  REQUIRE(r.size() == 1);
  CHECK(r[0]["hops"] == 2);
  CHECK(r[0]["chain"] == nlohmann::json::array({"http://shop.example/", "https://shop.example/",
                                                "https://shop.example/en/"}));
  CHECK(f[0].summary == "the page of acme/home is reached through 2 redirects (~200 ms)");
}

TEST_CASE("HTTP/1.1 over TLS is no-http2 while plain http and HTTP/2 are not flagged", "[audits]") {
  auto a = cleanPage();
  a.page.http_version = "1.1";
  a.assets.clear();
  for (int i = 0; i < 13; ++i)
    a.assets.push_back(resource("https://shop.example/i" + std::to_string(i) + ".png",
                                ResourceKind::Image, "image/png", 1000,
                                {{"cache-control", "max-age=31536000"}}));
  for (auto& asset : a.assets) asset.http_version = "1.1";
  auto f = only(ins::auditPage(a, {}), "no-http2");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_seconds ==
        Approx(8.0 / 6.0 * 0.060));  // (14 − 6) / 6 × (connect 20 + tls 40 ms)
  REQUIRE(f[0].evidence["hosts"].size() == 1);
  CHECK(f[0].evidence["hosts"][0]["host"] == "shop.example");
  CHECK(f[0].evidence["hosts"][0]["http_version"] == "HTTP/1.1");
  CHECK(f[0].evidence["hosts"][0]["requests"] == 14);
  CHECK(f[0].summary.starts_with(
      "1 host of acme/home answers HTTPS with HTTP/1.1 (shop.example; 14 requests)"));

  a.assets.clear();
  f = only(ins::auditPage(a, {}), "no-http2");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_seconds == 0);

  a.page.url = "http://shop.example/";
  a.page.phases.tls = 0ms;
  a.page.cert_not_after.reset();
  CHECK(only(ins::auditPage(a, {}), "no-http2").empty());

  a.page.url = "https://shop.example/";
  a.page.http_version = "2";
  CHECK(only(ins::auditPage(a, {}), "no-http2").empty());
}

TEST_CASE("page weight over the limit yields the excess and the largest resources", "[audits]") {
  ins::AuditLimits limits;
  limits.page_weight_limit = 200'000;
  limits.image_limit = 1'000'000;
  const auto f = only(ins::auditPage(cleanPage(), limits), "page-weight");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_bytes == 290'500 - 200'000);
  CHECK(f[0].evidence["total_bytes"] == 290'500);
  CHECK(f[0].evidence["bytes_by_kind"]["image"] == 120'000);
  CHECK(f[0].evidence["bytes_by_kind"]["page"] == 30'000);
  REQUIRE(f[0].evidence["largest"].size() == 5);
  CHECK(f[0].evidence["largest"][0]["url"] == "https://cdn.example/hero.webp");
  CHECK(f[0].evidence["largest"][4]["bytes"] == 20'000);

  limits.page_weight_limit = 290'500;
  CHECK(only(ins::auditPage(cleanPage(), limits), "page-weight").empty());
}

TEST_CASE("a failed asset is listed in the page-weight evidence and skipped by the other audits",
          "[audits]") {
  auto a = cleanPage();
  auto broken =
      resource("https://cdn.example/gone.js", ResourceKind::Script, "application/javascript", 0);
  broken.status = 0;
  broken.error = "connection refused";
  broken.headers.clear();
  a.assets.push_back(broken);
  ins::AuditLimits limits;
  limits.page_weight_limit = 1000;
  const auto all = ins::auditPage(a, limits);
  REQUIRE(all.size() == 1);
  CHECK(all[0].finding == "page-weight");
  REQUIRE(all[0].evidence["failed"].size() == 1);
  CHECK(all[0].evidence["failed"][0]["url"] == "https://cdn.example/gone.js");
  CHECK(all[0].evidence["failed"][0]["error"] == "connection refused");
}

TEST_CASE("cookies set by static assets are reported by name and never by value", "[audits]") {
  auto a = cleanPage();
  a.assets[2].headers.push_back(
      {"set-cookie", "session_id=S3CR3T-VALUE-42; Path=/; HttpOnly; Secure"});
  a.assets[2].headers.push_back({"set-cookie", "_ga=GA1.2.SECRETTOO; Max-Age=3600"});
  const auto f = only(ins::auditPage(a, {}), "cookies-on-static");
  REQUIRE(f.size() == 1);  // the page's own cookie is fine
  const std::string dumped = f[0].evidence.dump() + f[0].summary;
  CHECK(dumped.find("S3CR3T") == std::string::npos);
  CHECK(dumped.find("SECRETTOO") == std::string::npos);
  REQUIRE(f[0].evidence["assets"].size() == 1);
  CHECK(f[0].evidence["assets"][0]["url"] == "https://cdn.example/hero.webp");
  CHECK(f[0].evidence["assets"][0]["cookies"] == nlohmann::json::array({"session_id", "_ga"}));
  CHECK(f[0].saving_bytes > 0);
  CHECK(f[0].summary.find("(_ga, session_id)") != std::string::npos);
}

TEST_CASE("an image over the limit is a large-image finding saving the excess", "[audits]") {
  ins::AuditLimits limits;
  limits.image_limit = 100'000;
  const auto f = only(ins::auditPage(cleanPage(), limits), "large-image");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_bytes == 20'000);
  REQUIRE(f[0].evidence["images"].size() == 1);
  CHECK(f[0].evidence["images"][0]["url"] == "https://cdn.example/hero.webp");
  CHECK(f[0].evidence["images"][0]["bytes"] == 120'000);
  limits.image_limit = 120'000;
  CHECK(only(ins::auditPage(cleanPage(), limits), "large-image").empty());
}

TEST_CASE("a slow TLS handshake in the audit fetch saves the time above 80 ms", "[audits]") {
  auto a = cleanPage();
  a.page.phases.tls = 340ms;
  const auto f = only(ins::auditPage(a, {}), "slow-tls");
  REQUIRE(f.size() == 1);
  CHECK(f[0].saving_seconds == Approx(0.26));
  CHECK(f[0].evidence["tls_ms"] == 340.0);
  CHECK(f[0].evidence["url"] == "https://shop.example/");
  a.page.phases.tls = 200ms;
  CHECK(only(ins::auditPage(a, {}), "slow-tls").empty());
}

TEST_CASE("a server that does not resume TLS sessions is a no-tls-resumption finding", "[audits]") {
  auto a = cleanPage();
  a.page.phases.tls = 230ms;
  a.tls_session_resumed = false;
  auto f = only(ins::auditPage(a, {}), "no-tls-resumption");
  REQUIRE(f.size() == 1);
  CHECK(f[0].key == a.key);
  CHECK(f[0].step.empty());
  CHECK(f[0].saving_seconds == Approx(0.15));  // tls − the 80 ms target
  CHECK(f[0].saving_bytes == 0);
  CHECK(f[0].evidence["url"] == "https://shop.example/");
  CHECK(f[0].evidence["tls_ms"] == 230.0);
  CHECK(f[0].evidence["resumed"] == false);
  CHECK(f[0].evidence["source"] == "audit fetch");
  CHECK(f[0].summary ==
        "the HTTPS server of acme/home does not resume TLS sessions: every new connection pays a "
        "full handshake (230 ms)");

  SECTION("a handshake under the target is still flagged, with no saving") {
    a.page.phases.tls = 40ms;
    f = only(ins::auditPage(a, {}), "no-tls-resumption");
    REQUIRE(f.size() == 1);
    CHECK(f[0].saving_seconds == 0);
    CHECK(f[0].evidence["tls_ms"] == 40.0);
  }
  SECTION("resumed or not measured: nothing") {
    a.tls_session_resumed = true;
    CHECK(only(ins::auditPage(a, {}), "no-tls-resumption").empty());
    a.tls_session_resumed.reset();
    CHECK(only(ins::auditPage(a, {}), "no-tls-resumption").empty());
  }
  SECTION("a failed page fetch says nothing about resumption") {
    a.page.status = 0;
    a.page.error = "connection timed out after 10000 ms";
    CHECK(only(ins::auditPage(a, {}), "no-tls-resumption").empty());
  }
}

TEST_CASE("a failing certificate or one expiring within 21 days yields cert-chain", "[audits]") {
  auto a = cleanPage();
  a.page.cert_not_after = kNow + std::chrono::days{12} + 3h;
  auto f = only(ins::auditPage(a, {}), "cert-chain");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence["expiring"][0]["days_left"] == 12);
  CHECK(f[0].evidence["expiring"][0]["not_after"] == "2026-12-16T03:00:00Z");
  CHECK(f[0].summary ==
        "certificate problem on acme/home: the certificate of shop.example expires in 12 days "
        "(2026-12-16)");

  a.page.cert_not_after = kNow + std::chrono::days{21};
  CHECK(only(ins::auditPage(a, {}), "cert-chain").empty());

  a.page.cert_not_after = kNow - std::chrono::days{1};
  f = only(ins::auditPage(a, {}), "cert-chain");
  REQUIRE(f.size() == 1);
  CHECK(f[0].summary.find("expired on 2026-12-03") != std::string::npos);
}

TEST_CASE("a failed fetch yields no findings except cert-chain when TLS failed", "[audits]") {
  auto a = cleanPage();
  dropHeader(a.page, "content-encoding");
  a.page.redirect_chain = {"http://shop.example/"};
  a.page.phases.tls = 900ms;
  a.page.status = 0;
  a.page.bytes = 0;
  a.page.cert_not_after.reset();
  a.assets.clear();
  a.page.error = "connection timed out after 10000 ms";
  CHECK(ins::auditPage(a, {}).empty());

  a.page.error = "SSL certificate problem: unable to get local issuer certificate";
  const auto all = ins::auditPage(a, {});
  REQUIRE(all.size() == 1);
  CHECK(all[0].finding == "cert-chain");
  CHECK(all[0].evidence["errors"][0]["error"] == a.page.error);
  CHECK(all[0].summary.find("the page failed TLS verification") != std::string::npos);
}

TEST_CASE("Cache-Control Expires and Set-Cookie are parsed the way RFC 9111 reads them",
          "[audits]") {
  namespace d = ins::detail;
  const auto cc = d::parseCacheControl("Public, MAX-AGE=\"600\", s-maxage=86400, no-cache");
  CHECK(cc.max_age == 600);
  CHECK(cc.s_maxage == 86400);
  CHECK(cc.no_cache);
  CHECK_FALSE(cc.no_store);
  CHECK_FALSE(d::parseCacheControl("max-age=abc").max_age);

  const auto expected =
      shopwatch::core::SystemTime{std::chrono::sys_days{std::chrono::year{1994} / 11 / 6}} + 8h +
      49min + 37s;
  CHECK(d::parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == expected);
  CHECK(d::parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
  CHECK(d::parseHttpDate("Sun Nov  6 08:49:37 1994") == expected);
  CHECK_FALSE(d::parseHttpDate("0"));
  CHECK_FALSE(d::parseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"));

  auto r =
      resource("https://cdn.example/a.css", ResourceKind::Stylesheet, "text/css", 1,
               {{"expires", "Sat, 05 Dec 2026 00:00:00 GMT"}, {"cache-control", "s-maxage=60"}});
  CHECK(d::freshnessLifetime(r) == std::chrono::seconds{60});  // s-maxage wins over Expires
  r.headers.pop_back();
  CHECK(d::freshnessLifetime(r) == std::chrono::seconds{86400});  // Expires − fetched_at
  r.headers = {{"set-cookie", "a=1; Path=/"}, {"Set-Cookie", "flag"}};
  CHECK(d::cookieNames(r) == std::vector<std::string>{"a", "flag"});
  CHECK(d::urlHost("https://user:pw@CDN.example:8443/x?y") == "cdn.example:8443");
  CHECK(d::isCompressedEncoding("identity, GZIP"));
  CHECK_FALSE(d::isCompressedEncoding("identity"));
}
