// Journeys over the engine's transport: TLS with connection reuse between steps, redirects inside
// a step, the CSS selector rule shared with the config loader, and a large page's css extraction
// kept off the event thread (which also outranks the workers for the CPU); the loop-lag maxima
// and the receive slice that keep a large body from stalling the loop.

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "body_budget.h"
#include "evaluation_pool.h"
#include "journey_test_support.h"
#include "loop_lag.h"
#include "shopwatch/core/css_selector.h"

namespace {

using namespace shopwatch;
using namespace shopwatch::probes::test;
using namespace std::chrono_literals;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;
using Kind = core::Extraction::Kind;

std::string reasonOf(const core::ProbeResult& r) { return std::string(core::toString(r.failure)); }

std::string writeTrustFile(const std::string& pem) {
  auto path = std::filesystem::temp_directory_path() /
              ("shopwatch-journey-ca-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(path) << pem;
  return path.string();
}

// About 5 MiB of product listing with the token at its very end.
std::string bigPage() {
  std::string page = "<!doctype html><html><body><div id=\"list\">";
  for (int i = 0; page.size() < 5u * 1024 * 1024; ++i) {
    page += "<div class=\"product\"><a href=\"/p/" + std::to_string(i) + "\">item " +
            std::to_string(i) + "</a><span class=\"price\">9.99</span></div>\n";
  }
  page += R"(</div><form class="cart"><input name="_csrf" value="big-token"></form></body></html>)";
  return page;
}

int niceOfThisThread() { return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); }

}  // namespace

TEST_CASE("over TLS the second step to the same host reuses the connection", "[journey][tls]") {
  FakeHttpServer::Options so;
  so.tls = true;
  so.certificate = shopwatch::testing::makeSelfSignedCertificate("localhost", -1h, 48h);
  FakeHttpServer server(so);
  server.status("/product", 200, "product");
  server.status("/cart", 200, "cart");
  const std::string ca = writeTrustFile(server.certificate().cert_pem);
  auto product = stepFor("product", server.url("/product"));
  auto cart = stepFor("cart", server.url("/cart"));
  product.request.tls.ca_file = ca;
  cart.request.tls.ca_file = ca;
  REQUIRE(server.url("/").rfind("https://", 0) == 0);

  auto r = probes::probeOnce(journeyCheck({product, cart}));
  INFO(r.message);
  REQUIRE(r.success);
  const auto& first = stepNamed(r, "product").result;
  const auto& second = stepNamed(r, "cart").result;
  CHECK(first.phases.connect > 0us);
  CHECK(first.phases.tls > 0us);
  CHECK(second.phases.resolve == 0us);
  CHECK(second.phases.connect == 0us);
  CHECK(second.phases.tls == 0us);
  CHECK(first.ssl);
  CHECK(second.ssl);
  CHECK(server.connectionCount() == 1);
  std::filesystem::remove(ca);
}

TEST_CASE("a step follows a redirect and is judged on where it lands", "[journey]") {
  FakeHttpServer server;
  server.status("/login", 200, "login form");
  server.redirect("/cart/add", "/cart", 302);
  server.status("/cart", 200, "cart with sku-123");
  auto login = stepFor("login", server.url("/login"));
  auto add = stepFor("add-to-cart", server.url("/cart/add"), "POST");
  add.body_kind = core::BodyKind::Form;
  add.form = {{"sku", "sku-123"}};
  add.expect.body_contains = "sku-123";

  auto r = probes::probeOnce(journeyCheck({login, add}));
  INFO(r.message);
  REQUIRE(r.success);
  const auto& step = stepNamed(r, "add-to-cart").result;
  CHECK(step.status_code == 200);
  CHECK(step.redirects == 1);
  CHECK(step.final_url == server.url("/cart"));
  CHECK(server.requestCount("/cart/add") == 1);
  CHECK(server.requestCount("/cart") == 1);
  // The hop is followed as a browser would after a 302 to a form post: with GET.
  CHECK(lastRequest(server, "/cart").method == "GET");
}

