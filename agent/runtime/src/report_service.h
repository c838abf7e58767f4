#pragma once
// The agent's report routes ([E]): GET / (status page) and GET /api/v1/report. Both run as deferred
// work on the HTTP server's worker threads and read the database through a read-only connection
// opened per request (WAL: they never wait for the writer, and never hold the agent's own read lock,
// so /metrics and probing are not stalled by a month's aggregate).

#include <functional>
#include <memory>
#include <string>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::status {
class CheckStateTable;
}

namespace shopwatch::agent::runtime {

class MaintenanceRegistry;

class ReportService {
 public:
  using ConfigSource = std::function<std::shared_ptr<const AgentConfig>()>;
  /// All references must outlive the HTTP server's stop().
  ReportService(const core::Clock& clock, ConfigSource config, const status::CheckStateTable& states,
                const MaintenanceRegistry& maintenance);

  /// GET /: the status page (HTML; 503 text when the database cannot be read).
  http::HttpResponse statusPage() const;
  /// GET /api/v1/report?month=&shop=&format=json|csv|html (default json); 400 on a bad month or
  /// format, 404 for an unknown shop, 503 when the database cannot be read.
  http::HttpResponse report(const std::string& month, const std::string& shop,
                            const std::string& format) const;

 private:
  const core::Clock& clock_;
  ConfigSource config_;
  const status::CheckStateTable& states_;
  const MaintenanceRegistry& maintenance_;
};

}  // namespace shopwatch::agent::runtime
