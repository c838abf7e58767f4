// The classic HTML shop recipe (examples/journeys/html.yaml) against the html fake, and the fake's
// contract by direct HTTP (per-form CSRF tokens, 419 Page Expired, flash redirects, 422, 503).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "http_call.h"
#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

constexpr const char* kOrigin = "http://127.0.0.1:9846";
constexpr const char* kFile = "html.yaml";

using test::HttpReply;

/// `method` to `url` with the session `cookies`; a POST sends the form `form`.
HttpReply call(const std::string& method, const std::string& url, const std::string& form = "",
               const std::string& cookies = "") {
  return test::httpCall(method, url, method == "POST" ? form : "", {},
                        {.content_type = test::kFormContentType, .cookie = cookies});
}
std::string between(const std::string& text, const std::string& before, const std::string& after) {
  const auto at = text.find(before);
  if (at == std::string::npos) return {};
  const auto start = at + before.size();
  return text.substr(start, text.find(after, start) - start);
}
std::string tokenIn(const std::string& html, const std::string& form_marker) {
  return between(html.substr(html.find(form_marker)), "name=\"_token\" value=\"", "\"");
}

struct Fake {
  std::unique_ptr<agent::platforms::PlatformFake> fake = agent::platforms::makePlatformFake("html");
  Fake() {
    REQUIRE(fake);
    REQUIRE(fake->start("127.0.0.1:0"));
  }
  test::RecipeRun run(const std::vector<std::pair<std::string, std::string>>& repl = {}) {
    auto r = test::runRecipe(kFile, kOrigin, fake->baseUrl(), repl);
    REQUIRE(test::configProblems(r) == "");
    return r;
  }
};

/// Failed at `step` for `reason`, later steps skipped, every cleanup step ran.
void requireFailedAt(const test::RecipeRun& run, const std::string& step, FailureReason reason) {
  REQUIRE(test::failedAtProblems(run.result, step, reason) == "");
}

}  // namespace

TEST_CASE("html.yaml: the CSRF form checkout passes, places one order and cleans up") {
  Fake f;
  auto run = f.run();
  INFO(test::describeRun(run.result));
  REQUIRE(run.result.success);
  CHECK(test::stepsRanProblems(run.result, {"product", "add-to-cart", "cart", "checkout-page",
                                            "place-order", "cart-for-cleanup", "clear-cart"}) == "");
  const auto c = f.fake->counters();
  CHECK(c.orders == 1);
  CHECK(c.sessions == 1);
  CHECK(c.open_carts == 0);
  // Two runs in a row are independent (a new session each).
  auto again = f.run();
  CHECK(again.result.success);
  CHECK(f.fake->counters().sessions == 2);
  CHECK(f.fake->counters().orders == 2);
}

TEST_CASE("html.yaml: rotating tokens do not break it (each token is read right before its POST)") {
  Fake f;
  f.fake->setFault("csrf-rotate", true);
  auto run = f.run();
  INFO(test::describeRun(run.result));
  CHECK(run.result.success);
  CHECK(f.fake->counters().open_carts == 0);
  // A recipe that reuses the add-to-cart token for the checkout form gets 419.
  auto reuse = f.run({{"_token: \"${checkout_token}\"", "_token: \"${cart_token}\""}});
  requireFailedAt(reuse, "place-order", FailureReason::HttpStatus);
  CHECK(test::findStep(reuse.result, "place-order")->result.status_code == 419);
  CHECK(f.fake->counters().open_carts == 0);  // cleanup emptied the cart with a fresh token
}

TEST_CASE("html.yaml: out of stock redirects back to the product, add-to-cart fails on Location") {
  Fake f;
  f.fake->setFault("out-of-stock", true);
  requireFailedAt(f.run(), "add-to-cart", FailureReason::Assertion);
  CHECK(f.fake->counters().orders == 0);
}

TEST_CASE("html.yaml: a declined payment (422) fails place-order, cleanup empties the cart") {
  Fake f;
  f.fake->setFault("payment-error", true);
  auto run = f.run();
  requireFailedAt(run, "place-order", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "place-order")->result.status_code == 422);
  CHECK(test::findStep(run.result, "clear-cart")->result.success);
  CHECK(f.fake->counters().open_carts == 0);
  CHECK(f.fake->counters().orders == 0);
}

TEST_CASE("html.yaml: maintenance mode (503) fails the first step") {
  Fake f;
  f.fake->setFault("maintenance", true);
  auto run = f.run();
  requireFailedAt(run, "product", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "product")->result.status_code == 503);
}

