// [B2] examples/journeys/shopify.yaml against the Shopify fake: the happy path (cart, checkout
// redirect, no order), each failure mode at the right step, cleanup, independent runs.
#include <catch2/catch.hpp>

#include <string>

#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

constexpr const char* kOrigin = "http://127.0.0.1:9845";
const std::vector<std::string> kSteps = {"product", "add-to-cart", "cart", "checkout",
                                         "hosted-checkout"};

std::unique_ptr<agent::platforms::PlatformFake> startFake() {
  auto fake = agent::platforms::makePlatformFake("shopify");
  REQUIRE(fake != nullptr);
  REQUIRE(fake->start("127.0.0.1:0"));
  return fake;
}

test::RecipeRun run(agent::platforms::PlatformFake& fake,
                    const std::vector<std::pair<std::string, std::string>>& replace = {}) {
  auto r = test::runRecipe("shopify.yaml", kOrigin, fake.baseUrl(), replace);
  for (const auto& e : r.errors) UNSCOPED_INFO(e);
  REQUIRE(r.errors.empty());
  CHECK(r.warnings.empty());
  return r;
}

void requireFailedAt(const core::ProbeResult& result, const std::string& step, FailureReason reason) {
  INFO(test::describeRun(result));
  REQUIRE_FALSE(result.success);
  REQUIRE(result.failed_step == step);
  CHECK(test::findStep(result, step)->result.failure == reason);
  bool after = false;
  for (const auto& name : kSteps) {
    const auto* s = test::findStep(result, name);
    REQUIRE(s != nullptr);
    if (after) CHECK(s->skipped);
    after = after || name == step;
  }
  const auto* clear = test::findStep(result, "clear-cart");
  REQUIRE(clear != nullptr);
  CHECK(clear->cleanup);
  CHECK_FALSE(clear->skipped);
}

}  // namespace

TEST_CASE("shopify recipe fills a cart, reaches the hosted checkout and clears the cart") {
  auto fake = startFake();
  auto r = run(*fake);
  INFO(test::describeRun(r.result));
  REQUIRE(r.result.success);
  for (const auto& name : kSteps) {
    const auto* s = test::findStep(r.result, name);
    REQUIRE(s != nullptr);
    CHECK(s->result.success);
  }
  CHECK(test::findStep(r.result, "checkout")->result.status_code == 302);
  const auto* hosted = test::findStep(r.result, "hosted-checkout");
  // It opened the captured Location (shown redacted: an extracted value), the hosted page.
  CHECK(hosted->result.status_code == 200);
  CHECK(hosted->result.final_url.find("127.0.0.1") == std::string::npos);
  CHECK(test::findStep(r.result, "clear-cart")->result.success);
  const auto c = fake->counters();
  CHECK(c.sessions == 1);
  CHECK(c.orders == 0);  // the journey stops before the hosted checkout's JS application
  CHECK(c.open_carts == 0);
  CHECK(c.rejected == 0);
}

TEST_CASE("shopify recipe fails at add-to-cart on a 422 sold-out Cart Error") {
  auto fake = startFake();
  REQUIRE(fake->setFault("sold-out", true));
  auto r = run(*fake);
  requireFailedAt(r.result, "add-to-cart", FailureReason::HttpStatus);
  CHECK(test::findStep(r.result, "add-to-cart")->result.status_code == 422);
  CHECK(test::findStep(r.result, "clear-cart")->result.success);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("shopify recipe fails at add-to-cart when throttled (429)") {
  auto fake = startFake();
  REQUIRE(fake->setFault("throttled", true));
  auto r = run(*fake);
  requireFailedAt(r.result, "add-to-cart", FailureReason::HttpStatus);
  CHECK(test::findStep(r.result, "add-to-cart")->result.status_code == 429);
}

TEST_CASE("shopify recipe fails at checkout when bot protection redirects to a challenge") {
  auto fake = startFake();
  REQUIRE(fake->setFault("bot-protection", true));
  auto r = run(*fake);
  requireFailedAt(r.result, "checkout", FailureReason::Assertion);
  CHECK(test::findStep(r.result, "clear-cart")->result.success);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("shopify recipe fails at product for an unknown handle (404)") {
  auto fake = startFake();
  auto r = run(*fake, {{"product: classic-tee", "product: no-such-product"}});
  requireFailedAt(r.result, "product", FailureReason::HttpStatus);
  CHECK(fake->counters().sessions == 0);
}

TEST_CASE("shopify recipe runs are independent: a fresh cart each time") {
  auto fake = startFake();
  for (int i = 0; i < 2; ++i) {
    auto r = run(*fake);
    INFO(test::describeRun(r.result));
    CHECK(r.result.success);
  }
  CHECK(fake->counters().sessions == 2);
  CHECK(fake->counters().open_carts == 0);
}
