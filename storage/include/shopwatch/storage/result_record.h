#pragma once
/// What the store gives back for every stored run. What it is handed is core::RunRecord
/// (shopwatch/core/run_record.h): the record every consumer of a completed run sees.

#include <cstdint>
#include <optional>
#include <string>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::storage {

/// A stored series: a check (`step` empty) or one step of a journey.
struct SeriesKey {
  core::CheckKey key;
  std::string step;  ///< "" for the check as a whole

  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

/// One stored row. `result` carries: started, success, failure, message (failures only), status_code,
/// duration, phases (of failed runs too: what the run completed), http_version, cert_not_after (whole
/// seconds), bytes, saturated.
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

/// The record a stored row was made from, as far as the row keeps it (for start-up restore through the
/// fan-out): key, step, run_id, confirm, confirm_pending, in_maintenance, interval, scheduled, result.
core::RunRecord toRunRecord(const StoredResult& stored);

}  // namespace shopwatch::storage
