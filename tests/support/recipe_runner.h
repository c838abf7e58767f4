#pragma once
// Runs a journey recipe of examples/journeys/ ([B2]) once against a platform fake: the file as
// shipped, with its default base URL (where `shopwatch demo --platform NAME` serves the fake)
// replaced by the test's fake, loaded by the real config loader and run by the real probe engine.

#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/probe_result.h"

namespace shopwatch::test {

struct RecipeRun {
  std::vector<std::string> errors;    ///< config errors ("FILE:LINE:COL: ..."); the run is empty then
  std::vector<std::string> warnings;  ///< config warnings (check-config's)
  core::ProbeResult result;           ///< the `demo/checkout` journey's run
};

/// examples/journeys/`file` in the source tree.
std::string recipePath(const std::string& file);
/// The recipe's text as shipped.
std::string recipeText(const std::string& file);

/// Loads the recipe with every occurrence of `default_origin` ("http://127.0.0.1:9844") replaced
/// by `base_url`, applies `replacements` (text → text, in order, each must occur: a test changes
/// a variable the user would fill in), and runs check `demo/checkout` once.
RecipeRun runRecipe(const std::string& file, const std::string& default_origin,
                    const std::string& base_url,
                    const std::vector<std::pair<std::string, std::string>>& replacements = {});

/// The step called `name` in a journey's result (nullptr if none).
const core::StepResult* findStep(const core::ProbeResult& journey, const std::string& name);
/// "step: passed|FAILED(reason: message)|skipped" per step, one per line (for test failure output).
std::string describeRun(const core::ProbeResult& journey);

}  // namespace shopwatch::test
