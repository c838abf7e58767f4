// The CSS selector subset journeys extract with (core/css_selector.h).
#include "shopwatch/core/css_selector.h"

#include <catch2/catch.hpp>

using namespace shopwatch::core;

TEST_CASE("the supported selector forms parse into compounds joined by descendants") {
  auto parsed = parseCssSelector(
      "  FORM#cart  .line-item.big input[name=\"_csrf\"][ type = hidden ][data-x]  ");
  REQUIRE(parsed);
  const auto& c = parsed->compounds;
  REQUIRE(c.size() == 3);
  CHECK(c[0].tag == "form");
  CHECK(c[0].id == "cart");
  CHECK(c[1].tag.empty());
  CHECK(c[1].classes == std::vector<std::string>{"line-item", "big"});
  CHECK(c[2].tag == "input");
  REQUIRE(c[2].attributes.size() == 3);
  CHECK(c[2].attributes[0].name == "name");
  CHECK(c[2].attributes[0].value == std::optional<std::string>("_csrf"));
  CHECK(c[2].attributes[1].value == std::optional<std::string>("hidden"));
  CHECK(c[2].attributes[2].name == "data-x");
  CHECK_FALSE(c[2].attributes[2].value);

  auto quoted = parseCssSelector(R"(meta[content='a "b" \' c'])");
  REQUIRE(quoted);
  CHECK(quoted->compounds[0].attributes[0].value == std::optional<std::string>("a \"b\" ' c"));
}

TEST_CASE("anything outside the subset is rejected with the subset listed") {
  for (const char* selector :
       {"form > input", "a + b", "a ~ b", "a, b", "a:first-child", "*", "[name^=x]", "a[name", "#",
        ".", "[=x]", "a[x='y]", "", "   ", "ns|a"}) {
    INFO(selector);
    auto parsed = parseCssSelector(selector);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == shopwatch::core::ErrorCode::Invalid);
    CHECK_THAT(parsed.error().message, Catch::Contains(std::string(kCssSubset)));
  }
  CHECK_THAT(parseCssSelector("form > input").error().message,
             Catch::Contains("`>` at column 6 is not supported"));
}
