# The vendure recipes (vendure.yaml bearer, vendure-cookie.yaml cookie) against the vendure fake,
# and the fake's own contract (direct HTTP).
shopwatch_add_test(vendure_recipe_test
  SOURCES vendure_fake_test.cpp vendure_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support nlohmann_json::nlohmann_json)