TEST_CASE("html fake: tokens are per session and per form; a bad token is 419 Page Expired") {
  Fake f;
  const std::string base = f.fake->baseUrl();
  auto page = call("GET", base + "/products/espresso-cup");
  REQUIRE(page.status == 200);
  const std::string session = page.cookie("laravel_session");
  REQUIRE_FALSE(session.empty());
  CHECK(page.setsCookie("XSRF-TOKEN"));
  const std::string jar = "laravel_session=" + session;
  const std::string token = tokenIn(page.body, "class=\"add-to-cart\"");
  REQUIRE(token.size() == 40);

  auto missing = call("POST", base + "/cart", "product=CUP-01&quantity=1", jar);
  CHECK(missing.status == 419);
  CHECK(missing.body.find("Page Expired") != std::string::npos);
  // Another session's token is no good either.
  CHECK(call("POST", base + "/cart", "_token=" + token + "&product=CUP-01&quantity=1").status == 419);

  auto added = call("POST", base + "/cart", "_token=" + token + "&product=CUP-01&quantity=2", jar);
  CHECK(added.status == 302);
  CHECK(added.header("location") == "/cart");
  auto cart = call("GET", base + "/cart", "", jar);
  CHECK(cart.body.find("added to your cart") != std::string::npos);  // the flash, once
  CHECK(cart.body.find("data-count=\"2\"") != std::string::npos);
  CHECK(call("GET", base + "/cart", "", jar).body.find("added to your cart") == std::string::npos);
  CHECK(f.fake->counters().open_carts == 1);

  auto checkout = call("GET", base + "/checkout", "", jar);
  REQUIRE(checkout.status == 200);
  const std::string checkout_token = tokenIn(checkout.body, "id=\"checkout-form\"");
  CHECK(checkout_token.size() == 40);
  CHECK(checkout_token != token);  // the checkout form has its own token
  const std::string address =
      "&email=probe%2B1%40example.com&name=P&street=S&postcode=1&city=C&country=DE&payment=invoice";
  CHECK(call("POST", base + "/checkout", "_token=" + token + address, jar).status == 419);
  // Validation errors: 302 back to the form.
  auto invalid = call("POST", base + "/checkout", "_token=" + checkout_token + "&email=x", jar);
  CHECK(invalid.status == 302);
  CHECK(invalid.header("location") == "/checkout");
  auto placed = call("POST", base + "/checkout", "_token=" + checkout_token + address, jar);
  REQUIRE(placed.status == 302);
  const std::string location = placed.header("location");
  CHECK(location.find("/orders/") == 0);
  auto confirmed = call("GET", base + location, "", jar);
  CHECK(confirmed.status == 200);
  CHECK(confirmed.body.find(" confirmed") != std::string::npos);
  CHECK(call("GET", base + location).status == 404);  // not another session's order
  CHECK(f.fake->counters().orders == 1);
  CHECK(f.fake->counters().open_carts == 0);
  // An empty cart's checkout redirects to the cart.
  CHECK(call("GET", base + "/checkout", "", jar).status == 302);
}

TEST_CASE("html fake: csrf-rotate renews tokens after a POST; maintenance answers 503 + Retry-After") {
  Fake f;
  const std::string base = f.fake->baseUrl();
  f.fake->setFault("csrf-rotate", true);
  auto page = call("GET", base + "/products/moka-pot");
  const std::string jar = "laravel_session=" + page.cookie("laravel_session");
  const std::string token = tokenIn(page.body, "class=\"add-to-cart\"");
  CHECK(call("POST", base + "/cart", "_token=" + token + "&product=MOKA-03&quantity=1", jar).status == 302);
  CHECK(call("POST", base + "/cart/clear", "_token=" + token, jar).status == 419);  // used up
  auto cart = call("GET", base + "/cart", "", jar);
  const std::string fresh = tokenIn(cart.body, "class=\"cart-clear\"");
  CHECK(fresh != token);
  CHECK(call("POST", base + "/cart/clear", "_token=" + fresh, jar).status == 302);
  CHECK(f.fake->counters().open_carts == 0);
  f.fake->setFault("maintenance", true);
  auto down = call("GET", base + "/cart", "", jar);
  CHECK(down.status == 503);
  CHECK(down.header("retry-after") == "60");
  CHECK(call("GET", base + "/products/no-such").status == 503);
  f.fake->clearFaults();
  CHECK(call("GET", base + "/products/no-such").status == 404);
}
