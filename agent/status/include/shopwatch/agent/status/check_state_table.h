#pragma once
/// CheckStateTable: the compact per-check state behind /metrics and /api/v1/checks (DESIGN.md,
/// "Data flow": CheckState). The probe engine record()s every finished run; the HTTP server takes
/// snapshots. No Beast, no prometheus-cpp series per check.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/run_record.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::agent::status {

/// Upper bounds (seconds) of shopwatch_check_duration_seconds (checks with `histogram: true`); +Inf
/// is implicit.
inline constexpr std::array<double, 12> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

/// One step of a journey check as the config names it.
struct StepMeta {
  std::string name;
  bool cleanup = false;  ///< a `cleanup:` step
  /// CheckMeta::labels + `,step="…"`, escaped for the text format.
  std::string labels;
};

/// What stays fixed for a check between reloads: its spec and its label text.
struct CheckMeta {
  std::shared_ptr<const core::Check> spec;
  /// `shop="…",env="…",check="…"`, values escaped for the text format.
  std::string labels;
  /// Journeys: every step of the config in order, the cleanup steps after the others; empty for a
  /// plain check.
  std::vector<StepMeta> steps;
};

/// Counters of one check; kept across reloads while the check's key stays.
struct CheckCounters {
  std::uint64_t runs_success = 0;  ///< every passing run, confirm re-checks included
  std::uint64_t runs_failure = 0;  ///< every failing run, confirm re-checks included
  /// Accounted failures by reason, indexed by static_cast<size_t>(FailureReason): a failed confirm
  /// re-check, or a failed run of a check with `confirm: false`. A failure still awaiting its confirm
  /// re-check is not counted here.
  std::array<std::uint64_t, core::kFailureReasonCount> failures{};
  /// Non-cumulative counts per kDurationBuckets bound, last element is +Inf (runs that decide the
  /// state, except those taken while the engine was saturated).
  std::array<std::uint64_t, kDurationBuckets.size() + 1> duration_buckets{};
  std::uint64_t duration_count = 0;
  double duration_sum = 0;  ///< seconds
  std::optional<core::SystemTime> last_run;  ///< start of the latest run of any kind
  bool awaiting_confirm = false;  ///< latest run failed and its confirm re-check is pending
};

/// The fixed-size part of the latest accounted result (what the probe_* gauges show).
struct LastResult {
  core::SystemTime started{};
  bool success = false;
  core::FailureReason failure = core::FailureReason::None;
  int status_code = 0;
  core::Micros duration{0};
  core::Phases phases;
  double http_version = 0;  ///< 1.0, 1.1, 2, 3; 0 when none
  std::optional<core::SystemTime> cert_not_after;
  int redirects = 0;
  std::uint64_t bytes = 0;
  std::int64_t content_length = -1;
  bool ssl = false;
};

/// The latest state of one journey step (what the shopwatch_step_* gauges show).
struct StepState {
  /// The step's latest run in a journey run that decided the state; nullopt while it never ran
  /// (since start, or since a reload added the step).
  std::optional<LastResult> last;
  /// The latest deciding journey run skipped the step (an earlier step failed): `last` still
  /// describes the run before.
  bool skipped = false;
};

/// One check as seen by a snapshot. Self-contained: valid after the table changes.
struct CheckSnapshot {
  std::shared_ptr<const CheckMeta> meta;  ///< never null
  CheckCounters counters;
  std::optional<LastResult> last;           ///< nullopt: no accounted result yet
  /// The full last accounted result, if asked for (null otherwise, or before the first one). Shared and
  /// immutable: the table replaces the pointer on the next accounted run, never the object.
  std::shared_ptr<const core::ProbeResult> result;
  /// Journeys: one entry per meta->steps, same order; empty for a plain check.
  std::vector<StepState> steps;
};

/// Thread-safe (one mutex). record() copies the result into a new shared object before locking and
/// updates the fixed-size counters and gauges under the lock; snapshot() copies those and, for results,
/// only pointers under the lock, and rendering happens outside it.
class CheckStateTable {
 public:
  CheckStateTable();
  ~CheckStateTable();
  CheckStateTable(const CheckStateTable&) = delete;
  CheckStateTable& operator=(const CheckStateTable&) = delete;
  CheckStateTable(CheckStateTable&&) = delete;
  CheckStateTable& operator=(CheckStateTable&&) = delete;

  /// Start-up and reload. Keys (shop, env, check) that stay keep counters and last result (their spec
  /// is replaced); keys not in `specs` vanish with all their series; new keys start empty. A repeated
  /// key: the first spec wins. Null pointers are ignored. Journey steps are matched by name: steps
  /// that stay keep their state, removed steps vanish, new steps start never run.
  void setChecks(const std::vector<std::shared_ptr<const core::Check>>& specs);

  /// A finished run, judged by core::judgeRun (`verdict`): the table never decides by itself what a
  /// run counts for. Unknown key: ignored (a run finishing after its check was removed by a reload).
  /// Every run counts in runs_success / runs_failure and last_run; the gauges (LastResult), failure
  /// reasons and the duration histogram change only for runs that decide the state
  /// (verdict.decides_state); a first failure awaiting its confirm only sets awaiting_confirm.
  /// Returns true when a deciding run changes the check between up and down (its first deciding run
  /// counts as a change only when it fails) — what the runtime logs as a transition.
  /// Journeys: the run's ProbeResult::steps update the per-step state together with the gauges (a
  /// step that is not in the current config is ignored; a skipped step keeps its last result and is
  /// marked skipped). For the journey's probe_http_* gauges the table takes the failing step's
  /// response (or the last run step's when the journey passed), the phases summed over every run
  /// step, and the earliest certificate expiry of any step; success and duration are the journey's.
  /// A step's own record (run.step not empty) is ignored: steps arrive inside their journey's run.
  bool record(const core::RunRecord& run, const core::RunVerdict& verdict);
  /// Start-up: a stored run (original timestamps) sets last_run and, when it decides the state, the
  /// gauges and last result — counters do not move, and nothing awaits a confirm (the re-check of a
  /// run that was pending at shutdown never comes). Older runs than those shown are ignored. A stored
  /// journey run sets the state of the steps it holds (stored runs hold no skipped steps).
  void restore(const core::RunRecord& run, const core::RunVerdict& verdict);

  /// Every check, ordered by key. `with_results`: also share the full ProbeResult (API use; /metrics
  /// does not need it).
  std::vector<CheckSnapshot> snapshot(bool with_results = false) const;
  /// One check, with its full result; nullopt if the key is unknown.
  std::optional<CheckSnapshot> find(const core::CheckKey& key) const;
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Escapes a label value for the text format: backslash, double quote and newline.
void appendEscapedLabelValue(std::string& out, std::string_view value);

}  // namespace shopwatch::agent::status
