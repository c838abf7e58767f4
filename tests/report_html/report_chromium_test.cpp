// The HTML report and the status page rendered by real headless Chromium (fresh profile, no
// network): the rendered DOM holds the key text and the charts; screenshots (desktop, and phone for
// the status page) and the PDF are kept in the build tree as test artifacts.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "chromium_runner.h"
#include "external_tool.h"
#include "fake_http_server.h"
#include "html_scan.h"
#include "report_html_fixtures.h"
#include "shopwatch/agent/report/report_formats.h"
#include "shopwatch/agent/report/status_page.h"
#include "status_store_fixture.h"

using namespace shopwatch;
using namespace shopwatch::report_html_test;
namespace fs = std::filesystem;

namespace {

const fs::path kArtifacts = fs::path(SHOPWATCH_BINARY_DIR) / "tests" / "report_html" / "artifacts";

bool haveChromium() {
  const std::string exe = testing::chromiumExecutable();
  return testing::externalToolAvailable(exe.empty() ? std::string("/usr/bin/chromium") : exe,
                                        "headless Chromium rendering");
}

fs::path writeArtifact(const std::string& name, const std::string& text) {
  fs::create_directories(kArtifacts);
  const fs::path p = kArtifacts / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void screenshot(const testing::ChromiumRunner& chromium, const fs::path& html,
                const std::string& png_name, int width, int height) {
  const fs::path png = kArtifacts / png_name;
  std::error_code ec;
  fs::remove(png, ec);
  const auto run = chromium.screenshot(testing::ChromiumRunner::fileUrl(html), png, width, height);
  INFO(run.describe());
  REQUIRE(run.ok());
  REQUIRE(fs::exists(png));
  CHECK(fs::file_size(png) > 10 * 1024);
  CHECK(readFile(png).substr(0, 8) == "\x89PNG\r\n\x1a\n");
}

}  // namespace

TEST_CASE("Chromium renders the HTML report with its summary and charts",
          "[report_html][chromium]") {
  if (!haveChromium()) return;
  const std::string page = agent::report::reportHtml(monthFixture());
  const fs::path html = writeArtifact("report.html", page);
  const testing::ChromiumRunner chromium;
  const auto dom = chromium.dumpDom(testing::ChromiumRunner::fileUrl(html));
  INFO(dom.describe());
  REQUIRE(dom.ok());
  writeArtifact("report.dom.html", dom.out);
  CHECK_THAT(dom.out, Catch::Contains("SLA met"));
  CHECK_THAT(dom.out, Catch::Contains("SLA missed"));
  CHECK_THAT(dom.out, Catch::Contains("99.9123 %"));
  CHECK_THAT(dom.out, Catch::Contains("OPS-17"));
  CHECK_THAT(dom.out, Catch::Contains("alice@agency.example"));
  CHECK(countOf(dom.out, "chart chart-daily-availability") == 3);
  CHECK(countOf(dom.out, "chart chart-latency-percentiles") == 3);
  CHECK(countOf(dom.out, "chart chart-phase-breakdown") == 2);
  CHECK(countOf(dom.out, "chart chart-incident-timeline") == 2);
  // The browser parsed the hostile name as text: no script element came out of it.
  CHECK(dom.out.find("<script") == std::string::npos);
  CHECK_THAT(dom.out, Catch::Contains("&lt;script&gt;"));
  screenshot(chromium, html, "report-desktop.png", 1280, 2000);
  screenshot(chromium, html, "report-phone.png", 390, 1600);
}

TEST_CASE("renderPdf prints the HTML report to a PDF with Chromium", "[report_html][chromium]") {
  if (!haveChromium()) return;
  const fs::path pdf = kArtifacts / "report.pdf";
  fs::create_directories(kArtifacts);
  std::error_code ec;
  fs::remove(pdf, ec);
  const auto st = agent::report::renderPdf(agent::report::reportHtml(monthFixture()), pdf);
  INFO((st ? std::string() : st.error().message));
  REQUIRE(st);
  const std::string bytes = readFile(pdf);
  CHECK(bytes.substr(0, 5) == "%PDF-");
  CHECK(bytes.size() > 10 * 1024);
}

TEST_CASE("renderPdf names what is missing when Chromium is not there", "[report_html]") {
  const char* old = std::getenv("SHOPWATCH_CHROMIUM");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("SHOPWATCH_CHROMIUM", "/nonexistent/chromium", 1);
  const auto st =
      agent::report::renderPdf("<html></html>", fs::temp_directory_path() / "never.pdf");
  if (old != nullptr)
    ::setenv("SHOPWATCH_CHROMIUM", saved.c_str(), 1);
  else
    ::unsetenv("SHOPWATCH_CHROMIUM");
  REQUIRE_FALSE(st);
  CHECK(st.error().code == core::ErrorCode::Unavailable);
  CHECK_THAT(st.error().message, Catch::Contains("chromium not found"));
  CHECK_THAT(st.error().message, Catch::Contains("/nonexistent/chromium"));
}

TEST_CASE("renderPdf reports a failing Chromium with the command and its log", "[report_html]") {
  const fs::path fake = fs::temp_directory_path() / "shopwatch-fake-chromium.sh";
  std::ofstream(fake) << "#!/bin/sh\necho 'fake chromium: cannot open display' >&2\nexit 3\n";
  fs::permissions(fake, fs::perms::owner_all);
  const char* old = std::getenv("SHOPWATCH_CHROMIUM");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("SHOPWATCH_CHROMIUM", fake.c_str(), 1);
  const auto st =
      agent::report::renderPdf("<html></html>", fs::temp_directory_path() / "never.pdf");
  if (old != nullptr)
    ::setenv("SHOPWATCH_CHROMIUM", saved.c_str(), 1);
  else
    ::unsetenv("SHOPWATCH_CHROMIUM");
  fs::remove(fake);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == core::ErrorCode::Unavailable);
  CHECK_THAT(st.error().message, Catch::Contains("--print-to-pdf="));
  CHECK_THAT(st.error().message, Catch::Contains("exited with 3"));
  CHECK_THAT(st.error().message, Catch::Contains("fake chromium: cannot open display"));
}

