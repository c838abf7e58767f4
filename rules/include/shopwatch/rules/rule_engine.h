#pragma once
/// RuleEngine: judges every rule and SLO on every target, continuously (DESIGN.md, "Data flow"). Pure:
/// a function of the runs it is given, its RuleSet, the maintenance calendar and the Clock — no threads,
/// no I/O, not thread-safe (the agent runs it on its own thread and persists its transitions).
///
/// Evaluation: when a run arrives (onRun: the rules on that run's target) and on tick() (every rule:
/// `no_data`, `for`/`clear_for` timers, windows sliding). Each (rule, target) pair is one alert with an
/// AlertRecord; state changes are queued as AlertTransitions for takeTransitions().

#include <cstddef>
#include <memory>
#include <vector>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/run_record.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/slo.h"

namespace shopwatch::rules {

/// Start-up input from the store's hourly rollups, for hours older than the raw rows replayed through
/// restoreRun (SLO periods reach back 30 days; raw rows only as far as the windows need).
struct HourRollup {
  Target target;
  core::SystemTime hour{};
  std::int64_t runs = 0;       ///< scheduled runs
  std::int64_t down_runs = 0;  ///< of those, down
  core::Micros covered{0};
  core::Micros maintenance{0};
  /// Passing runs' durations as (value, count) pairs (the rollup's latency histogram buckets).
  std::vector<std::pair<core::Micros, std::uint64_t>> latency;
};

struct EngineStats {
  std::size_t alerts = 0;
  std::size_t samples = 0;       ///< runs held in KPI windows
  std::size_t memory_bytes = 0;  ///< estimate of window + SLO state
};

class RuleEngine {
 public:
  explicit RuleEngine(const core::Clock& clock);
  ~RuleEngine();
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  /// (Re)configures. Alerts whose rule and target still exist keep their state and windows keep their
  /// runs; an alert whose rule or target is gone is dropped with a `removed` transition when it was not
  /// ok. Targets are expanded from `set.checks` (a `shop/*` pattern: one alert per check).
  void configure(RuleSet set);
  /// Replaces the maintenance calendar (config windows plus API windows). Null: none.
  void setCalendar(std::shared_ptr<const MaintenanceCalendar> calendar);

  /// Start-up, before any onRun: persisted alert records (unknown rules/targets are ignored), then raw
  /// runs oldest first per series, then rollup hours older than the raw runs. None of them queues
  /// transitions by itself; the first tick() after restore evaluates with the restored timers.
  void restoreAlerts(const std::vector<AlertRecord>& alerts);
  void restoreRun(const core::RunRecord& record, const core::RunVerdict& verdict);
  void restoreHour(const HourRollup& hour);

  /// A live run (a check's or a journey step's record, as the fan-out publishes it): added to the
  /// windows of its series, then the rules on that target are evaluated at clock.now().
  void onRun(const core::RunRecord& record, const core::RunVerdict& verdict);
  /// Evaluates every alert at clock.now().
  void tick();

  /// The transitions since the last call, in the order they happened.
  std::vector<AlertTransition> takeTransitions();
  /// Every alert (rule × target, SLO burn alerts, the connectivity alert), sorted by rule then target.
  std::vector<AlertRecord> alerts() const;
  /// Every SLO × target at clock.now().
  std::vector<SloStatus> slos() const;
  EngineStats stats() const;

  /// How far back restoreRun must replay raw rows for the windows of this RuleSet (max rule window,
  /// SLO minute buckets, streaks): the agent scans [now − rawSpan(), now).
  core::Micros rawSpan() const;
  /// How far back SLO periods reach (restoreHour input: [now − periodSpan(), now − rawSpan())).
  core::Micros periodSpan() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::rules
