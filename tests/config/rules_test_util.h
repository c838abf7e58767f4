#pragma once
// Helpers shared by the rules, SLO and maintenance config tests.

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::test {

inline std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(SHOPWATCH_SOURCE_DIR) + "/tests/fixtures/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines 1-14: shop `acme` with the check `home` (60s) and the journey `checkout` (5m; steps
// product, cart; cleanup empty-cart).
inline constexpr const char* kShop = R"(agent:
  client: acme
shops:
  - name: acme
    base_url: https://shop.acme.example
    checks:
      - name: home
        url: /
      - name: checkout
        interval: 5m
        steps:
          - {name: product, url: /p/1}
          - {name: cart, url: /cart}
        cleanup: [{name: empty-cart, url: /cart/clear}]
)";

inline LoadResult load(const std::string& text, std::map<std::string, std::string> env = {}) {
  return loadConfigString(text, "acme.yaml", optionsWithEnv(std::move(env)));
}

inline const AgentConfig& loaded(const LoadResult& result) {
  INFO(allErrors(result));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  return *result.config;
}

// A reference into the result: keep the result alive (no temporaries).
const AgentConfig& loaded(LoadResult&&) = delete;

inline std::string allWarnings(const LoadResult& result) {
  std::string out;
  for (const auto& w : result.warnings) out += w.formatWarning() + "\n";
  return out;
}

inline core::SystemTime at(const char* rfc3339) {
  auto t = core::parseRfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

}  // namespace shopwatch::agent::test
