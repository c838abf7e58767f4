#include "flap_detector.h"

namespace shopwatch::rules::detail {
namespace {

constexpr std::uint32_t kMask = (1U << kFlapSamples) - 1U;
constexpr double kLowWeight = 0.75;
constexpr double kHighWeight = 1.25;
constexpr std::uint32_t kPairs = kFlapSamples - 1;

}  // namespace

double flapPercent(std::uint32_t history, std::uint32_t samples) {
  if (samples < 2) return 0.0;
  const std::uint32_t filled = samples > kFlapSamples ? kFlapSamples : samples;
  // Pair k joins bits k and k+1 (k = 0 newest). Its position from the oldest pair is kPairs − 1 −
  // k, which sets its weight; pairs reaching into unfilled slots never differ.
  double changes = 0.0;
  for (std::uint32_t k = 0; k + 1 < filled; ++k) {
    const bool newer = ((history >> k) & 1U) != 0;
    const bool older = ((history >> (k + 1)) & 1U) != 0;
    if (newer == older) continue;
    const double position = static_cast<double>(kPairs - 1 - k);
    changes += kLowWeight + position * (kHighWeight - kLowWeight) / static_cast<double>(kPairs - 1);
  }
  return changes * 100.0 / static_cast<double>(kPairs);
}

bool recordFlapSample(FlapState& state, bool breached) {
  state.history = ((state.history << 1U) | (breached ? 1U : 0U)) & kMask;
  if (state.samples < kFlapSamples) ++state.samples;
  const double percent = flapPercent(state.history, state.samples);
  const bool before = state.flapping;
  if (percent >= kFlapHighPercent) {
    state.flapping = true;
  } else if (percent <= kFlapLowPercent) {
    state.flapping = false;
  }
  return state.flapping != before;
}

}  // namespace shopwatch::rules::detail
