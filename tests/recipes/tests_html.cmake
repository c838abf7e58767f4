# The html recipe against the html fake (recipe runs and the fake's contract).
shopwatch_add_test(html_recipe_test
  SOURCES html_recipe_test.cpp
  LIBS shopwatch_recipe_support shopwatch::agent_platforms shopwatch_http_call_support)
