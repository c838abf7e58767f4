#pragma once
/// What the runtime hands to the store for every run, and what the store gives back.

#include <cstdint>
#include <optional>
#include <string>

#include "shopwatch/core/check_spec.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::storage {

/// A stored series: a check (`step` empty) or one step of a journey.
struct SeriesKey {
  core::CheckKey key;
  std::string step;  ///< "" for the check as a whole

  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

/// One run as the runtime reports it (DESIGN.md, "Accounting").
/// - A scheduled run covers [scheduled, next scheduled run of its series), capped at 2 × interval; the rest
///   of a gap is unmonitored. A scheduled run at or before the series' latest one is stored but covers
///   nothing.
/// - A confirm row (confirm = true, same run_id) decides its run only while that run is the series' latest
///   scheduled run, i.e. it arrives before the next scheduled run; a late confirm is stored and ignored. A
///   pending failure whose confirm never arrives does not count.
struct ResultRecord {
  core::CheckKey key;
  std::string step;           ///< "" for a check; the step name for a journey step
  std::int64_t run_id = 0;    ///< same value on a scheduled run and its confirm re-check
  bool confirm = false;       ///< this row is a confirm re-check (stored, covers no time)
  /// A failed scheduled run whose confirm re-check will follow. When false, a failure counts directly
  /// (the check has confirm disabled).
  bool confirm_pending = false;
  bool in_maintenance = false;  ///< the run's covered time is maintenance
  core::Micros interval{std::chrono::seconds{60}};
  core::SystemTime scheduled{};  ///< scheduled start of the run (coverage starts here)
  core::ProbeResult result;      ///< only the fields listed in StoredResult are kept
};

/// One stored row. `result` carries: started, success, failure, message (failures only), status_code,
/// duration, phases, http_version, cert_not_after (whole seconds), bytes.
struct StoredResult {
  SeriesKey series;
  std::int64_t run_id = 0;
  bool confirm = false;
  bool confirm_pending = false;
  bool in_maintenance = false;
  bool counted_down = false;  ///< a failure that counts as downtime (confirmed, or confirm disabled)
  core::Micros interval{0};
  core::SystemTime scheduled{};  ///< confirm rows: their actual start
  /// Time this run covers; empty while it is the open last run of its series (and for confirm rows).
  std::optional<core::Micros> covered;
  core::ProbeResult result;
};

}  // namespace shopwatch::storage
