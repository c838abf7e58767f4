// [B2] examples/journeys/vendure.yaml (bearer) and vendure-cookie.yaml (cookie session), run by the
// real loader and engine against the Vendure fake: the happy path, each failure mode of the fake
// (failing at the right step for the right reason, cleanup still running), independent runs.
#include <catch2/catch.hpp>

#include <string>

#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

constexpr const char* kOrigin = "http://127.0.0.1:9844";
const std::vector<std::string> kSteps = {"product", "add-to-cart", "cart", "customer",
                                         "address", "options", "shipping", "arranging-payment",
                                         "place-order", "confirmation"};

std::unique_ptr<agent::platforms::PlatformFake> startFake() {
  auto fake = agent::platforms::makePlatformFake("vendure");
  REQUIRE(fake != nullptr);
  REQUIRE(fake->start("127.0.0.1:0"));
  return fake;
}

test::RecipeRun run(const std::string& file, agent::platforms::PlatformFake& fake,
                    const std::vector<std::pair<std::string, std::string>>& replace = {}) {
  auto r = test::runRecipe(file, kOrigin, fake.baseUrl(), replace);
  for (const auto& e : r.errors) UNSCOPED_INFO(e);
  REQUIRE(r.errors.empty());
  CHECK(r.warnings.empty());
  return r;
}

/// The run failed at `step` for `reason`; every later journey step was skipped.
void requireFailedAt(const core::ProbeResult& result, const std::string& step, FailureReason reason) {
  INFO(test::describeRun(result));
  REQUIRE_FALSE(result.success);
  REQUIRE(result.failed_step == step);
  const auto* s = test::findStep(result, step);
  REQUIRE(s != nullptr);
  CHECK(s->result.failure == reason);
  bool after = false;
  for (const auto& name : kSteps) {
    const auto* later = test::findStep(result, name);
    REQUIRE(later != nullptr);
    if (after) CHECK(later->skipped);
    after = after || name == step;
  }
}

/// Both cleanup steps ran (not skipped) and passed.
void requireCleanupRan(const core::ProbeResult& result) {
  INFO(test::describeRun(result));
  for (const char* name : {"reopen-cart", "empty-cart"}) {
    const auto* s = test::findStep(result, name);
    REQUIRE(s != nullptr);
    CHECK(s->cleanup);
    CHECK_FALSE(s->skipped);
    CHECK(s->result.success);
  }
}

}  // namespace

TEST_CASE("vendure recipes place one order per run on the fake, in both session modes") {
  for (const std::string file : {"vendure.yaml", "vendure-cookie.yaml"}) {
    INFO(file);
    auto fake = startFake();
    auto r = run(file, *fake);
    INFO(test::describeRun(r.result));
    REQUIRE(r.result.success);
    for (const auto& name : kSteps) {
      const auto* s = test::findStep(r.result, name);
      REQUIRE(s != nullptr);
      CHECK_FALSE(s->skipped);
      CHECK(s->result.success);
    }
    requireCleanupRan(r.result);
    const auto c = fake->counters();
    CHECK(c.orders == 1);
    CHECK(c.sessions == 1);
    CHECK(c.open_carts == 0);
    CHECK(c.rejected == 1);  // the cleanup's NoActiveOrderError after the order was placed
  }
}

TEST_CASE("vendure recipes pass on a shop configured for their token method only") {
  auto fake = startFake();
  REQUIRE(fake->setFault("token-method-bearer", true));
  auto bearer = run("vendure.yaml", *fake);
  INFO(test::describeRun(bearer.result));
  CHECK(bearer.result.success);
  fake->clearFaults();
  REQUIRE(fake->setFault("token-method-cookie", true));
  auto cookie = run("vendure-cookie.yaml", *fake);
  INFO(test::describeRun(cookie.result));
  CHECK(cookie.result.success);
  CHECK(fake->counters().orders == 2);
}

TEST_CASE("vendure bearer recipe fails at add-to-cart when the shop sends no auth token") {
  auto fake = startFake();
  REQUIRE(fake->setFault("token-method-cookie", true));
  auto r = run("vendure.yaml", *fake);
  requireFailedAt(r.result, "add-to-cart", FailureReason::Extraction);
  CHECK(fake->counters().orders == 0);
}

