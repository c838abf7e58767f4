#include "shopwatch/agent/persistence/alert_state_store.h"

#include <string>
#include <utility>

#include "callback_job.h"

namespace shopwatch::agent::persistence {

namespace {

using storage::Db;
using storage::Statement;

// Column positions of an `alert` row in kAlertCols order.
enum AlertCol : int {
  kAlertRule = 0,
  kAlertShop,
  kAlertEnv,
  kAlertCheck,
  kAlertStep,
  kAlertSeverity,
  kAlertState,
  kAlertSince,
  kAlertBreachSince,
  kAlertHealthySince,
  kAlertFiredAt,
  kAlertResolvedAt,
  kAlertValue,
  kAlertPeak,
  kAlertThreshold,
  kAlertExpr,
  kAlertFlapping,
  kAlertFlapHistory,
  kAlertFlapSamples,
  kAlertSuppressedBy,
  kAlertColCount,
};
constexpr std::string_view kAlertCols =
    "rule,shop,env,check_name,step,severity,state,since,breach_since,healthy_since,fired_at,"
    "resolved_at,value,peak,threshold,expr,flapping,flap_history,flap_samples,suppressed_by";

// Column positions of an `alert_history` row in kHistoryCols order.
enum HistoryCol : int {
  kHistAt = 0,
  kHistRule,
  kHistShop,
  kHistEnv,
  kHistCheck,
  kHistStep,
  kHistFromState,
  kHistToState,
  kHistFromSeverity,
  kHistSeverity,
  kHistValue,
  kHistThreshold,
  kHistExpr,
  kHistRemoved,
  kHistColCount,
};
constexpr std::string_view kHistoryCols =
    "at,rule,shop,env,check_name,step,from_state,to_state,from_severity,severity,value,threshold,"
    "expr,removed";

// "?1,?2,…,?n"
std::string params(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += (i == 1 ? "?" : ",?") + std::to_string(i);
  return out;
}

std::optional<std::int64_t> optMicros(const std::optional<core::SystemTime>& t) {
  if (!t) return std::nullopt;
  return core::toMicros(*t);
}

std::optional<core::SystemTime> optTime(const std::optional<std::int64_t>& us) {
  if (!us) return std::nullopt;
  return core::fromMicros(*us);
}

std::string rowName(const rules::AlertRecord& a) {
  return a.rule + " " + a.target.key.path() + (a.target.step.empty() ? "" : "/" + a.target.step);
}

core::Status upsertAlert(Db& db, const rules::AlertRecord& a) {
  auto s = db.statement("INSERT OR REPLACE INTO alert(" + std::string(kAlertCols) + ") VALUES(" +
                        params(kAlertColCount) + ")");
  if (!s) return s.error();
  constexpr int p = 1;  // parameter N is column N - 1
  return (*s)
      ->bind(p + kAlertRule, a.rule)
      .bind(p + kAlertShop, a.target.key.shop)
      .bind(p + kAlertEnv, a.target.key.env)
      .bind(p + kAlertCheck, a.target.key.check)
      .bind(p + kAlertStep, a.target.step)
      .bind(p + kAlertSeverity, rules::severityName(a.severity))
      .bind(p + kAlertState, rules::alertStateName(a.state))
      .bind(p + kAlertSince, core::toMicros(a.since))
      .bind(p + kAlertBreachSince, optMicros(a.breach_since))
      .bind(p + kAlertHealthySince, optMicros(a.healthy_since))
      .bind(p + kAlertFiredAt, optMicros(a.fired_at))
      .bind(p + kAlertResolvedAt, optMicros(a.resolved_at))
      .bindDouble(p + kAlertValue, a.value)
      .bindDouble(p + kAlertPeak, a.peak)
      .bindDouble(p + kAlertThreshold, a.threshold)
      .bind(p + kAlertExpr, a.expr)
      .bind(p + kAlertFlapping, std::int64_t{a.flapping ? 1 : 0})
      .bind(p + kAlertFlapHistory, static_cast<std::int64_t>(a.flap_history))
      .bind(p + kAlertFlapSamples, static_cast<std::int64_t>(a.flap_samples))
      .bind(p + kAlertSuppressedBy, a.suppressed_by)
      .run();
}

core::Status deleteAlert(Db& db, const rules::AlertRecord& a) {
  auto s = db.statement(
      "DELETE FROM alert WHERE rule=?1 AND shop=?2 AND env=?3 AND check_name=?4 AND step=?5");
  if (!s) return s.error();
  return (*s)
      ->bind(1, a.rule)
      .bind(2, a.target.key.shop)
      .bind(3, a.target.key.env)
      .bind(4, a.target.key.check)
      .bind(5, a.target.step)
      .run();
}

core::Status appendHistory(Db& db, const rules::AlertTransition& t) {
  auto s = db.statement("INSERT INTO alert_history(" + std::string(kHistoryCols) + ") VALUES(" +
                        params(kHistColCount) + ")");
  if (!s) return s.error();
  const auto& a = t.alert;
  constexpr int p = 1;
  return (*s)
      ->bind(p + kHistAt, core::toMicros(t.at))
      .bind(p + kHistRule, a.rule)
      .bind(p + kHistShop, a.target.key.shop)
      .bind(p + kHistEnv, a.target.key.env)
      .bind(p + kHistCheck, a.target.key.check)
      .bind(p + kHistStep, a.target.step)
      .bind(p + kHistFromState, rules::alertStateName(t.from))
      .bind(p + kHistToState, rules::alertStateName(a.state))
      .bind(p + kHistFromSeverity, rules::severityName(t.from_severity))
      .bind(p + kHistSeverity, rules::severityName(a.severity))
      .bindDouble(p + kHistValue, a.value)
      .bindDouble(p + kHistThreshold, a.threshold)
      .bind(p + kHistExpr, a.expr)
      .bind(p + kHistRemoved, std::int64_t{t.removed ? 1 : 0})
      .run();
}

// Holds nothing but its input: a retried attempt (after the batch rolled back) writes the same rows
// again from scratch, inside the writer's transaction.
class AlertTransitionJob final : public detail::CallbackJob {
 public:
  AlertTransitionJob(
      std::vector<rules::AlertTransition> transitions,
      std::function<core::Status(storage::Db&, const std::vector<rules::AlertTransition>&)> extra,
      std::function<void(const core::Status&)> done)
      : CallbackJob(std::move(done)),
        transitions_(std::move(transitions)),
        extra_(std::move(extra)) {}

