#pragma once
// The agent's report routes ([E]): GET / (status page) and GET /api/v1/report. Both run as deferred
// work on the HTTP server's worker threads and read the database through a read-only connection
// opened per request (WAL: they never wait for the writer, and never hold the agent's own read lock,
// so /metrics and probing are not stalled by a month's aggregate).

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/insights/finding.h"
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

  /// The ranked findings of every shop (the insights service's latest snapshot): the status page's
  /// "What to improve next" (top 5) and the current month's report improvements (top 10, the asked
  /// shop's). Unset (the default): neither is shown. Meant to be set once before the HTTP server
  /// starts; setting it later is safe too (guarded), requests already running keep the old one.
  /// `source` runs on the server's worker threads and must be thread-safe.
  using ImprovementSource = std::function<std::vector<insights::Finding>()>;
  void setImprovements(ImprovementSource source);

  /// GET /: the status page (HTML; 503 text when the database cannot be read).
  http::HttpResponse statusPage() const;
  /// GET /api/v1/report?month=&shop=&format=json|csv|html (default json); 400 on a bad month or
  /// format, 404 for an unknown shop, 503 when the database cannot be read. The current month (in
  /// agent.timezone) carries the improvements source's findings; a past month none (a frozen one
  /// its own).
  http::HttpResponse report(const std::string& month, const std::string& shop,
                            const std::string& format) const;

 private:
  const core::Clock& clock_;
  ConfigSource config_;
  const status::CheckStateTable& states_;
  const MaintenanceRegistry& maintenance_;
  ImprovementSource improvementSource() const;
  mutable std::mutex improvements_mu_;
  ImprovementSource improvements_;
};

}  // namespace shopwatch::agent::runtime
