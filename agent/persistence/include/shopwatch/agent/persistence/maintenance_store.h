#pragma once
/// API maintenance windows and their audit trail in the agent's database (component "maintenance"):
/// who announced or cancelled which window, when and why — so deploy pipelines can announce updates
/// and billing can show them.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::persistence {

storage::StorageComponent maintenanceComponent();

/// One audit row.
struct MaintenanceAudit {
  std::int64_t window_id = 0;
  std::string action;  ///< "announce" | "cancel"
  std::string actor;
  std::string remote;
  core::SystemTime at{};
  std::string reason;
};

/// Inserts the window with its id (chosen by the caller: ids are assigned in memory so the API can answer
/// at once) and an "announce" audit row (`audit.window_id` and `action` are set by the job; the
/// window's created_at is `audit.at`). An id already in the table: done(error), nothing written, not
/// retried.
std::unique_ptr<storage::WriteJob> makeAnnounceJob(rules::AdHocWindow window, MaintenanceAudit audit,
                                                   std::function<void(const core::Status&)> done);
/// Sets the window's end to `new_end` (cancelling: now, or its start for a future window) with a
/// "cancel" audit row. An unknown id: done(NotFound) and nothing written.
std::unique_ptr<storage::WriteJob> makeCancelJob(std::int64_t id, core::SystemTime new_end,
                                                 MaintenanceAudit audit,
                                                 std::function<void(const core::Status&)> done);

/// Windows whose end is after `after` (start-up), by start.
core::Result<std::vector<rules::AdHocWindow>> loadWindows(storage::Db& db, core::SystemTime after);
/// The highest id ever used (0 when none), so new ids never repeat.
core::Result<std::int64_t> maxWindowId(storage::Db& db);
/// Audit rows with `at` in [from, to), oldest first (reports).
core::Result<std::vector<MaintenanceAudit>> loadAudit(storage::Db& db, core::SystemTime from,
                                                      core::SystemTime to);

}  // namespace shopwatch::agent::persistence
