// examples/journeys/shopware.yaml against the Shopware fake: the happy path, each failure mode at
// the step that must catch it, and two runs in a row.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

const std::string kOrigin = "http://127.0.0.1:9841";
const std::vector<std::string> kSteps = {
    "context",         "product",        "add-to-cart", "country", "register-guest",
    "shipping-method", "payment-method", "set-methods", "cart",    "place-order",
    "handle-payment"};

std::unique_ptr<agent::platforms::PlatformFake> startFake() {
  auto fake = agent::platforms::makePlatformFake("shopware");
  REQUIRE(fake != nullptr);
  REQUIRE(fake->start("127.0.0.1:0"));
  return fake;
}

// The run failed at `step` for `reason`, every later step was skipped and the cleanup ran.
void requireFailedAt(const test::RecipeRun& run, const std::string& step, FailureReason reason) {
  REQUIRE(run.errors.empty());
  REQUIRE(test::failedAtProblems(run.result, step, reason, kSteps, {"clear-cart"}) == "");
}

}  // namespace

TEST_CASE("shopware recipe: a guest order with Invoice passes against the fake") {
  auto fake = startFake();
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  REQUIRE(test::configProblems(run) == "");
  INFO(test::describeRun(run.result));
  REQUIRE(run.result.success);
  CHECK(test::stepsRanProblems(run.result, kSteps) == "");
  CHECK(test::stepsRanProblems(run.result, {"clear-cart"}) == "");
  const auto c = fake->counters();
  CHECK(c.sessions == 1);
  CHECK(c.orders == 1);
  CHECK(c.open_carts == 0);
  CHECK(c.rejected == 0);
}

TEST_CASE("shopware recipe: two runs in a row use fresh contexts and place two orders") {
  auto fake = startFake();
  for (int i = 0; i < 2; ++i) {
    auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
    INFO(test::describeRun(run.result));
    REQUIRE(run.result.success);
  }
  const auto c = fake->counters();
  CHECK(c.sessions == 2);
  CHECK(c.orders == 2);
  CHECK(c.open_carts == 0);
}

TEST_CASE("shopware recipe: a product that left the sales channel fails add-to-cart (200 errors)") {
  auto fake = startFake();
  REQUIRE(fake->setFault("not-available", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "add-to-cart", FailureReason::Assertion);
  CHECK(test::findStep(run.result, "add-to-cart")->result.status_code == 200);
  CHECK(fake->counters().orders == 0);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("shopware recipe: a sold-out product fails at product (available false)") {
  auto fake = startFake();
  REQUIRE(fake->setFault("sold-out", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "product", FailureReason::Assertion);
  CHECK(fake->counters().orders == 0);
}

TEST_CASE("shopware recipe: an unknown product number fails at product") {
  auto fake = startFake();
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl(),
                             {{"product_number: SW10001", "product_number: SW99999"}});
  requireFailedAt(run, "product", FailureReason::Assertion);
}

TEST_CASE("shopware recipe: the cart-add rate limit fails add-to-cart with 429") {
  auto fake = startFake();
  REQUIRE(fake->setFault("rate-limit", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "add-to-cart", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "add-to-cart")->result.status_code == 429);
}

TEST_CASE("shopware recipe: double opt-in for guests keeps the token and place-order answers 403") {
  auto fake = startFake();
  REQUIRE(fake->setFault("double-opt-in", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "place-order", FailureReason::HttpStatus);
  const auto* s = test::findStep(run.result, "place-order");
  CHECK(s->result.status_code == 403);
  REQUIRE(run.result.evidence.has_value());
  CHECK(run.result.evidence->body_snippet.find("CHECKOUT__CUSTOMER_NOT_LOGGED_IN") !=
        std::string::npos);
  CHECK(fake->counters().orders == 0);
  CHECK(fake->counters().open_carts == 0);  // clear-cart emptied it
}

TEST_CASE("shopware recipe: blocked shipping in the cart's errors fails at cart") {
  auto fake = startFake();
  REQUIRE(fake->setFault("shipping-blocked", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "cart", FailureReason::Assertion);
  CHECK(fake->counters().orders == 0);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("shopware recipe: a regenerated access key fails at the first step with 401") {
  auto fake = startFake();
  REQUIRE(fake->setFault("access-key-changed", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "context", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "context")->result.status_code == 401);
}

TEST_CASE("shopware recipe: a storefrontUrl that is not a sales channel domain fails register") {
  auto fake = startFake();
  // The origin is swapped before replacements, so the var reads the fake's base URL here.
  auto run = test::runRecipe(
      "shopware.yaml", kOrigin, fake->baseUrl(),
      {{"storefront_url: " + fake->baseUrl(), "storefront_url: https://shop.example"}});
  requireFailedAt(run, "register-guest", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "register-guest")->result.status_code == 400);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("shopware recipe: a payment gateway's redirectUrl ends the run as passed") {
  // Research A2 step 10: a gateway answers a redirectUrl and the probe stops there; the order
  // exists with an open transaction, so the shop's checkout works up to the provider.
  auto fake = startFake();
  REQUIRE(fake->setFault("payment-gateway", true));
  auto run = test::runRecipe("shopware.yaml", kOrigin, fake->baseUrl());
  INFO(test::describeRun(run.result));
  REQUIRE(run.result.success);
  CHECK(fake->counters().orders == 1);
}
