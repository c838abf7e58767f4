// The recipe catalogue ([B2]): every platform has its recipes in examples/journeys/, each a valid
// config with no check-config warning, shop `demo`, check `checkout` (a journey), and a base URL that
// is where `shopwatch demo --platform NAME` serves the platform's fake.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "recipe_runner.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/platforms/platform_fake.h"

namespace {

using namespace shopwatch;

std::vector<std::string> recipesOf(const agent::platforms::PlatformInfo& p) {
  std::vector<std::string> out;
  std::string list(p.recipes);
  std::size_t start = 0;
  while (start < list.size()) {
    auto comma = list.find(',', start);
    auto item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("every platform's recipes load without errors or warnings and point at its demo port") {
  for (const auto& p : agent::platforms::platformCatalogue()) {
    const auto recipes = recipesOf(p);
    REQUIRE_FALSE(recipes.empty());
    for (const auto& file : recipes) {
      INFO(file);
      REQUIRE((file == std::string(p.name) + ".yaml" ||
               file.starts_with(std::string(p.name) + "-")));
      auto loaded = agent::loadConfigFile(test::recipePath(file));
      for (const auto& e : loaded.errors) UNSCOPED_INFO(e.format());
      for (const auto& w : loaded.warnings) UNSCOPED_INFO(w.formatWarning());
      REQUIRE(loaded.ok());
      CHECK(loaded.warnings.empty());
      const core::Check* checkout = nullptr;
      for (const auto& c : loaded.config->checks) {
        if (c->key.shop == "demo" && c->key.check == "checkout") checkout = c.get();
      }
      REQUIRE(checkout != nullptr);
      REQUIRE(checkout->journey() != nullptr);
      const std::string origin = "http://127.0.0.1:" + std::to_string(p.default_port);
      CHECK(test::recipeText(file).find("base_url: " + origin) != std::string::npos);
    }
  }
}

TEST_CASE("examples/journeys holds only catalogued recipes") {
  std::set<std::string> catalogued;
  for (const auto& p : agent::platforms::platformCatalogue()) {
    for (const auto& f : recipesOf(p)) catalogued.insert(f);
  }
  const std::filesystem::path dir = test::recipePath("");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    INFO(name);
    if (entry.path().extension() == ".yaml") CHECK(catalogued.contains(name));
  }
}

TEST_CASE("every platform has a fake that starts on loopback and names its failure modes") {
  for (const auto& p : agent::platforms::platformCatalogue()) {
    INFO(p.name);
    auto fake = agent::platforms::makePlatformFake(p.name);
    REQUIRE(fake != nullptr);
    CHECK(fake->platform() == p.name);
    REQUIRE(fake->start("127.0.0.1:0"));
    CHECK(fake->port() != 0);
    CHECK_FALSE(fake->faults().empty());
    for (const auto& f : fake->faults()) CHECK(fake->setFault(f.name, true));
    CHECK_FALSE(fake->setFault("no-such-fault", true));
    fake->clearFaults();
    fake->stop();
  }
  CHECK(agent::platforms::makePlatformFake("prestashop") == nullptr);
  CHECK(agent::platforms::findPlatform("vendure") != nullptr);
  CHECK(agent::platforms::findPlatform("") == nullptr);
}
