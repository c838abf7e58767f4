#pragma once
// The one place that dispatches on core::Probe: which RunDriver runs a check. B1 adds the journey
// alternative here, and nowhere in the event loop.

#include <memory>
#include <unordered_map>

#include "assertions.h"
#include "journey_step_evaluation.h"
#include "run_driver.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/result.h"

namespace shopwatch::probes::detail {

class DriverFactory {
 public:
  /// The driver of one run of `check`; an Error (its message becomes an `internal` failure) for
  /// a check the engine cannot run (no check, an invalid URL). Engine thread only.
  core::Result<std::unique_ptr<RunDriver>> create(const std::shared_ptr<const core::Check>& check);

 private:
  std::shared_ptr<const CompiledChecks> compiled(const std::shared_ptr<const core::Check>& check,
                                                 const core::Expectations& expect);

  // Expectations compiled once per check object (the runtime resubmits the same shared_ptr).
  struct CacheEntry {
    std::weak_ptr<const core::Check> check;
    std::shared_ptr<const CompiledChecks> compiled;
  };
  std::unordered_map<const core::Check*, CacheEntry> cache_;
  std::size_t cache_pruned_size_ = 0;

  std::shared_ptr<const CompiledJourney> compiledJourney(
      const std::shared_ptr<const core::Check>& check, const core::JourneyProbe& journey);
  // A journey's regexes and step analysis, compiled once per check object.
  struct JourneyEntry {
    std::weak_ptr<const core::Check> check;
    std::shared_ptr<const CompiledJourney> compiled;
  };
  std::unordered_map<const core::Check*, JourneyEntry> journeys_;
  std::size_t journeys_pruned_size_ = 0;
};

}  // namespace shopwatch::probes::detail
