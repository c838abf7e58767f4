# The woocommerce recipes (examples/journeys/woocommerce.yaml, woocommerce-nonce.yaml) against the
# woocommerce fake, and the fake's own contract (research A4).
shopwatch_add_test(woocommerce_recipe_test
  SOURCES woocommerce_fake_test.cpp woocommerce_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support nlohmann_json::nlohmann_json)
