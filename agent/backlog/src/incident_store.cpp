#include "shopwatch/agent/backlog/incident_store.h"

#include <string>
#include <utility>

#include "callback_job.h"

namespace shopwatch::agent::backlog {

namespace {

using storage::Db;
using storage::Statement;

constexpr std::string_view kIncidentCols =
    "id,fingerprint,rule,shop,env,check_name,step,severity,state,episode,opened_at,resolved_at,"
    "peak,expr,threshold,last_digest_at,sinks";
enum IncidentCol : int {
  kIncId = 0,
  kIncFingerprint,
  kIncRule,
  kIncShop,
  kIncEnv,
  kIncCheck,
  kIncStep,
  kIncSeverity,
  kIncState,
  kIncEpisode,
  kIncOpenedAt,
  kIncResolvedAt,
  kIncPeak,
  kIncExpr,
  kIncThreshold,
  kIncLastDigestAt,
  kIncSinks,
};

constexpr std::string_view kActionCols =
    "id,incident_id,sink,kind,facts_json,created_at,attempts,next_attempt_at,state,last_error,"
    "outcome_unknown";
enum ActionCol : int {
  kActId = 0,
  kActIncident,
  kActSink,
  kActKind,
  kActFacts,
  kActCreatedAt,
  kActAttempts,
  kActNextAttemptAt,
  kActState,
  kActLastError,
  kActOutcomeUnknown,
};

std::optional<std::int64_t> optMicros(const std::optional<core::SystemTime>& t) {
  if (!t) return std::nullopt;
  return core::toMicros(*t);
}

std::optional<core::SystemTime> optTime(const std::optional<std::int64_t>& us) {
  if (!us) return std::nullopt;
  return core::fromMicros(*us);
}

std::string joinSinks(const std::vector<std::string>& sinks) {
  std::string out;
  for (const auto& s : sinks) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> splitSinks(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto part = text.substr(0, comma);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

core::Error corrupt(std::string_view what, std::string_view text) {
  return core::makeError(core::ErrorCode::Io,
                         std::string(what) + ": unreadable value '" + std::string(text) + "'");
}

core::Result<Incident> incidentAt(const Statement& q) {
  Incident inc;
  inc.id = q.i64(kIncId);
  inc.fingerprint = q.text(kIncFingerprint);
  inc.rule = q.text(kIncRule);
  inc.target = rules::Target{core::CheckKey{q.text(kIncShop), q.text(kIncEnv), q.text(kIncCheck)},
                             q.text(kIncStep)};
  const auto severity = q.text(kIncSeverity);
  auto parsed = rules::parseSeverity(severity);
  if (!parsed) return corrupt("incident " + inc.fingerprint + " severity", severity);
  inc.severity = *parsed;
  const auto state = q.text(kIncState);
  if (state == incidentStateName(IncidentState::Open)) {
    inc.state = IncidentState::Open;
  } else if (state == incidentStateName(IncidentState::Resolved)) {
    inc.state = IncidentState::Resolved;
  } else {
    return corrupt("incident " + inc.fingerprint + " state", state);
  }
  inc.episode = q.i64(kIncEpisode);
  inc.opened_at = core::fromMicros(q.i64(kIncOpenedAt));
  inc.resolved_at = optTime(q.optI64(kIncResolvedAt));
  inc.peak = q.optF64(kIncPeak);
  inc.expr = q.text(kIncExpr);
  inc.threshold = q.f64(kIncThreshold);
  inc.last_digest_at = optTime(q.optI64(kIncLastDigestAt));
  inc.sinks = splitSinks(q.text(kIncSinks));
  return inc;
}

core::Result<OutboxAction> actionAt(const Statement& q) {
  OutboxAction a;
  a.id = q.i64(kActId);
  a.incident_id = q.i64(kActIncident);
  a.sink = q.text(kActSink);
  const auto kind = q.text(kActKind);
  auto parsed = parseActionKind(kind);
  if (!parsed) return corrupt("outbox action " + std::to_string(a.id) + " kind", kind);
  a.kind = *parsed;
  a.facts_json = q.text(kActFacts);
  a.created_at = core::fromMicros(q.i64(kActCreatedAt));
  a.attempts = q.i64(kActAttempts);
  a.next_attempt_at = core::fromMicros(q.i64(kActNextAttemptAt));
  const auto state = q.text(kActState);
  bool known = false;
  for (auto s : {ActionState::Pending, ActionState::Done, ActionState::Dead}) {
    if (actionStateName(s) == state) {
      a.state = s;
      known = true;
    }
  }
  if (!known) return corrupt("outbox action " + std::to_string(a.id) + " state", state);
  a.last_error = q.text(kActLastError);
  a.outcome_unknown = q.i64(kActOutcomeUnknown) != 0;
  return a;
}

// Steps `q` (already bound) to the end, converting each row.
template <typename T, typename Fn>
core::Result<std::vector<T>> collect(Statement& q, std::string_view what, Fn&& convert) {
  Statement::ResetOnExit reset(q);
  std::vector<T> out;
  for (;;) {
    auto row = q.step();
    if (!row) return detail::prefixed(row.error(), what);
    if (!*row) return out;
    auto item = convert(q);
    if (!item) return item.error();
    out.push_back(std::move(*item));
  }
}

}  // namespace

storage::StorageComponent incidentsComponent() {
  return storage::StorageComponent{"incidents",
                                   {
                                       R"sql(
CREATE TABLE incident(
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,  -- shopwatch-<32 hex>, also the Jira label
  rule TEXT NOT NULL, shop TEXT NOT NULL, env TEXT NOT NULL, check_name TEXT NOT NULL,
  step TEXT NOT NULL,                -- "" for a check
  severity TEXT NOT NULL,            -- info | warning | critical
  state TEXT NOT NULL,               -- open | resolved
  episode INTEGER NOT NULL,
  opened_at INTEGER NOT NULL,        -- µs, as every time below; NULL = none
  resolved_at INTEGER,
  peak REAL,
  expr TEXT NOT NULL, threshold REAL NOT NULL,
  last_digest_at INTEGER,
  sinks TEXT NOT NULL);              -- comma list: jira,webhook,alertmanager
CREATE TABLE incident_ticket(
  incident_id INTEGER NOT NULL REFERENCES incident(id),
  sink TEXT NOT NULL,
  ticket_key TEXT NOT NULL, ticket_id TEXT NOT NULL, url TEXT NOT NULL,
  episode INTEGER NOT NULL,
  PRIMARY KEY(incident_id, sink)) WITHOUT ROWID;
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,            -- delivery order within an incident and sink
  incident_id INTEGER NOT NULL REFERENCES incident(id),
  sink TEXT NOT NULL,
  kind TEXT NOT NULL,                -- open | escalate | digest | resolve | retire
  facts_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  state TEXT NOT NULL,               -- pending | done | dead
  last_error TEXT NOT NULL,
  outcome_unknown INTEGER NOT NULL);
CREATE INDEX outbox_queue ON outbox(state, incident_id, id);
)sql",
                                   }};
}

core::Result<std::vector<Incident>> loadIncidents(Db& db, bool all) {
  const std::string sql = "SELECT " + std::string(kIncidentCols) + " FROM incident" +
                          (all ? "" : " WHERE state='open'") + " ORDER BY id";
  auto s = db.statement(sql);
  if (!s) return detail::prefixed(s.error(), "load incidents");
  return collect<Incident>(**s, "load incidents", incidentAt);
}

core::Result<std::optional<Incident>> loadIncident(Db& db, std::string_view fingerprint) {
  auto s =
      db.statement("SELECT " + std::string(kIncidentCols) + " FROM incident WHERE fingerprint=?1");
  if (!s) return detail::prefixed(s.error(), "load incident");
  (*s)->bind(1, fingerprint);
  auto rows = collect<Incident>(**s, "load incident", incidentAt);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Incident>{};
  return std::optional<Incident>{std::move(rows->front())};
}

core::Result<std::vector<IncidentTicket>> loadTickets(Db& db) {
  auto s = db.statement(
      "SELECT incident_id,sink,ticket_key,ticket_id,url,episode FROM incident_ticket "
      "ORDER BY incident_id,sink");
  if (!s) return detail::prefixed(s.error(), "load tickets");
  return collect<IncidentTicket>(**s, "load tickets",
                                 [](const Statement& q) -> core::Result<IncidentTicket> {
                                   IncidentTicket t;
                                   t.incident_id = q.i64(0);
                                   t.sink = q.text(1);
                                   t.ticket.key = q.text(2);
                                   t.ticket.id = q.text(3);
                                   t.ticket.url = q.text(4);
                                   t.ticket.episode = q.i64(5);
                                   return t;
                                 });
}

core::Result<std::vector<OutboxAction>> loadPendingActions(Db& db) {
  auto s = db.statement("SELECT " + std::string(kActionCols) +
                        " FROM outbox WHERE state='pending' ORDER BY id");
  if (!s) return detail::prefixed(s.error(), "load outbox");
  return collect<OutboxAction>(**s, "load outbox", actionAt);
}

core::Result<std::optional<OutboxAction>> loadAction(Db& db, std::int64_t id) {
  auto s = db.statement("SELECT " + std::string(kActionCols) + " FROM outbox WHERE id=?1");
  if (!s) return detail::prefixed(s.error(), "load outbox action");
  (*s)->bind(1, id);
  auto rows = collect<OutboxAction>(**s, "load outbox action", actionAt);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<OutboxAction>{};
  return std::optional<OutboxAction>{std::move(rows->front())};
}

core::Result<OutboxCounts> countOutbox(Db& db) {
  auto s = db.statement(
      "SELECT (SELECT count(*) FROM outbox WHERE state='pending'),"
      "(SELECT count(*) FROM outbox WHERE state='done'),"
      "(SELECT count(*) FROM outbox WHERE state='dead'),"
      "(SELECT min(created_at) FROM outbox WHERE state='pending'),"
      "(SELECT count(*) FROM incident WHERE state='open')");
  if (!s) return detail::prefixed(s.error(), "count outbox");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  auto row = q.step();
  if (!row) return detail::prefixed(row.error(), "count outbox");
  OutboxCounts c;
  if (!*row) return c;
  c.pending = q.i64(0);
  c.done = q.i64(1);
  c.dead = q.i64(2);
  c.oldest_pending = optTime(q.optI64(3));
  c.incidents_open = q.i64(4);
  return c;
}

core::Result<std::int64_t> saveIncident(Db& db, const Incident& inc) {
  // Parameter N is column N - 1 of kIncidentCols; ?1 (id) is NULL for a new row.
  auto s = db.statement(
      inc.id == 0
          ? "INSERT INTO incident(" + std::string(kIncidentCols) +
                ") VALUES(NULL,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)"
          : std::string(
                "UPDATE incident SET fingerprint=?2,rule=?3,shop=?4,env=?5,check_name=?6,step=?7,"
                "severity=?8,state=?9,episode=?10,opened_at=?11,resolved_at=?12,peak=?13,expr=?14,"
                "threshold=?15,last_digest_at=?16,sinks=?17 WHERE id=?1"));
  if (!s) return detail::prefixed(s.error(), "save incident");
  auto& q = **s;
  constexpr int p = 1;
  if (inc.id != 0) q.bind(p + kIncId, inc.id);
  auto st = q.bind(p + kIncFingerprint, inc.fingerprint)
                .bind(p + kIncRule, inc.rule)
                .bind(p + kIncShop, inc.target.key.shop)
                .bind(p + kIncEnv, inc.target.key.env)
                .bind(p + kIncCheck, inc.target.key.check)
                .bind(p + kIncStep, inc.target.step)
                .bind(p + kIncSeverity, rules::severityName(inc.severity))
                .bind(p + kIncState, incidentStateName(inc.state))
                .bind(p + kIncEpisode, inc.episode)
                .bind(p + kIncOpenedAt, core::toMicros(inc.opened_at))
                .bind(p + kIncResolvedAt, optMicros(inc.resolved_at))
                .bindDouble(p + kIncPeak, inc.peak)
                .bind(p + kIncExpr, inc.expr)
                .bindDouble(p + kIncThreshold, inc.threshold)
                .bind(p + kIncLastDigestAt, optMicros(inc.last_digest_at))
                .bind(p + kIncSinks, joinSinks(inc.sinks))
                .run();
  if (!st) return detail::prefixed(st.error(), "save incident " + inc.fingerprint);
  return inc.id == 0 ? db.lastInsertRowid() : inc.id;
}

core::Result<std::int64_t> appendAction(Db& db, const OutboxAction& a) {
  auto s = db.statement("INSERT INTO outbox(" + std::string(kActionCols) +
                        ") VALUES(NULL,?2,?3,?4,?5,?6,0,?8,'pending','',?11)");
  if (!s) return detail::prefixed(s.error(), "append outbox action");
  constexpr int p = 1;
  auto st = (*s)->bind(p + kActIncident, a.incident_id)
                .bind(p + kActSink, a.sink)
                .bind(p + kActKind, actionKindName(a.kind))
                .bind(p + kActFacts, a.facts_json)
                .bind(p + kActCreatedAt, core::toMicros(a.created_at))
                .bind(p + kActNextAttemptAt, core::toMicros(a.next_attempt_at))
                .bind(p + kActOutcomeUnknown, std::int64_t{a.outcome_unknown ? 1 : 0})
                .run();
  if (!st) return detail::prefixed(st.error(), "append outbox action");
  return db.lastInsertRowid();
}

}  // namespace shopwatch::agent::backlog
