#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "fake_http_server.h"

namespace {

struct Output {
  int code = -1;
  std::string out;
};

// Runs the shopwatch binary with `args` (shell words), capturing stdout (stderr with `merge`).
Output runShopwatch(const std::string& args, bool merge = false) {
  std::string cmd = std::string(SHOPWATCH_EXE) + " " + args + (merge ? " 2>&1" : " 2>/dev/null");
  Output o;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) o.out.append(buf.data(), n);
  int status = pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::filesystem::path writeTemp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("shopwatch-cli-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("the version flag names shopwatch, libcurl, OpenSSL and SQLite") {
  auto o = runShopwatch("--version");
  CHECK(o.code == 0);
  CHECK(o.out.find("shopwatch ") != std::string::npos);
  CHECK(o.out.find("libcurl ") != std::string::npos);
  CHECK(o.out.find("OpenSSL ") != std::string::npos);
  CHECK(o.out.find("SQLite ") != std::string::npos);
}

TEST_CASE("usage errors exit 2") {
  CHECK(runShopwatch("--no-such-flag").code == 2);
  CHECK(runShopwatch("probe").code == 2);
  CHECK(runShopwatch("probe ftp://127.0.0.1/").code == 2);
  CHECK(runShopwatch("probe http://127.0.0.1/ --timeout 5").code == 2);
  CHECK(runShopwatch("check-config").code == 2);
}

TEST_CASE("probe --json prints the documented keys and exits 0 on a pass") {
  shopwatch::testing::FakeHttpServer server;
  server.status("/", 200, "<html>Warenkorb</html>");
  auto o = runShopwatch("probe " + server.url("/") + " --json --body-contains Warenkorb");
  REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  CHECK(j["success"] == true);
  CHECK(j["failure"].is_null());
  CHECK(j["status_code"] == 200);
  CHECK(j["duration_seconds"].get<double>() > 0);
  for (const char* phase : {"resolve", "connect", "tls", "processing", "transfer"}) {
    CHECK(j["phases"].contains(phase));
  }
  CHECK(j["http_version"] == "1.1");
  CHECK(j["tls_cert_not_after"].is_null());
  CHECK(j["redirects"] == 0);
  CHECK(j["bytes"] == 22);
  CHECK(j.contains("message"));
}

TEST_CASE("probe exits 1 with the failure reason when the check fails") {
  shopwatch::testing::FakeHttpServer server;
  server.status("/down", 503, "maintenance");
  auto o = runShopwatch("probe " + server.url("/down") + " --json");
  REQUIRE(o.code == 1);
  auto j = nlohmann::json::parse(o.out);
  CHECK(j["success"] == false);
  CHECK(j["failure"] == "http_status");
  CHECK(j["status_code"] == 503);

  auto human = runShopwatch("probe " + server.url("/down"));
  CHECK(human.code == 1);
  CHECK(human.out.find("http_status") != std::string::npos);
  CHECK(human.out.find("Phases") != std::string::npos);
}

TEST_CASE("probe -c FILE --check runs one check of the config") {
  shopwatch::testing::FakeHttpServer server;
  server.status("/", 200, "Warenkorb");
  auto cfg = writeTemp("probe.yaml", "agent:\n  client: acme\nshops:\n  - name: acme\n    base_url: " +
                                         server.url("") + "\n    checks:\n      - name: home\n        url: /\n"
                                         "        expect: { body_contains: Warenkorb }\n");
  auto o = runShopwatch("probe -c " + cfg.string() + " --check acme/home --json");
  CHECK(o.code == 0);
  CHECK(nlohmann::json::parse(o.out)["success"] == true);
  CHECK(runShopwatch("probe -c " + cfg.string() + " --check acme/nope").code == 2);
}

TEST_CASE("check-config accepts the issue's example and reports errors as FILE:LINE:COL") {
  // The example promised in issue [A1], exactly as written there.
  const std::string good = std::string(SHOPWATCH_SOURCE_DIR) + "/tests/fixtures/issue-a1-example.yaml";
  auto ok = runShopwatch("check-config -c " + good);
  CHECK(ok.code == 0);

  auto bad = writeTemp("bad.yaml", "agent:\n  client: acme\nshops:\n  - name: acme\n    base_url: http://127.0.0.1:1\n"
                                   "    checks:\n      - name: home\n        url: /\n        intervall: 30s\n");
  auto o = runShopwatch("check-config -c " + bad.string(), true);
  CHECK(o.code == 1);
  CHECK(o.out.find(bad.string() + ":9:9: ") != std::string::npos);
  CHECK(o.out.find("did you mean") != std::string::npos);

  CHECK(runShopwatch("check-config -c /nonexistent/shopwatch.yaml").code == 1);
}

TEST_CASE("check-config -v prints each check's effective values and where they come from") {
  auto cfg = writeTemp("verbose.yaml",
                       "agent:\n  client: acme\nshops:\n  - name: acme\n    base_url: http://127.0.0.1:1\n"
                       "    defaults: { method: HEAD }\n    checks:\n      - name: home\n        url: /\n"
                       "        interval: 5s\n");
  for (const char* flag : {"-v", "--verbose"}) {
    INFO(flag);
    auto o = runShopwatch("check-config -c " + cfg.string() + " " + flag);
    INFO(o.out);
    REQUIRE(o.code == 0);
    CHECK(o.out.find(": ok (client acme, 1 shop, 1 check)") != std::string::npos);
    CHECK(o.out.find("acme/production/home\n") != std::string::npos);
    for (const char* line : {"  url               http://127.0.0.1:1/ (set)\n",
                             "  method            HEAD (from defaults)\n",
                             "  interval          5s (set)\n",
                             "  timeout           5s (derived from interval)\n",
                             "  confirm           true (default)\n",
                             "  confirm_delay     2500ms (derived from interval)\n",
                             "  max_body          10MiB (default)\n",
                             "  follow_redirects  true (default)\n",
                             "  expect.status     200-299 (default)\n"}) {
      CHECK(o.out.find(line) != std::string::npos);
    }
  }
  // Without -v only the one-line result.
  auto quiet = runShopwatch("check-config -c " + cfg.string());
  CHECK(quiet.code == 0);
  CHECK(quiet.out.find("timeout") == std::string::npos);
}

TEST_CASE("check-config rejects a listen host name with the message run would give") {
  auto bad = writeTemp("listen-name.yaml", "agent:\n  client: acme\n  listen: monitor.local:9834\n");
  auto o = runShopwatch("check-config -c " + bad.string(), true);
  CHECK(o.code == 1);
  CHECK(o.out.find(bad.string() + ":3:11: agent.listen: invalid listen address `monitor.local:9834`: "
                                  "`monitor.local` is not an IP address (host names are not resolved") !=
        std::string::npos);

  for (const char* listen : {"localhost:9834", "'[::1]:9834'"}) {
    auto ok = writeTemp("listen-ok.yaml", std::string("agent:\n  client: acme\n  listen: ") + listen + "\n");
    INFO(listen);
    CHECK(runShopwatch("check-config -c " + ok.string()).code == 0);
  }
}

namespace {

// A journey against the fake shop: a product page with a token, a POST that needs it, a JSON cart.
std::string journeyConfig(const shopwatch::testing::FakeHttpServer& shop, bool places_order) {
  return "agent:\n  client: acme\nshops:\n  - name: acme\n    base_url: " + shop.url("") +
         "\n    checks:\n"
         "      - name: checkout\n        interval: 5m\n        journey_timeout: 20s\n        steps:\n"
         "          - name: product\n            url: /p/sku-123\n            extract:\n"
         "              csrf: { css: 'input[name=\"_csrf\"]', attr: value }\n"
         "          - name: add-to-cart\n            url: /cart/add\n"
         "            form: { sku: sku-123, _csrf: \"${csrf}\" }\n"
         "          - name: cart\n            url: /cart\n            extract:\n"
         "              cart_id: { json: /cart/id }\n            expect: { body_contains: sku-123 }\n"
         "          - name: pay\n            url: /checkout/order\n            json: { cart: \"${cart_id}\" }\n" +
         std::string(places_order ? "            places_order: true\n" : "") +
         "        cleanup:\n          - name: empty-cart\n            method: POST\n            url: /cart/clear\n";
}

void serveJourneyShop(shopwatch::testing::FakeHttpServer& shop) {
  shop.status("/p/sku-123", 200, "<form><input type=\"hidden\" name=\"_csrf\" value=\"tok-9f\"></form>");
  shop.route("/cart/add", [](const shopwatch::testing::FakeRequest& req) {
    shopwatch::testing::FakeResponse r;
    r.status = req.body.find("_csrf=tok-9f") != std::string::npos ? 200 : 403;
    return r;
  });
  shopwatch::testing::FakeResponse cart;
  cart.status = 200;
  cart.body = R"({"cart":{"id":42,"items":[{"sku":"sku-123"}]}})";
  cart.headers.emplace_back("Content-Type", "application/json");
  shop.respond("/cart", cart);
  shop.route("/checkout/order", [](const shopwatch::testing::FakeRequest& req) {
    shopwatch::testing::FakeResponse r;
    // The typed substitution keeps the extracted number a number.
    r.status = req.body == R"({"cart":42})" ? 200 : 422;
    return r;
  });
  shop.status("/cart/clear", 200, "");
}

}  // namespace

TEST_CASE("probe -c runs a journey once and prints every step with its extracted variable names") {
  shopwatch::testing::FakeHttpServer shop;
  serveJourneyShop(shop);
  const auto cfg = writeTemp("journey.yaml", journeyConfig(shop, true));
  const auto human = runShopwatch("probe -c " + cfg.string() + " --check acme/checkout");
  INFO(human.out);
  CHECK(human.code == 0);
  CHECK(human.out.find("Step product") != std::string::npos);
  CHECK(human.out.find("Step empty-cart (cleanup)") != std::string::npos);
  CHECK(human.out.find("Extracted   csrf (values hidden)") != std::string::npos);
  CHECK(human.out.find("tok-9f") == std::string::npos);  // values are never shown

  const auto j = runShopwatch("probe -c " + cfg.string() + " --check acme/checkout --json");
  INFO(j.out);
  CHECK(j.code == 0);
  const auto parsed = nlohmann::json::parse(j.out);
  CHECK(parsed["success"] == true);
  CHECK(parsed["failed_step"].is_null());
  REQUIRE(parsed["steps"].size() == 5);
  CHECK(parsed["steps"][0]["name"] == "product");
  CHECK(parsed["steps"][3]["name"] == "pay");
  CHECK(parsed["steps"][4]["cleanup"] == true);
  CHECK(parsed.contains("duration_seconds"));

  // The shop refuses the token: the journey fails at add-to-cart, later steps are skipped, cleanup runs.
  shop.status("/p/sku-123", 200, "<form><input type=\"hidden\" name=\"_csrf\" value=\"stale\"></form>");
  const auto failed = runShopwatch("probe -c " + cfg.string() + " --check acme/checkout --json");
  CHECK(failed.code == 1);
  const auto f = nlohmann::json::parse(failed.out);
  CHECK(f["failed_step"] == "add-to-cart");
  CHECK(f["failure"] == "http_status");
  CHECK(f["steps"][2]["skipped"] == true);
  CHECK(f["steps"][4]["skipped"] == false);
  CHECK(shop.requestCount("/cart/clear") == 3);  // every run cleaned up, the failed one too
}

TEST_CASE("check-config warns about a step that looks like order placement and lists journey steps with -v") {
  shopwatch::testing::FakeHttpServer shop;
  const auto risky = writeTemp("risky.yaml", journeyConfig(shop, false));
  const auto warned = runShopwatch("check-config -c " + risky.string(), true);
  INFO(warned.out);
  CHECK(warned.code == 0);
  CHECK(warned.out.find(risky.string() + ":") != std::string::npos);
  CHECK(warned.out.find("warning:") != std::string::npos);
  CHECK(warned.out.find("places_order") != std::string::npos);

  const auto safe = writeTemp("safe.yaml", journeyConfig(shop, true));
  const auto quiet = runShopwatch("check-config -c " + safe.string(), true);
  CHECK(quiet.code == 0);
  CHECK(quiet.out.find("warning:") == std::string::npos);
  const auto verbose = runShopwatch("check-config -v -c " + safe.string(), true);
  INFO(verbose.out);
  CHECK(verbose.out.find("add-to-cart") != std::string::npos);
  CHECK(verbose.out.find("csrf") != std::string::npos);
  CHECK(verbose.out.find("empty-cart") != std::string::npos);
}
