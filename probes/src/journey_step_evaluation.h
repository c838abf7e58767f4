#pragma once
// Judging one attempt of a journey step from its response, off the event thread: the
// expectations, GraphQL errors, repeat_until's value, the extractions, and the evidence of a
// failure. Also what of a journey is compiled once per check.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assertions.h"
#include "journey_extraction.h"
#include "shopwatch/core/check.h"
#include "transfer.h"

namespace re2 {
class RE2;
}

namespace shopwatch::probes::detail {

/// What one step needs compiled (immutable, shared by runs and workers).
struct CompiledStep {
  /// The expectations' regexes; null when they hold `${...}` (compiled per attempt then).
  std::shared_ptr<const CompiledChecks> checks;
  /// Parallel to the step's `extract` (null for kinds other than regex).
  std::vector<std::shared_ptr<const re2::RE2>> extract_regexes;
  bool needs_body = false;    ///< buffer the body: regex/json/css extraction, graphql, repeat_until
  bool read_cookies = false;  ///< a cookie extraction reads the jar
};

/// Steps, then cleanup steps, in order.
struct CompiledJourney {
  std::vector<CompiledStep> steps;
};

std::shared_ptr<const CompiledJourney> compileJourney(const core::JourneyProbe& journey);
/// The step at `index` over steps, then cleanup.
const core::JourneyStep& journeyStepAt(const core::JourneyProbe& journey, std::size_t index);

/// One attempt's evaluation: owned by the worker's job, so a cancelled run may go away meanwhile.
struct StepEvaluation {
  std::shared_ptr<const core::Check> check;  ///< keeps `step` alive
  const core::JourneyStep* step = nullptr;
  core::Expectations expect;  ///< substituted
  /// The step's `extract` with `json_find.where` values substituted; unset: `step->extract`.
  std::optional<std::vector<core::Extraction>> extract;
  std::shared_ptr<const CompiledChecks> checks;
  std::shared_ptr<const CompiledStep> compiled;
  std::vector<std::string> secrets;  ///< the check's, the run's values, the step's cookie values
  TransferOutcome response;
  core::ProbeResult result;  ///< the step's result so far; run() adds assertions and a failure

  // What run() found.
  ExtractionOutcome extraction;
  bool repeat_pending = false;  ///< repeat_until's value is not (yet) one of the wanted ones
  std::string repeat_value;     ///< the value seen ("(absent)" when the pointer found nothing)

  void run();
};

}  // namespace shopwatch::probes::detail