TEST_CASE("Chromium renders the status page filled from a real store", "[report_html][chromium]") {
  if (!haveChromium()) return;
  auto s = makeStatusStore();
  auto page = statusFixture(s->now());
  REQUIRE(agent::report::fillLast24h(*s->store, page));
  const std::string text = agent::report::renderStatusPage(page);
  const fs::path html = writeArtifact("status.html", text);
  const testing::ChromiumRunner chromium;
  const auto dom = chromium.dumpDom(testing::ChromiumRunner::fileUrl(html));
  INFO(dom.describe());
  REQUIRE(dom.ok());
  writeArtifact("status.dom.html", dom.out);
  CHECK_THAT(dom.out, Catch::Contains("Acme GmbH status"));
  CHECK_THAT(dom.out, Catch::Contains("1 check is down"));
  CHECK_THAT(dom.out, Catch::Contains("updated "));
  CHECK_THAT(dom.out, Catch::Contains("OPS-42"));
  CHECK_THAT(dom.out, Catch::Contains("API migration"));
  CHECK_THAT(dom.out, Catch::Contains("timeout: request timed out after 10s"));
  CHECK(countOf(dom.out, "chart chart-24h-availability") == 4);
  CHECK(countOf(dom.out, "chart chart-24h-p95") == 4);
  // acme/home's hour with the failure (kT0 + 8 h, 10:00 in Vienna) as the store has it.
  CHECK_THAT(dom.out, Catch::Contains("83.33 %"));
  CHECK(dom.out.find("<script") == std::string::npos);
  screenshot(chromium, html, "status-desktop.png", 1280, 2000);
  screenshot(chromium, html, "status-phone.png", 390, 1600);
}

TEST_CASE("Chromium loads the status page over loopback and requests nothing else",
          "[report_html][chromium]") {
  if (!haveChromium()) return;
  const std::string text =
      agent::report::renderStatusPage(statusFixture(at("2026-12-03T14:05:09Z")));
  testing::FakeHttpServer server;
  server.respond(
      "/", testing::FakeResponse{200, {{"Content-Type", "text/html; charset=utf-8"}}, text, {}});
  const testing::ChromiumRunner chromium(std::chrono::seconds{90}, /*allow_loopback=*/true);
  const auto dom = chromium.dumpDom(server.url("/"));
  INFO(dom.describe());
  REQUIRE(dom.ok());
  CHECK_THAT(dom.out, Catch::Contains("updated 2026-12-03 15:05:09 CET"));
  CHECK(countOf(dom.out, "chart chart-24h-availability") == 4);
  for (const auto& r : server.requests()) {
    INFO("request " << r.method << " " << r.target);
    CHECK((r.path == "/" || r.path == "/favicon.ico"));
  }
  CHECK(server.requestCount("/") >= 1);
}
