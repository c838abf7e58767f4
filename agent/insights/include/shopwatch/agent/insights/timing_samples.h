#pragma once
/// The stored timings one series (a check, or one journey step) gives the timing analyses
/// (phase_breakdown.h, regression.h): its passing, non-saturated scheduled runs, oldest first.

#include <string>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::agent::insights {

struct TimingSample {
  core::SystemTime started{};
  core::Micros duration{0};
  core::Phases phases;
};

struct SeriesSamples {
  core::CheckKey key;
  std::string step;  ///< "" for the check as a whole
  std::vector<TimingSample> samples;  ///< ascending by `started`
};

}  // namespace shopwatch::agent::insights
