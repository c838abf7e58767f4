#include "shopwatch/agent/runtime/rules_restore.h"

#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/core/accounting.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

core::SystemTime floorHour(core::SystemTime t) {
  return std::chrono::floor<std::chrono::hours>(t);
}

}  // namespace

core::Result<RulesRestoreStats> restoreRules(storage::SqliteResultStore& store, rules::RuleEngine& engine,
                                             core::SystemTime now) {
  RulesRestoreStats stats;
  std::vector<rules::AlertRecord> alerts;
  auto st = store.read([&](storage::Db& db) -> core::Status {
    auto loaded = persistence::loadAlerts(db);
    if (!loaded) return loaded.error();
    alerts = std::move(*loaded);
    return {};
  });
  if (!st) return st.error();
  stats.alerts = alerts.size();
  engine.restoreAlerts(alerts);

  // Raw rows from a whole hour on, so raw rows and rollups meet at an hour boundary without overlap.
  const core::SystemTime raw_from = floorHour(now - engine.rawSpan());
  st = store.scan(raw_from, now + core::Micros{1}, [&](const storage::StoredResult& row) {
    const core::RunRecord record = storage::toRunRecord(row);
    const core::RunVerdict verdict = core::judgeRun(record);
    if (verdict.counts) {
      engine.restoreRun(record, verdict);
      ++stats.runs;
    }
    return true;
  });
  if (!st) return st.error();

  const core::Micros period = engine.periodSpan();
  if (period > core::Micros{0} && now - period < raw_from) {
    st = store.scanRollups(now - period, raw_from, [&](const storage::RollupHour& h) {
      rules::HourRollup hour;
      hour.target = rules::Target{h.series.key, h.series.step};
      hour.hour = h.hour;
      hour.runs = h.runs;
      hour.down_runs = h.down_runs;
      hour.covered = h.covered;
      hour.maintenance = h.maintenance;
      hour.latency = h.latency;
      engine.restoreHour(hour);
      ++stats.hours;
      return true;
    });
    if (!st) return st.error();
  }
  return stats;
}

}  // namespace shopwatch::agent::runtime
