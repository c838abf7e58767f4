// Asset extraction for the response audits: which tags name assets, how their URLs resolve, and
// what is dropped.
#include "shopwatch/probes/page_assets.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using shopwatch::probes::AssetKind;
using shopwatch::probes::extractAssets;
using shopwatch::probes::PageAsset;
using shopwatch::probes::resolveUrl;
using shopwatch::probes::urlHost;

namespace {

std::vector<std::string> urlsOf(const std::vector<PageAsset>& assets) {
  std::vector<std::string> out;
  for (const auto& a : assets) out.push_back(a.url);
  return out;
}

const char* kBase = "https://shop.example/de/category/shoes.html?page=2";

}  // namespace

TEST_CASE("assets resolve relative, path-absolute, scheme-relative and absolute URLs", "[probes][assets]") {
  const std::string html = R"html(<!doctype html><html><head>
    <link rel="stylesheet" href="css/site.css">
    <link rel="stylesheet" href="/static/all.css">
    <script src="//cdn.example/lib.js"></script>
    <script src="https://other.example/app.js?v=3"></script>
    <script src="../top.js"></script>
    </head><body><img src=" hero.jpg "></body></html>)html";
  const auto assets = extractAssets(html, kBase, 100);
  CHECK(urlsOf(assets) == std::vector<std::string>{
                              "https://shop.example/de/category/css/site.css",
                              "https://shop.example/static/all.css",
                              "https://cdn.example/lib.js",
                              "https://other.example/app.js?v=3",
                              "https://shop.example/de/top.js",
                              "https://shop.example/de/category/hero.jpg",
                          });
  REQUIRE(assets.size() == 6);
  CHECK(assets[0].kind == AssetKind::Stylesheet);
  CHECK(assets[2].kind == AssetKind::Script);
  CHECK(assets[5].kind == AssetKind::Image);
}

TEST_CASE("the first base href decides where relative URLs resolve", "[probes][assets]") {
  const std::string html = R"html(<html><head>
    <link rel=stylesheet href="a.css">
    <base href="/assets/v2/">
    <base href="https://ignored.example/">
    </head><body><img src="logo.png"><script src="/root.js"></script></body></html>)html";
  const auto assets = extractAssets(html, kBase, 100);
  // The base applies to elements before it too: the document has one base URL.
  CHECK(urlsOf(assets) == std::vector<std::string>{
                              "https://shop.example/assets/v2/a.css",
                              "https://shop.example/assets/v2/logo.png",
                              "https://shop.example/root.js",
                          });
}

TEST_CASE("an img with srcset counts its first candidate, else its src", "[probes][assets]") {
  const std::string html = R"html(<body>
    <img src="small.jpg" srcset="  medium.jpg 800w, large.jpg 1600w" sizes="50vw">
    <img srcset="only.webp, only@2x.webp 2x">
    <img src="plain.png">
    <img srcset="   " src="fallback.gif">
    <img alt="no source">
    </body>)html";
  const auto assets = extractAssets(html, "http://shop.example/", 100);
  CHECK(urlsOf(assets) == std::vector<std::string>{
                              "http://shop.example/medium.jpg",
                              "http://shop.example/only.webp",
                              "http://shop.example/plain.png",
                              "http://shop.example/fallback.gif",
                          });
  for (const auto& a : assets) CHECK(a.kind == AssetKind::Image);
}

TEST_CASE("preload links take the kind of their as attribute", "[probes][assets]") {
  const std::string html = R"html(<head>
    <link rel="preload" href="/f/brand.woff2" as="font" crossorigin>
    <link rel="preload" href="/c/crit.css" as="style">
    <link rel="PRELOAD" href="/j/main.js" as="Script">
    <link rel="preload" href="/i/hero.avif" as="image">
    <link rel="preload" href="/api/data.json" as="fetch">
    <link rel="preconnect" href="https://cdn.example">
    <link rel="icon" href="/favicon.ico">
    <link rel="alternate stylesheet" href="/c/print.css">
    </head>)html";
  const auto assets = extractAssets(html, "https://shop.example/", 100);
  REQUIRE(assets.size() == 4);
  CHECK(assets[0].url == "https://shop.example/f/brand.woff2");
  CHECK(assets[0].kind == AssetKind::Font);
  CHECK(assets[1].kind == AssetKind::Stylesheet);
  CHECK(assets[2].url == "https://shop.example/j/main.js");
  CHECK(assets[2].kind == AssetKind::Script);
  CHECK(assets[3].kind == AssetKind::Image);
}

