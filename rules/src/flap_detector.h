#pragma once
// FlapDetector: Nagios-style flap detection (base/flapping.c) over the alert's condition samples.
// Private to shopwatch::rules.
//
// The ring holds the last kFlapSamples condition samples (breached or not), one per evaluation
// after a run; bit 0 is the newest. Each of the 20 consecutive pairs that differ adds a weight
// rising linearly from 0.75 (oldest pair) to 1.25 (newest pair); percent = Σ weights × 100 / 20.
// Flapping starts at ≥ kFlapHighPercent and stops at ≤ kFlapLowPercent; in between the flag is
// unchanged. Until the ring is full, the unfilled older slots repeat the oldest sample (Nagios
// seeds its history with the first state), so they add no change.

#include <cstdint>

namespace shopwatch::rules::detail {

inline constexpr std::uint32_t kFlapSamples = 21;
inline constexpr double kFlapHighPercent = 20.0;
inline constexpr double kFlapLowPercent = 5.0;

/// The flap state as AlertRecord persists it (flap_history, flap_samples, flapping).
struct FlapState {
  std::uint32_t history = 0;  ///< condition samples, bit 0 newest (kFlapSamples used)
  std::uint32_t samples = 0;  ///< how many bits are filled (≤ kFlapSamples)
  bool flapping = false;
};

/// The weighted percent state change of `history` (0..100).
double flapPercent(std::uint32_t history, std::uint32_t samples);

/// Records one condition sample and updates `flapping` by the thresholds. Returns whether the flag
/// changed.
bool recordFlapSample(FlapState& state, bool breached);

}  // namespace shopwatch::rules::detail
