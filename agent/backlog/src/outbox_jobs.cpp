// The outbox worker's write jobs. Each holds only its input: an attempt rolled back with its batch
// writes the same rows again when the writer retries it.
#include <string>
#include <utility>

#include "callback_job.h"
#include "shopwatch/agent/backlog/incident_store.h"

namespace shopwatch::agent::backlog {

namespace {

using storage::Db;

core::Status recordAttempt(Db& db, const AttemptUpdate& u) {
  // NULL parameters keep the column: one statement for the before-send and after-send updates.
  auto s = db.statement(
      "UPDATE outbox SET attempts=attempts+?2, next_attempt_at=coalesce(?3,next_attempt_at),"
      "outcome_unknown=?4, last_error=coalesce(?5,last_error) WHERE id=?1 AND state='pending'");
  if (!s) return detail::prefixed(s.error(), "record outbox attempt");
  auto& q = **s;
  q.bind(1, u.action_id)
      .bind(2, std::int64_t{u.count ? 1 : 0})
      .bind(3, u.next_attempt_at ? std::optional<std::int64_t>{core::toMicros(*u.next_attempt_at)}
                                 : std::nullopt)
      .bind(4, std::int64_t{u.outcome_unknown ? 1 : 0});
  if (u.last_error) {
    q.bind(5, *u.last_error);
  } else {
    q.bindNull(5);
  }
  if (auto st = q.run(); !st)
    return detail::prefixed(st.error(),
                            "record attempt of outbox action " + std::to_string(u.action_id));
  return {};
}

core::Status setState(Db& db, std::int64_t id, ActionState state, const std::string& error) {
  auto s = db.statement("UPDATE outbox SET state=?2, last_error=?3 WHERE id=?1");
  if (!s) return detail::prefixed(s.error(), "update outbox action");
  auto st = (*s)->bind(1, id).bind(2, actionStateName(state)).bind(3, error).run();
  if (!st) return detail::prefixed(st.error(), "update outbox action " + std::to_string(id));
  return {};
}

core::Status upsertTicket(Db& db, std::int64_t incident_id, const std::string& sink,
                          const Ticket& t) {
  auto s = db.statement(
      "INSERT OR REPLACE INTO incident_ticket(incident_id,sink,ticket_key,ticket_id,url,episode) "
      "VALUES(?1,?2,?3,?4,?5,?6)");
  if (!s) return detail::prefixed(s.error(), "save ticket");
  auto st = (*s)->bind(1, incident_id)
                .bind(2, sink)
                .bind(3, t.key)
                .bind(4, t.id)
                .bind(5, t.url)
                .bind(6, t.episode)
                .run();
  if (!st) return detail::prefixed(st.error(), "save ticket " + t.key);
  return {};
}

core::Status appendDigest(Db& db, const DigestRequest& r) {
  // Compare-and-set on the incident row: a digest decided on a stale read appends nothing.
  auto s = db.statement(
      "UPDATE incident SET last_digest_at=?2 WHERE id=?1 AND state='open' AND episode=?3 AND "
      "coalesce(last_digest_at,-1)=coalesce(?4,-1)");
  if (!s) return detail::prefixed(s.error(), "queue digest");
  auto st =
      (*s)->bind(1, r.incident_id)
          .bind(2, core::toMicros(r.at))
          .bind(3, r.episode)
          .bind(4, r.expected_last_digest_at
                       ? std::optional<std::int64_t>{core::toMicros(*r.expected_last_digest_at)}
                       : std::nullopt)
          .run();
  if (!st) return detail::prefixed(st.error(), "queue digest");
  if (db.changes() == 0) return {};
  for (const auto& sink : r.sinks) {
    OutboxAction a;
    a.incident_id = r.incident_id;
    a.sink = sink;
    a.kind = ActionKind::Digest;
    a.facts_json = r.facts_json;
    a.created_at = r.at;
    a.next_attempt_at = r.at;
    if (auto id = appendAction(db, a); !id) return id.error();
  }
  return {};
}

}  // namespace

std::unique_ptr<storage::WriteJob> makeRecordAttemptJob(
    AttemptUpdate update, std::function<void(const core::Status&)> done) {
  return std::make_unique<detail::FunctionJob>(
      [u = std::move(update)](Db& db) { return recordAttempt(db, u); }, std::move(done));
}

std::unique_ptr<storage::WriteJob> makeMarkDoneJob(std::int64_t action_id, std::int64_t incident_id,
                                                   std::string sink, std::optional<Ticket> ticket,
                                                   std::string note,
                                                   std::function<void(const core::Status&)> done) {
  return std::make_unique<detail::FunctionJob>(
      [=, sink = std::move(sink), ticket = std::move(ticket), note = std::move(note)](Db& db) {
        if (auto st = setState(db, action_id, ActionState::Done, note); !st) return st;
        if (ticket) return upsertTicket(db, incident_id, sink, *ticket);
        return core::Status{};
      },
      std::move(done));
}

std::unique_ptr<storage::WriteJob> makeMarkDeadJob(std::int64_t action_id, std::string error,
                                                   std::function<void(const core::Status&)> done) {
  return std::make_unique<detail::FunctionJob>(
      [action_id, error = std::move(error)](Db& db) {
        return setState(db, action_id, ActionState::Dead, error);
      },
      std::move(done));
}

std::unique_ptr<storage::WriteJob> makeDigestJob(DigestRequest request,
                                                 std::function<void(const core::Status&)> done) {
  return std::make_unique<detail::FunctionJob>(
      [r = std::move(request)](Db& db) { return appendDigest(db, r); }, std::move(done));
}

}  // namespace shopwatch::agent::backlog