TEST_CASE("vendure cookie recipe fails at add-to-cart when the shop sets no session cookie") {
  auto fake = startFake();
  REQUIRE(fake->setFault("token-method-bearer", true));
  auto r = run("vendure-cookie.yaml", *fake);
  requireFailedAt(r.result, "add-to-cart", FailureReason::Extraction);
  CHECK(fake->counters().orders == 0);
}

TEST_CASE("vendure recipes catch a silently lost session at the cart step") {
  for (const std::string file : {"vendure.yaml", "vendure-cookie.yaml"}) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("lose-session", true));
    auto r = run(file, *fake);
    requireFailedAt(r.result, "cart", FailureReason::Assertion);
    // The cleanup ran but reached yet another fresh session: the lost cart stays behind.
    CHECK_FALSE(test::findStep(r.result, "empty-cart")->skipped);
    const auto c = fake->counters();
    CHECK(c.orders == 0);
    CHECK(c.sessions >= 2);
    CHECK(c.open_carts == 1);
  }
}

TEST_CASE("vendure recipes fail at add-to-cart on InsufficientStockError") {
  for (const std::string file : {"vendure.yaml", "vendure-cookie.yaml"}) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("sold-out", true));
    auto r = run(file, *fake);
    requireFailedAt(r.result, "add-to-cart", FailureReason::Assertion);
    const auto* add = test::findStep(r.result, "add-to-cart");
    CHECK(r.result.message.find("InsufficientStockError") != std::string::npos);
    CHECK(add->result.status_code == 200);
    if (file == "vendure-cookie.yaml") {
      requireCleanupRan(r.result);
    } else {
      // No token was captured (the step failed before extraction): nothing to clean, skipped.
      CHECK(test::findStep(r.result, "empty-cart")->skipped);
    }
    CHECK(fake->counters().open_carts == 0);
    CHECK(fake->counters().orders == 0);
  }
}

TEST_CASE("vendure recipes fail at place-order on PaymentDeclinedError and the cleanup empties the cart") {
  for (const std::string file : {"vendure.yaml", "vendure-cookie.yaml"}) {
    INFO(file);
    auto fake = startFake();
    REQUIRE(fake->setFault("payment-declined", true));
    auto r = run(file, *fake);
    requireFailedAt(r.result, "place-order", FailureReason::Assertion);
    CHECK(r.result.message.find("PaymentDeclinedError") != std::string::npos);
    requireCleanupRan(r.result);
    const auto c = fake->counters();
    CHECK(c.orders == 0);
    CHECK(c.open_carts == 0);
  }
}

TEST_CASE("vendure recipe fails at options when no shipping method is eligible") {
  auto fake = startFake();
  REQUIRE(fake->setFault("no-shipping", true));
  auto r = run("vendure.yaml", *fake);
  requireFailedAt(r.result, "options", FailureReason::Assertion);
  requireCleanupRan(r.result);
  CHECK(fake->counters().open_carts == 0);
}

TEST_CASE("vendure recipe fails at product for an unknown slug (product: null)") {
  auto fake = startFake();
  auto r = run("vendure.yaml", *fake, {{"product: laptop", "product: no-such-product"}});
  requireFailedAt(r.result, "product", FailureReason::Assertion);
  CHECK(fake->counters().sessions == 0);
}

TEST_CASE("vendure recipe fails at options when the payment method is not offered") {
  auto fake = startFake();
  auto r = run("vendure.yaml", *fake,
               {{"payment_method: standard-payment", "payment_method: cash-on-delivery"}});
  requireFailedAt(r.result, "options", FailureReason::Assertion);
  CHECK(fake->counters().orders == 0);
}

TEST_CASE("vendure recipe runs are independent: a fresh session and order each time") {
  auto fake = startFake();
  for (int i = 0; i < 2; ++i) {
    auto r = run("vendure.yaml", *fake);
    INFO(test::describeRun(r.result));
    CHECK(r.result.success);
  }
  const auto c = fake->counters();
  CHECK(c.sessions == 2);
  CHECK(c.orders == 2);
  CHECK(c.open_carts == 0);
}
