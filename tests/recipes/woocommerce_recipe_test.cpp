// examples/journeys/woocommerce.yaml (Cart-Token) and woocommerce-nonce.yaml (cookie + Nonce)
// against the WooCommerce fake: happy paths, failure modes at the right step, two runs in a row.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

const std::string kOrigin = "http://127.0.0.1:9843";
const std::vector<std::string> kSteps = {"product",  "cart",        "add-to-cart", "address",
                                         "shipping", "draft-order", "place-order"};
const std::vector<std::string> kRecipes = {"woocommerce.yaml", "woocommerce-nonce.yaml"};

std::unique_ptr<agent::platforms::PlatformFake> startFake() {
  auto fake = agent::platforms::makePlatformFake("woocommerce");
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

TEST_CASE("woocommerce recipes: a cod order passes in both session modes") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
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
}

TEST_CASE("woocommerce recipes: two runs in a row use fresh sessions") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    for (int i = 0; i < 2; ++i) {
      auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
      INFO(test::describeRun(run.result));
      REQUIRE(run.result.success);
    }
    CHECK(fake->counters().sessions == 2);
    CHECK(fake->counters().orders == 2);
  }
}

TEST_CASE("woocommerce recipes: an out-of-stock product fails at product") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("out-of-stock", true));
    auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
    requireFailedAt(run, "product", FailureReason::Assertion);
    CHECK(fake->counters().orders == 0);
  }
}

TEST_CASE("woocommerce recipes: an address without shipping rates fails at address") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("no-shipping", true));
    auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
    requireFailedAt(run, "address", FailureReason::Extraction);
    CHECK(fake->counters().open_carts == 0);
  }
}

TEST_CASE("woocommerce recipes: a price change before checkout is a 409 total mismatch") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("price-change", true));
    auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
    requireFailedAt(run, "place-order", FailureReason::HttpStatus);
    CHECK(test::findStep(run.result, "place-order")->result.status_code == 409);
    REQUIRE(run.result.evidence.has_value());
    CHECK(run.result.evidence->body_snippet.find("woocommerce_rest_checkout_total_mismatch") !=
          std::string::npos);
    CHECK(fake->counters().orders == 0);
    CHECK(fake->counters().open_carts == 0);
  }
}

TEST_CASE("woocommerce recipes: a declined payment fails place-order") {
  for (const auto& file : kRecipes) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("payment-declined", true));
    auto run = test::runRecipe(file, kOrigin, fake->baseUrl());
    requireFailedAt(run, "place-order", FailureReason::HttpStatus);
    CHECK(fake->counters().orders == 0);
  }
}

TEST_CASE("woocommerce nonce recipe: a rejected nonce is 401 at the first POST") {
  auto fake = startFake();
  REQUIRE(fake->setFault("nonce-expired", true));
  auto run = test::runRecipe("woocommerce-nonce.yaml", kOrigin, fake->baseUrl());
  requireFailedAt(run, "add-to-cart", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "add-to-cart")->result.status_code == 401);
}

TEST_CASE("woocommerce cart-token recipe: needs no nonce (nonce-expired does not matter)") {
  auto fake = startFake();
  REQUIRE(fake->setFault("nonce-expired", true));
  auto run = test::runRecipe("woocommerce.yaml", kOrigin, fake->baseUrl());
  INFO(test::describeRun(run.result));
  CHECK(run.result.success);
}

TEST_CASE("woocommerce nonce recipe: a nonce not taken from the latest answer is 401") {
  // The recipe as shipped stores every updated Nonce; one that keeps the first fails at the
  // second POST, because the fake accepts only the latest nonce (research A4).
  auto fake = startFake();
  auto run = test::runRecipe("woocommerce-nonce.yaml", kOrigin, fake->baseUrl(),
                             {{"            extract:\n              nonce: { header: Nonce, "
                               "optional: true }\n            expect:\n              status: "
                               "[200, 201]",
                               "            expect:\n              status: [200, 201]"}});
  requireFailedAt(run, "address", FailureReason::HttpStatus);
  CHECK(test::findStep(run.result, "address")->result.status_code == 401);
}
