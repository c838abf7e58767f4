#pragma once
/// HttpProbeEngine: runs HTTP checks on libcurl's multi interface, one event thread, many in flight.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shopwatch/core/check_spec.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::probes {

/// Name resolution that tests (and later a caching resolver) inject instead of the system's.
/// Called on the engine thread: implementations must not block.
class Resolver {
 public:
  virtual ~Resolver() = default;
  /// An IP address literal for `host`, or nullopt when the name does not resolve (a `dns` failure).
  virtual std::optional<std::string> resolve(const std::string& host, core::IpVersion version) = 0;
};

struct EngineOptions {
  /// Per-host concurrency limit used when a check's spec says 0.
  int default_per_host_limit = 4;
  /// Bytes of response bodies held in memory across all in-flight runs; transfers pause past it.
  std::uint64_t body_budget_bytes = 256ull * 1024 * 1024;
  /// nullptr: libcurl resolves (system resolver). Checks' own `resolve` overrides win over both.
  std::shared_ptr<Resolver> resolver;
  /// Wall clock for ProbeResult::started; nullptr: the system clock.
  const core::Clock* clock = nullptr;
};

class HttpProbeEngine {
 public:
  /// Called once per submitted run, on the engine thread, when the run ends. Must not block.
  using Completion = std::function<void(core::ProbeResult)>;

  explicit HttpProbeEngine(EngineOptions options = {});
  /// Stops: in-flight runs are cut (failure `timeout`, message "cancelled: engine stopping") and
  /// their completions still run.
  ~HttpProbeEngine();
  HttpProbeEngine(const HttpProbeEngine&) = delete;
  HttpProbeEngine& operator=(const HttpProbeEngine&) = delete;
  HttpProbeEngine(HttpProbeEngine&&) = delete;
  HttpProbeEngine& operator=(HttpProbeEngine&&) = delete;

  /// Thread-safe. Queues one run of `spec`; it starts when its host has a free slot.
  void submit(std::shared_ptr<const core::HttpCheckSpec> spec, Completion done);
  /// Thread-safe. Let in-flight runs finish (or hit their timeout), then stop the thread.
  void stop();
  /// Runs queued or in flight (thread-safe, approximate).
  std::size_t pending() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs one check to completion on a private engine (for `shopwatch probe`).
core::ProbeResult probeOnce(const core::HttpCheckSpec& spec, EngineOptions options = {});

}  // namespace shopwatch::probes
