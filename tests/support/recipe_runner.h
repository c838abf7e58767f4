#pragma once
// Runs a journey recipe of examples/journeys/ ([B2]) once against a platform fake: the file as
// shipped, with its default base URL (where `shopwatch demo --platform NAME` serves the fake)
// replaced by the test's fake, loaded by the real config loader and run by the real probe engine.

#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/failure_reason.h"
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

// Checks for a test to REQUIRE empty (`REQUIRE(failedAtProblems(...) == "")`): each answers ""
// when the journey is as described, else one line per problem followed by describeRun().

/// The recipe loaded without config errors or warnings.
std::string configProblems(const RecipeRun& run);
/// The journey failed at `step` for `reason`, every journey step after it was skipped and every
/// cleanup step ran (was not skipped). Each of `steps` must be among its steps, and each of
/// `cleanup_steps` too, marked as cleanup.
std::string failedAtProblems(const core::ProbeResult& journey, const std::string& step,
                             core::FailureReason reason, const std::vector<std::string>& steps = {},
                             const std::vector<std::string>& cleanup_steps = {});
/// Each of `names` is a step of the journey that ran (was not skipped) and, with `must_pass`, passed.
std::string stepsRanProblems(const core::ProbeResult& journey, const std::vector<std::string>& names,
                             bool must_pass = true);

}  // namespace shopwatch::test
