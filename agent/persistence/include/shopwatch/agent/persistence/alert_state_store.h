#pragma once
/// Alert state in the agent's database (component "alerts"): one row per alert (rule × target) with
/// its whole rules::AlertRecord, and an append-only history of transitions. Written by a WriteJob on
/// the store's writer (in the same transaction as the results around it — and, with [D], as the incident
/// and outbox rows a transition causes); read back at start-up.

#include <functional>
#include <memory>
#include <vector>

#include "shopwatch/core/result.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::persistence {

/// The component to pass in storage::StoreOptions::components.
storage::StorageComponent alertStateComponent();

/// Writes the transitions in order: upserts each alert's row (a `removed` transition deletes it) and
/// appends one `alert_history` row per transition. `extra` (may be empty) runs in the same savepoint
/// after the rows are written — the hook through which [D] writes incidents and outbox rows with the
/// transition that causes them. `done` (may be empty) is called on the writer thread with the
/// outcome (see storage::WriteJob). The job keeps nothing but its input, so an attempt rolled back
/// with its batch writes the same rows again on retry; an `extra` failure other than
/// ErrorCode::Unavailable rolls back this job's rows only (done(error), not retried).
std::unique_ptr<storage::WriteJob> makeAlertTransitionJob(
    std::vector<rules::AlertTransition> transitions,
    std::function<core::Status(storage::Db&, const std::vector<rules::AlertTransition>&)> extra = {},
    std::function<void(const core::Status&)> done = {});

/// Every persisted alert record (start-up restore). `db` is a read connection.
core::Result<std::vector<rules::AlertRecord>> loadAlerts(storage::Db& db);

/// One history row (`shopwatch alerts --history`, reports). `transition` holds at, from,
/// from_severity, removed and, of `alert`, what the history keeps: rule, target, state, severity,
/// value, threshold, expr, with since = at; the other record fields are defaults.
struct AlertHistoryRow {
  rules::AlertTransition transition;
};
/// Transitions with `at` in [from, to), oldest first.
core::Result<std::vector<AlertHistoryRow>> loadAlertHistory(storage::Db& db, core::SystemTime from,
                                                            core::SystemTime to);

}  // namespace shopwatch::agent::persistence
