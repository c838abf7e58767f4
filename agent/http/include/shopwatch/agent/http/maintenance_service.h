#pragma once
/// The write side behind `POST /api/v1/maintenance` and `DELETE /api/v1/maintenance/{id}`, implemented
/// by agent/runtime (it persists and audits the window, then hands the new calendar to the rule engine
/// and the run completion path). The HTTP layer authenticates, parses and answers; this validates and
/// stores.

#include <cstdint>
#include <string>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::agent::http {

struct MaintenanceRequest {
  std::vector<std::string> shops;  ///< shop names; empty or ["all"]: every shop
  core::SystemTime start{};
  core::SystemTime end{};          ///< > start
  std::string reason;
  std::string actor;   ///< `X-Shopwatch-Actor` header, else "api"
  std::string remote;  ///< the caller's address (audit)
};

class MaintenanceService {
 public:
  virtual ~MaintenanceService() = default;
  /// Validates (shops exist, end > start, end in the future, at most 31 days long), persists, audits.
  /// Errors: ErrorCode::Invalid (message for the caller), ErrorCode::Unavailable (database down: the
  /// window is not active).
  virtual core::Result<rules::AdHocWindow> announce(const MaintenanceRequest& request) = 0;
  /// Ends a window now (or removes a future one), audited. ErrorCode::NotFound for an unknown or
  /// already-cancelled id.
  virtual core::Status cancel(std::int64_t id, const std::string& actor, const std::string& remote) = 0;
  /// API windows not yet ended, by start.
  virtual std::vector<rules::AdHocWindow> windows() const = 0;
};

}  // namespace shopwatch::agent::http
