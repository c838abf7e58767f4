# The shopify recipe (shopify.yaml) against the shopify fake, and the fake's own contract.
shopwatch_add_test(shopify_recipe_test
  SOURCES shopify_fake_test.cpp shopify_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support nlohmann_json::nlohmann_json)
