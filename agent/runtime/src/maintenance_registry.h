#pragma once
// MaintenanceRegistry: the agent's maintenance windows — the config's `maintenance:` and the API's —
// behind http::MaintenanceService. Owns the current rules::MaintenanceCalendar (rebuilt on every
// change and on reload) and hands it to whoever listens (the rule worker). API windows are persisted
// and audited through the store's writer (agent/persistence) before they are answered as created.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "shopwatch/agent/http/maintenance_service.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/rules/maintenance.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

class MaintenanceRegistry final : public http::MaintenanceService {
 public:
  using Listener = std::function<void(std::shared_ptr<const rules::MaintenanceCalendar>)>;

  MaintenanceRegistry(const core::Clock& clock, storage::SqliteResultStore* store);

  /// Start-up: API windows from the database (those not yet ended) and the next free id.
  core::Status load();
  /// The config's windows and shop names (start-up and every reload).
  void setConfig(std::vector<rules::MaintenanceSpec> specs, std::set<std::string> shops);
  /// Called with every new calendar (also once from setListener with the current one).
  void setListener(Listener listener);

  /// The current calendar (never null). Thread-safe.
  std::shared_ptr<const rules::MaintenanceCalendar> calendar() const;
  /// Windows active now (the alert board's list).
  std::vector<rules::MaintenanceOccurrence> activeAt(core::SystemTime t) const;

  core::Result<rules::AdHocWindow> announce(const http::MaintenanceRequest& request) override;
  core::Status cancel(std::int64_t id, const std::string& actor, const std::string& remote) override;
  std::vector<rules::AdHocWindow> windows() const override;

 private:
  void rebuildLocked();
  // Submits a persistence job and waits (bounded) for the writer's answer.
  core::Status persist(std::function<std::unique_ptr<storage::WriteJob>(std::function<void(const core::Status&)>)> make);

  const core::Clock& clock_;
  storage::SqliteResultStore* store_;
  mutable std::mutex mu_;
  std::vector<rules::MaintenanceSpec> specs_;
  std::set<std::string> shops_;
  std::vector<rules::AdHocWindow> adhoc_;
  std::int64_t next_id_ = 1;
  std::shared_ptr<const rules::MaintenanceCalendar> calendar_ =
      std::make_shared<const rules::MaintenanceCalendar>();
  Listener listener_;
};

}  // namespace shopwatch::agent::runtime
