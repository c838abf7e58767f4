#pragma once
/// Synthetic months for report tests and benches: fills a real SqliteResultStore with scheduled
/// runs (and confirm re-checks) of N checks at a fixed interval, every run shaped by a callback.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"
#include "shopwatch/core/run_record.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::report_test {

/// One series to generate: a check (`step` empty) or a journey step.
struct SyntheticSeries {
  core::CheckKey key;
  std::string step;
};

/// What one scheduled run looks like.
struct RunShape {
  bool skip = false;  ///< no run at all (agent outage): the time becomes unmonitored
  bool success = true;
  /// A failure re-checked by a confirm run (stored right after it, 5 s later). confirmed: the
  /// confirm fails too (the failure counts as downtime); false: the confirm passes (it does not
  /// count).
  bool confirm = true;
  bool confirmed = true;
  bool in_maintenance = false;
  core::Micros duration{std::chrono::milliseconds{120}};
};

/// Shapes the run of `series` scheduled at `scheduled` (`index`: its 0-based number in the series).
using RunShaper = std::function<RunShape(const SyntheticSeries& series, core::SystemTime scheduled,
                                         std::int64_t index)>;

struct SyntheticMonth {
  std::vector<SyntheticSeries> series;
  core::SystemTime from{}, to{};  ///< runs scheduled at from, from + interval, … before to
  core::Micros interval{std::chrono::minutes{5}};
  RunShaper shape;  ///< null: every run passes in 120 ms
};

/// `n` checks `check-0000`, `check-0001`, … of `shop`/`env`.
std::vector<SyntheticSeries> syntheticChecks(const std::string& shop, const std::string& env,
                                             std::size_t n);

/// The record of a scheduled run (or its confirm re-check) as the runtime would hand it over.
core::RunRecord syntheticRecord(const SyntheticSeries& series, std::int64_t run_id, bool confirm,
                                bool confirm_pending, core::SystemTime scheduled,
                                core::Micros interval, const RunShape& shape);

/// Enqueues every run of the month (series interleaved in time order) and flushes; the number of
/// scheduled runs written. Fails when a flush fails.
core::Result<std::int64_t> fillMonth(storage::SqliteResultStore& store,
                                     const SyntheticMonth& month);

}  // namespace shopwatch::report_test
