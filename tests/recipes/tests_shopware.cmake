# The shopware recipe (examples/journeys/shopware.yaml) against the shopware fake, and the fake's
# own contract (research A2).
shopwatch_add_test(shopware_recipe_test
  SOURCES shopware_fake_test.cpp shopware_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support nlohmann_json::nlohmann_json)