  core::Status apply(Db& db) override {
    for (const auto& t : transitions_) {
      auto st = t.removed ? deleteAlert(db, t.alert) : upsertAlert(db, t.alert);
      if (!st) return detail::prefixed(st.error(), "write alert " + rowName(t.alert));
      if (auto h = appendHistory(db, t); !h)
        return detail::prefixed(h.error(), "write alert history of " + rowName(t.alert));
    }
    if (extra_) return extra_(db, transitions_);
    return {};
  }

 private:
  std::vector<rules::AlertTransition> transitions_;
  std::function<core::Status(storage::Db&, const std::vector<rules::AlertTransition>&)> extra_;
};

core::Result<rules::AlertState> stateAt(const Statement& q, int col, std::string_view what) {
  auto text = q.text(col);
  auto s = rules::parseAlertState(text);
  if (!s)
    return core::makeError(core::ErrorCode::Io,
                           std::string(what) + ": unknown state '" + text + "'");
  return *s;
}

core::Result<rules::Severity> severityAt(const Statement& q, int col, std::string_view what) {
  auto text = q.text(col);
  auto s = rules::parseSeverity(text);
  if (!s)
    return core::makeError(core::ErrorCode::Io,
                           std::string(what) + ": unknown severity '" + text + "'");
  return *s;
}

rules::Target targetAt(const Statement& q, int shop, int env, int check, int step) {
  return rules::Target{core::CheckKey{q.text(shop), q.text(env), q.text(check)}, q.text(step)};
}

}  // namespace

storage::StorageComponent alertStateComponent() {
  return storage::StorageComponent{"alerts",
                                   {
                                       R"sql(
CREATE TABLE alert(
  rule TEXT NOT NULL, shop TEXT NOT NULL, env TEXT NOT NULL, check_name TEXT NOT NULL,
  step TEXT NOT NULL,              -- "" for a check
  severity TEXT NOT NULL,          -- info | warning | critical
  state TEXT NOT NULL,             -- ok | pending | firing | suppressed
  since INTEGER NOT NULL,          -- µs, as every time below; NULL = none
  breach_since INTEGER, healthy_since INTEGER, fired_at INTEGER, resolved_at INTEGER,
  value REAL, peak REAL,           -- NULL = no data
  threshold REAL NOT NULL,
  expr TEXT NOT NULL,
  flapping INTEGER NOT NULL, flap_history INTEGER NOT NULL, flap_samples INTEGER NOT NULL,
  suppressed_by TEXT NOT NULL,
  PRIMARY KEY(rule, shop, env, check_name, step)) WITHOUT ROWID;
CREATE TABLE alert_history(
  id INTEGER PRIMARY KEY,          -- append order
  at INTEGER NOT NULL,
  rule TEXT NOT NULL, shop TEXT NOT NULL, env TEXT NOT NULL, check_name TEXT NOT NULL,
  step TEXT NOT NULL,
  from_state TEXT NOT NULL, to_state TEXT NOT NULL,
  from_severity TEXT NOT NULL, severity TEXT NOT NULL,
  value REAL, threshold REAL NOT NULL, expr TEXT NOT NULL,
  removed INTEGER NOT NULL);
CREATE INDEX alert_history_at ON alert_history(at);
)sql",
                                   }};
}

