#pragma once
/// Incidents, their tickets and the outbox in the agent's database (component "incidents",
/// research/ticketing-slo.md §4–§5). Rows are written only through WriteJobs on the store's writer
/// — by IncidentPlanner inside the alert transition's job (so an incident and its outbox rows
/// commit with the transition that causes them) and by the OutboxWorker through the factories below
/// — and read back through the store's read connection (SqliteResultStore::read).
///
/// Tables: `incident` (one row per fingerprint, every Incident field, sinks as a comma list),
/// `incident_ticket` (per incident and sink: key, id, url, episode) and `outbox` (every
/// OutboxAction field; indexed on (state, incident_id, id)).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/incident.h"
#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/core/result.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::backlog {

/// The component to pass in storage::StoreOptions::components.
storage::StorageComponent incidentsComponent();

// --- Loaders: `db` is a read connection (or the writer's, inside a job). ---

/// Incidents ordered by id; only open ones unless `all`.
core::Result<std::vector<Incident>> loadIncidents(storage::Db& db, bool all);
/// The incident with `fingerprint`, if any.
core::Result<std::optional<Incident>> loadIncident(storage::Db& db, std::string_view fingerprint);

/// A ticket recorded for an incident with one sink.
struct IncidentTicket {
  std::int64_t incident_id = 0;
  std::string sink;
  Ticket ticket;
};
/// Every recorded ticket, ordered by incident id and sink.
core::Result<std::vector<IncidentTicket>> loadTickets(storage::Db& db);

/// Every pending action, ordered by id (the order they must be delivered in, per incident and
/// sink).
core::Result<std::vector<OutboxAction>> loadPendingActions(storage::Db& db);
/// One action by id (any state).
core::Result<std::optional<OutboxAction>> loadAction(storage::Db& db, std::int64_t id);

struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t done = 0;
  std::int64_t dead = 0;
  std::optional<core::SystemTime> oldest_pending;  ///< created_at of the oldest pending action
  std::int64_t incidents_open = 0;
};
core::Result<OutboxCounts> countOutbox(storage::Db& db);

// --- Writes (inside a job's transaction). ---

/// Inserts (id 0) or updates (by id) an incident row; returns its id.
core::Result<std::int64_t> saveIncident(storage::Db& db, const Incident& incident);
/// Appends a pending action (its id, attempts, state and error are ignored); returns its id.
core::Result<std::int64_t> appendAction(storage::Db& db, const OutboxAction& action);

// --- WriteJob factories for the outbox worker. `done` runs on the writer thread after the commit
// --- (see storage::WriteJob); each job holds only its input, so a retried attempt writes the same.

/// What an attempt changes on its action row.
struct AttemptUpdate {
  std::int64_t action_id = 0;
  bool count = false;  ///< attempts + 1 (written before the sink is called)
  std::optional<core::SystemTime> next_attempt_at;  ///< unchanged when empty
  bool outcome_unknown = false;
  std::optional<std::string> last_error;  ///< unchanged when empty
};
std::unique_ptr<storage::WriteJob> makeRecordAttemptJob(
    AttemptUpdate update, std::function<void(const core::Status&)> done);

/// Marks the action done (`note` kept as last_error: "" or "coalesced") and, when `ticket` is
/// given, upserts the incident's ticket with `sink` in the same transaction.
std::unique_ptr<storage::WriteJob> makeMarkDoneJob(std::int64_t action_id, std::int64_t incident_id,
                                                   std::string sink, std::optional<Ticket> ticket,
                                                   std::string note,
                                                   std::function<void(const core::Status&)> done);

/// Dead-letters the action with its error.
std::unique_ptr<storage::WriteJob> makeMarkDeadJob(std::int64_t action_id, std::string error,
                                                   std::function<void(const core::Status&)> done);

/// A digest for one open incident.
struct DigestRequest {
  std::int64_t incident_id = 0;
  std::int64_t episode = 0;  ///< the episode it was decided for
  /// last_digest_at when it was decided (compare-and-set: a changed row appends nothing).
  std::optional<core::SystemTime> expected_last_digest_at;
  std::vector<std::string> sinks;  ///< one digest action per sink
  std::string facts_json;
  core::SystemTime at{};  ///< becomes created_at, next_attempt_at and the incident's last_digest_at
};
/// Appends the digest actions and sets last_digest_at — only when the incident is still open in the
/// same episode with the expected last_digest_at (so a repeated or late request files nothing).
std::unique_ptr<storage::WriteJob> makeDigestJob(DigestRequest request,
                                                 std::function<void(const core::Status&)> done);

}  // namespace shopwatch::agent::backlog
