#pragma once
// InsightsService: the running agent's performance insights ([F]). One thread recomputes the timing
// findings and regressions from the database (a read-only connection per pass: WAL, so it never
// waits for the writer or holds the agent's read lock) every `timing_every`. The ranked result is
// kept as a snapshot: GET /api/v1/insights and the shopwatch_finding_saving_* gauges read it; each
// pass hands it to `on_pass`. Response audits (fetching pages and assets, `audit`) run in a pass at
// most every `insights.audit_interval` (only with an `insights:` section); their findings are kept until the next audit and ranked
// together with the timing findings.

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::runtime {

struct InsightsServiceOptions {
  core::Micros first_delay = std::chrono::seconds{20};  ///< after start, before the first pass
  core::Micros timing_every = std::chrono::minutes{10};
};

class InsightsService {
 public:
  using ConfigSource = std::function<std::shared_ptr<const AgentConfig>()>;
  /// Called on the service's thread after each pass with the ranked findings of every shop.
  using PassHook = std::function<void(const std::vector<insights::Finding>&, core::SystemTime)>;
  /// The response audits of a config (insights::auditChecks on the agent's engine); `stopping`
  /// returning true ends them early. Empty: no audits.
  using AuditRunner = std::function<std::vector<insights::Finding>(const AgentConfig&,
                                                                   const std::function<bool()>& stopping)>;

  InsightsService(const core::Clock& clock, ConfigSource config, std::filesystem::path database,
                  InsightsServiceOptions options, PassHook on_pass, AuditRunner audit = {});
  ~InsightsService();  ///< stop()
  InsightsService(const InsightsService&) = delete;
  InsightsService& operator=(const InsightsService&) = delete;
  InsightsService(InsightsService&&) = delete;
  InsightsService& operator=(InsightsService&&) = delete;

  void start();
  /// Ends the thread: a pass in progress stops at its next check (within a few thousand rows).
  void stop();

  /// The latest ranked findings (empty report before the first pass).
  std::shared_ptr<const insights::InsightsReport> snapshot() const;
  /// GET /api/v1/insights[?shop=NAME][&format=json|text|html]: 400 bad format, 404 unknown shop.
  http::HttpResponse api(const std::string& shop, const std::string& format) const;
  /// shopwatch_finding_saving_seconds / shopwatch_finding_saving_bytes {shop,env,check,step,finding}.
  void appendMetrics(std::string& out) const;

 private:
  void run(std::stop_token stop);
  void pass(const std::stop_token& stop);
  void runAudits(const AgentConfig& config, core::SystemTime now, const std::stop_token& stop);

  const core::Clock& clock_;
  ConfigSource config_;
  std::filesystem::path database_;
  InsightsServiceOptions options_;
  PassHook on_pass_;
  AuditRunner audit_;
  // The insights thread's own: the last audit's findings and when it ran.
  std::vector<insights::Finding> audit_findings_;
  std::optional<core::SystemTime> audited_at_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::shared_ptr<const insights::InsightsReport> snapshot_;
  std::jthread thread_;
};

}  // namespace shopwatch::agent::runtime
