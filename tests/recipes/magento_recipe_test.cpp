// The Magento recipes (examples/journeys/magento.yaml, magento-html.yaml) against the Magento fake:
// both pass as shipped, each fault fails them at the right step with the right reason (cleanup
// still runs), the stale full-page-cache form_key does not break the HTML recipe (it brings its
// own key) but does break a recipe that trusts the page's key, and runs are independent.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "recipe_runner.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;
using core::FailureReason;

constexpr const char* kOrigin = "http://127.0.0.1:9842";

struct Fake {
  std::unique_ptr<agent::platforms::PlatformFake> fake = agent::platforms::makePlatformFake("magento");
  Fake() {
    REQUIRE(fake);
    REQUIRE(fake->start("127.0.0.1:0"));
  }
  test::RecipeRun run(const std::string& file,
                      const std::vector<std::pair<std::string, std::string>>& repl = {}) {
    auto r = test::runRecipe(file, kOrigin, fake->baseUrl(), repl);
    REQUIRE(test::configProblems(r) == "");
    return r;
  }
  /// `file` run once with the fault `fault` on.
  test::RecipeRun runWithFault(const std::string& fault, const std::string& file) {
    fake->setFault(fault, true);
    return run(file);
  }
};

/// Failed at `step` for `reason`, later steps skipped, every cleanup step ran.
void requireFailedAt(const test::RecipeRun& run, const std::string& step, FailureReason reason) {
  REQUIRE(test::failedAtProblems(run.result, step, reason) == "");
}

/// The journey passed, each of `steps` ran, and it placed one order in one session, leaving no cart.
void requirePassedOnce(const test::RecipeRun& run, const agent::platforms::PlatformFake& fake,
                       const std::vector<std::string>& steps) {
  INFO(test::describeRun(run.result));
  REQUIRE(run.result.success);
  CHECK(test::stepsRanProblems(run.result, steps, false) == "");
  const auto c = fake.counters();
  CHECK(c.orders == 1);
  CHECK(c.sessions == 1);
  CHECK(c.open_carts == 0);
}

const char* kRest = "magento.yaml";
const char* kHtml = "magento-html.yaml";

}  // namespace

TEST_CASE("magento.yaml: the REST guest checkout passes and places one order") {
  Fake f;
  requirePassedOnce(f.run(kRest), *f.fake,
                    {"create-cart", "add-item", "estimate-shipping", "shipping-information",
                     "place-order", "remove-item"});
}

TEST_CASE("magento-html.yaml: the Luma form_key flow passes and places one order") {
  Fake f;
  // One session: one PHPSESSID; the REST calls use the checkout page's masked id.
  requirePassedOnce(f.run(kHtml), *f.fake,
                    {"product", "add-to-cart", "cart-check", "checkout-page", "estimate-shipping",
                     "shipping-information", "place-order", "remove-item"});
}

TEST_CASE("magento recipes: two runs in a row are independent") {
  Fake f;
  for (const char* file : {kRest, kHtml}) {
    auto a = f.run(file);
    auto b = f.run(file);
    INFO(file << "\n" << test::describeRun(b.result));
    CHECK(a.result.success);
    CHECK(b.result.success);
  }
  CHECK(f.fake->counters().orders == 4);
  CHECK(f.fake->counters().sessions == 4);
  CHECK(f.fake->counters().open_carts == 0);
}

TEST_CASE("magento.yaml: an unknown SKU fails add-item with 404, the cart is left empty") {
  Fake f;
  auto run = f.runWithFault("unknown-sku", kRest);
  requireFailedAt(run, "add-item", FailureReason::HttpStatus);
  CHECK(f.fake->counters().orders == 0);
}

TEST_CASE("magento.yaml: out of stock fails add-item with 400") {
  Fake f;
  requireFailedAt(f.runWithFault("out-of-stock", kRest), "add-item", FailureReason::HttpStatus);
}

TEST_CASE("magento recipes: no carrier (200 with []) fails estimate-shipping; cleanup removes the line") {
  Fake f;
  f.fake->setFault("no-shipping", true);
  for (const char* file : {kRest, kHtml}) {
    INFO(file);
    auto run = f.run(file);
    requireFailedAt(run, "estimate-shipping", FailureReason::Assertion);
    const auto* cleanup = test::findStep(run.result, "remove-item");
    REQUIRE(cleanup != nullptr);
    CHECK(cleanup->result.status_code == 200);
  }
  CHECK(f.fake->counters().open_carts == 0);
  CHECK(f.fake->counters().orders == 0);
}

TEST_CASE("magento recipes: reCAPTCHA on place order fails place-order with 400") {
  Fake f;
  f.fake->setFault("recaptcha", true);
  for (const char* file : {kRest, kHtml}) {
    INFO(file);
    auto run = f.run(file);
    requireFailedAt(run, "place-order", FailureReason::HttpStatus);
    CHECK(test::findStep(run.result, "place-order")->result.status_code == 400);
  }
  CHECK(f.fake->counters().orders == 0);
  CHECK(f.fake->counters().open_carts == 0);
}

TEST_CASE("magento-html.yaml: a stale cached form_key does not matter, the recipe brings its own") {
  Fake f;
  auto run = f.runWithFault("stale-form-key", kHtml);
  INFO(test::describeRun(run.result));
  CHECK(run.result.success);
  CHECK(f.fake->counters().orders == 1);
}

TEST_CASE("magento-html.yaml variant trusting the page's form_key: the 302 hides the failure, cart-check catches it") {
  // What the recipe's comment warns about: take form_key from the cached HTML instead.
  const std::vector<std::pair<std::string, std::string>> trust_html = {
      {"            cookies: { form_key: \"${form_key}\" }\n", ""},
      {"              product_id: { regex: 'name=\"product\" value=\"(\\d+)\"' }\n",
       "              product_id: { regex: 'name=\"product\" value=\"(\\d+)\"' }\n"
       "              page_key: { regex: 'name=\"form_key\" type=\"hidden\" value=\"([^\"]+)\"' }\n"},
      {"              form_key: \"${form_key}\"\n", "              form_key: \"${page_key}\"\n"}};
  Fake f;
  auto fresh = f.run(kHtml, trust_html);  // without full-page cache the page's key is the session's
  INFO(test::describeRun(fresh.result));
  CHECK(fresh.result.success);
  f.fake->setFault("stale-form-key", true);
  auto run = f.run(kHtml, trust_html);
  requireFailedAt(run, "cart-check", FailureReason::Assertion);
  CHECK(test::findStep(run.result, "add-to-cart")->result.success);  // 302 → the cart, like success
}

TEST_CASE("magento-html.yaml: out of stock redirects to the product page, add-to-cart fails") {
  Fake f;
  auto run = f.runWithFault("out-of-stock", kHtml);
  requireFailedAt(run, "add-to-cart", FailureReason::Assertion);
  CHECK(f.fake->counters().open_carts == 0);
}

TEST_CASE("magento-html.yaml: an unknown product page fails the first step with 404") {
  Fake f;
  auto run = f.runWithFault("unknown-sku", kHtml);
  requireFailedAt(run, "product", FailureReason::HttpStatus);
}
