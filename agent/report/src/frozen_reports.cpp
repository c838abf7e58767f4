// Frozen months: component "reports" with the table frozen_report, one row per month, never
// overwritten (the billed figures of a month stay what they were when it was frozen).
#include "shopwatch/agent/report/frozen_reports.h"

#include "report_numbers.h"

namespace shopwatch::agent::report {
namespace {

core::Error prefixed(const core::Error& e, const std::string& what) {
  return core::makeError(e.code, what + ": " + e.message);
}

}  // namespace

storage::StorageComponent frozenReportsComponent() {
  return storage::StorageComponent{"reports",
                                   {
                                       R"sql(
CREATE TABLE frozen_report(
  month TEXT PRIMARY KEY,          -- "YYYY-MM" of the contract time zone
  frozen_at INTEGER NOT NULL,      -- µs
  terms_json TEXT NOT NULL,        -- the sla: terms and time zone used
  report_json TEXT NOT NULL);      -- reportJson() of the whole month
)sql",
                                   }};
}

core::Result<std::optional<FrozenReport>> loadFrozenReport(storage::Db& db, const std::string& month) {
  const std::string what = "load frozen report " + month;
  auto s = db.statement("SELECT frozen_at,terms_json,report_json FROM frozen_report WHERE month=?1");
  if (!s) return prefixed(s.error(), what);
  auto& q = **s;
  storage::Statement::ResetOnExit reset(q);
  q.bind(1, month);
  auto row = q.step();
  if (!row) return prefixed(row.error(), what);
  if (!*row) return std::optional<FrozenReport>{};
  FrozenReport f;
  f.month = month;
  f.frozen_at = core::fromMicros(q.i64(0));
  f.terms_json = q.text(1);
  f.report_json = q.text(2);
  return std::optional<FrozenReport>{std::move(f)};
}

core::Status saveFrozenReport(storage::Db& db, const FrozenReport& frozen) {
  const std::string what = "freeze " + frozen.month;
  storage::Transaction tx(db);
  if (!tx.began()) return prefixed(tx.began().error(), what);
  auto existing = loadFrozenReport(db, frozen.month);
  if (!existing) return existing.error();
  if (*existing) {
    return core::makeError(core::ErrorCode::Invalid,
                           "month " + frozen.month + " is already frozen (at " +
                               detail::timeText((*existing)->frozen_at) + ")");
  }
  auto s = db.statement(
      "INSERT INTO frozen_report(month,frozen_at,terms_json,report_json) VALUES(?1,?2,?3,?4)");
  if (!s) return prefixed(s.error(), what);
  if (auto st = (*s)->bind(1, frozen.month)
                    .bind(2, core::toMicros(frozen.frozen_at))
                    .bind(3, frozen.terms_json)
                    .bind(4, frozen.report_json)
                    .run();
      !st)
    return prefixed(st.error(), what);
  if (auto st = tx.commit(); !st) return prefixed(st.error(), what);
  return {};
}

}  // namespace shopwatch::agent::report
