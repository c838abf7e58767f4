# The magento recipes against the magento fake: the fake's contract and the two recipes.
shopwatch_add_test(magento_recipe_test
  SOURCES magento_fake_test.cpp magento_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support nlohmann_json::nlohmann_json)