TEST_CASE("the engine accepts exactly the css selectors the config loader accepts", "[journey]") {
  FakeHttpServer server;
  server.status("/", 200, R"(<form class="cart"><input name="_csrf" value="t1"></form>)");
  for (const char* selector : {"*", "input:first-child", "form > input", "[name^=_]"}) {
    INFO(selector);
    REQUIRE_FALSE(core::parseCssSelector(selector));
    auto page = stepFor("page", server.url("/"));
    auto x = extraction("csrf", Kind::Css, selector);
    x.attribute = "value";
    page.extract = {x};
    auto r = probes::probeOnce(journeyCheck({page}));
    CHECK(reasonOf(r) == "extraction");
    CHECK_THAT(r.message,
               Catch::Contains("${csrf}") && Catch::Contains(std::string(core::kCssSubset)));
  }
  auto page = stepFor("page", server.url("/"));
  auto x = extraction("csrf", Kind::Css, "form.cart input[name=_csrf]");
  x.attribute = "value";
  page.extract = {x};
  REQUIRE(core::parseCssSelector(x.expression));
  auto r = probes::probeOnce(journeyCheck({page}));
  INFO(r.message);
  CHECK(r.success);
}

TEST_CASE("a css extraction from a 5 MiB page runs on a worker, not on the event thread",
          "[journey][offload]") {
  FakeHttpServer server;
  server.respond("/catalog", FakeResponse{200, {{"Content-Type", "text/html"}}, bigPage()});
  auto catalog = stepFor("catalog", server.url("/catalog"));
  auto x = extraction("csrf", Kind::Css, R"(form.cart input[name="_csrf"])");
  x.attribute = "value";
  catalog.extract = {x};
  catalog.request.max_body = 8ull * 1024 * 1024;

  std::mutex mu;
  std::vector<std::thread::id> evaluated_on;
  std::vector<int> worker_nice;
  probes::EngineOptions options;
  options.before_evaluation = [&](const core::CheckKey&) {
    std::lock_guard lock(mu);
    evaluated_on.push_back(std::this_thread::get_id());
    worker_nice.push_back(niceOfThisThread());
  };
  int event_thread_nice = 0;
  probes::HttpProbeEngine engine(options);
  Collector c;
  engine.submit(std::make_shared<const core::Check>(journeyCheck({catalog})),
                [&](core::ProbeResult r) {
                  event_thread_nice = niceOfThisThread();
                  c.callback()(std::move(r));
                });
  REQUIRE(c.waitFor(1, 20s));
  const auto& r = c.results[0];
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(stepNamed(r, "catalog").result.extracted == std::vector<std::string>{"csrf"});
  std::lock_guard lock(mu);
  REQUIRE(evaluated_on.size() == 1);
  CHECK(evaluated_on[0] != c.threads[0]);  // completions run on the event thread
  // The workers yield the CPU to the event thread (a nicer thread never delays its timings).
  CHECK(worker_nice[0] > event_thread_nice);
  CHECK(worker_nice[0] >= probes::detail::EvaluationPool::kWorkerNice);
}

TEST_CASE("the loop-lag monitor keeps its longest busy iteration and late wake", "[probes]") {
  probes::detail::LoopLag lag(5ms);
  CHECK(lag.longestBusy() == 0us);
  CHECK(lag.longestLateWake() == 0us);
  CHECK_FALSE(lag.wokeLate(12ms, 10ms));
  CHECK(lag.longestLateWake() == 2ms);
  CHECK(lag.wokeLate(30ms, 10ms));
  CHECK_FALSE(lag.wokeLate(11ms, 10ms));
  CHECK(lag.longestLateWake() == 20ms);
  lag.beginIteration();
  lag.busyTooLong();
  const auto busy = lag.longestBusy();
  lag.busyTooLong();
  CHECK(lag.longestBusy() >= busy);  // a maximum never shrinks
}

TEST_CASE("a loop iteration's receive slice bounds the body bytes it takes", "[probes]") {
  using probes::detail::BodyBudget;
  BodyBudget budget(1024ull * 1024 * 1024);
  // The first chunk of an iteration always fits, however large: every transfer progresses.
  CHECK(budget.takeSlice(BodyBudget::kSliceBytes + 1));
  CHECK_FALSE(budget.takeSlice(1));
  budget.newIteration();
  CHECK(budget.takeSlice(BodyBudget::kSliceBytes / 2));
  CHECK(budget.takeSlice(BodyBudget::kSliceBytes / 2));
  CHECK_FALSE(budget.takeSlice(1));
  // A yield is resumed on the next takePaused() and is not a budget pause.
  CHECK_FALSE(budget.resumeNeeded());
  budget.noteYielded(7);
  CHECK(budget.resumeNeeded());
  CHECK(budget.pauses() == 0);
  CHECK(budget.takePaused() == std::vector<std::uint64_t>{7});
  CHECK_FALSE(budget.resumeNeeded());
}