TEST_CASE("data, javascript, blob and fragment-only references are dropped", "[probes][assets]") {
  const std::string html = R"html(<body>
    <img src="data:image/png;base64,iVBORw0KGgo=">
    <img src="  DATA:image/gif;base64,R0lGOD">
    <script src="javascript:alert(1)"></script>
    <img src="blob:https://shop.example/1234">
    <img src="#top">
    <img src="mailto:a@b.example">
    <img src="">
    <script>inline()</script>
    <script type="text/template" src="/tpl.html"></script>
    <script nomodule src="/legacy.js"></script>
    <script type="module" src="/modern.js"></script>
    <template><img src="/in-template.png"></template>
    <noscript><img src="/pixel.gif"></noscript>
    <img src="kept.png">
    </body>)html";
  const auto assets = extractAssets(html, "https://shop.example/", 100);
  CHECK(urlsOf(assets) ==
        std::vector<std::string>{"https://shop.example/modern.js", "https://shop.example/kept.png"});
}

TEST_CASE("duplicates keep the first mention and max_assets caps the list", "[probes][assets]") {
  const std::string html = R"html(<head>
    <link rel="preload" href="/app.js" as="script">
    <script src="/app.js#x"></script>
    <script src="https://shop.example/app.js"></script>
    <link rel="stylesheet" href="/a.css">
    <img src="/1.png"><img src="/2.png"><img src="/3.png">
    </head>)html";
  const auto all = extractAssets(html, "https://shop.example/", 100);
  CHECK(urlsOf(all) == std::vector<std::string>{
                           "https://shop.example/app.js", "https://shop.example/a.css",
                           "https://shop.example/1.png", "https://shop.example/2.png",
                           "https://shop.example/3.png"});
  CHECK(all[0].kind == AssetKind::Script);

  const auto capped = extractAssets(html, "https://shop.example/", 3);
  CHECK(urlsOf(capped) == std::vector<std::string>{"https://shop.example/app.js",
                                                   "https://shop.example/a.css",
                                                   "https://shop.example/1.png"});
  CHECK(extractAssets(html, "https://shop.example/", 0).empty());
}

TEST_CASE("odd documents and URLs do not break extraction", "[probes][assets]") {
  CHECK(extractAssets("", "https://shop.example/", 10).empty());
  CHECK(extractAssets("not html at all <<<>>>", "https://shop.example/", 10).empty());
  // Unclosed tags, a space inside a URL, and a page nested very deeply.
  std::string deep = "<div>";
  for (int i = 0; i < 5000; ++i) deep += "<span>";
  deep += R"html(<img src="/deep image.png"><link rel=stylesheet href="/x.css)html";
  const auto assets = extractAssets(deep, "https://shop.example/", 10);
  REQUIRE(assets.size() == 1);
  CHECK(assets[0].url == "https://shop.example/deep%20image.png");
}

TEST_CASE("resolveUrl and urlHost", "[probes][assets]") {
  CHECK(resolveUrl("https://shop.example/a/b", "?q=1") == "https://shop.example/a/b?q=1");
  CHECK(resolveUrl("https://shop.example/a/b", "c#frag") == "https://shop.example/a/c");
  CHECK(resolveUrl("https://shop.example/a/b", "ftp://files.example/x") == std::nullopt);
  CHECK(resolveUrl("https://shop.example/a/b", "#only") == std::nullopt);
  auto host = urlHost("https://Shop.Example:8443/x");
  REQUIRE(host);
  CHECK(host->scheme == "https");
  CHECK(host->host == "shop.example");
  CHECK(host->port == "8443");
  CHECK(urlHost("http://[::1]/")->host == "::1");
  CHECK(urlHost("http://shop.example/")->port == "80");
  CHECK(urlHost("data:text/plain,x") == std::nullopt);
}
