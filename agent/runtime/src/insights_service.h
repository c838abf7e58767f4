#pragma once
// InsightsService: the running agent's performance insights ([F]). One thread recomputes the timing
// findings and regressions from the database (a read-only connection per pass: WAL, so it never
// waits for the writer or holds the agent's read lock) every `timing_every`. The ranked result is
// kept as a snapshot: GET /api/v1/insights and the shopwatch_finding_saving_* gauges read it; each
// pass hands it to `on_pass`.

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
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

  InsightsService(const core::Clock& clock, ConfigSource config, std::filesystem::path database,
                  InsightsServiceOptions options, PassHook on_pass);
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

  const core::Clock& clock_;
  ConfigSource config_;
  std::filesystem::path database_;
  InsightsServiceOptions options_;
  PassHook on_pass_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::shared_ptr<const insights::InsightsReport> snapshot_;
  std::jthread thread_;
};

}  // namespace shopwatch::agent::runtime