std::unique_ptr<storage::WriteJob> makeAlertTransitionJob(
    std::vector<rules::AlertTransition> transitions,
    std::function<core::Status(storage::Db&, const std::vector<rules::AlertTransition>&)> extra,
    std::function<void(const core::Status&)> done) {
  return std::make_unique<AlertTransitionJob>(std::move(transitions), std::move(extra),
                                              std::move(done));
}

core::Result<std::vector<rules::AlertRecord>> loadAlerts(storage::Db& db) {
  auto s = db.statement("SELECT " + std::string(kAlertCols) +
                        " FROM alert ORDER BY rule,shop,env,check_name,step");
  if (!s) return detail::prefixed(s.error(), "load alerts");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  std::vector<rules::AlertRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return detail::prefixed(row.error(), "load alerts");
    if (!*row) return out;
    rules::AlertRecord a;
    a.rule = q.text(kAlertRule);
    a.target = targetAt(q, kAlertShop, kAlertEnv, kAlertCheck, kAlertStep);
    const auto what = "alert " + rowName(a);
    auto severity = severityAt(q, kAlertSeverity, what);
    if (!severity) return severity.error();
    auto state = stateAt(q, kAlertState, what);
    if (!state) return state.error();
    a.severity = *severity;
    a.state = *state;
    a.since = core::fromMicros(q.i64(kAlertSince));
    a.breach_since = optTime(q.optI64(kAlertBreachSince));
    a.healthy_since = optTime(q.optI64(kAlertHealthySince));
    a.fired_at = optTime(q.optI64(kAlertFiredAt));
    a.resolved_at = optTime(q.optI64(kAlertResolvedAt));
    a.value = q.optF64(kAlertValue);
    a.peak = q.optF64(kAlertPeak);
    a.threshold = q.f64(kAlertThreshold);
    a.expr = q.text(kAlertExpr);
    a.flapping = q.i64(kAlertFlapping) != 0;
    a.flap_history = static_cast<std::uint32_t>(q.i64(kAlertFlapHistory));
    a.flap_samples = static_cast<std::uint32_t>(q.i64(kAlertFlapSamples));
    a.suppressed_by = q.text(kAlertSuppressedBy);
    out.push_back(std::move(a));
  }
}

core::Result<std::vector<AlertHistoryRow>> loadAlertHistory(storage::Db& db, core::SystemTime from,
                                                            core::SystemTime to) {
  auto s = db.statement("SELECT " + std::string(kHistoryCols) +
                        " FROM alert_history WHERE at>=?1 AND at<?2 ORDER BY at,id");
  if (!s) return detail::prefixed(s.error(), "load alert history");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  q.bind(1, core::toMicros(from)).bind(2, core::toMicros(to));
  std::vector<AlertHistoryRow> out;
  for (;;) {
    auto row = q.step();
    if (!row) return detail::prefixed(row.error(), "load alert history");
    if (!*row) return out;
    AlertHistoryRow h;
    auto& t = h.transition;
    auto& a = t.alert;
    a.rule = q.text(kHistRule);
    a.target = targetAt(q, kHistShop, kHistEnv, kHistCheck, kHistStep);
    const auto what = "alert history of " + rowName(a);
    auto from_state = stateAt(q, kHistFromState, what);
    if (!from_state) return from_state.error();
    auto to_state = stateAt(q, kHistToState, what);
    if (!to_state) return to_state.error();
    auto from_severity = severityAt(q, kHistFromSeverity, what);
    if (!from_severity) return from_severity.error();
    auto severity = severityAt(q, kHistSeverity, what);
    if (!severity) return severity.error();
    t.at = core::fromMicros(q.i64(kHistAt));
    t.from = *from_state;
    t.from_severity = *from_severity;
    t.removed = q.i64(kHistRemoved) != 0;
    a.state = *to_state;
    a.severity = *severity;
    a.since = t.at;
    a.value = q.optF64(kHistValue);
    a.threshold = q.f64(kHistThreshold);
    a.expr = q.text(kHistExpr);
    out.push_back(std::move(h));
  }
}

}  // namespace shopwatch::agent::persistence
