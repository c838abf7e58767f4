#pragma once
// The journey recipes of examples/journeys/, embedded at build time (embed_recipes.cmake writes
// demo_recipes.cpp), so `shopwatch demo --platform NAME` runs a recipe without the source tree.

#include <string_view>

namespace shopwatch::agent::runtime {

/// The text of examples/journeys/`file` as built, or "" when there is no such recipe.
std::string_view embeddedRecipe(std::string_view file);

}  // namespace shopwatch::agent::runtime
