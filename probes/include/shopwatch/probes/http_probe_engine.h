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
  /// Wall clock for ProbeResult::started; nullptr: the system clock. Phases and durations are
  /// always measured with the real monotonic clock.
  const core::Clock* clock = nullptr;
};

/// Counters of one engine since it started (thread-safe snapshot).
struct EngineStats {
  std::uint64_t runs_completed = 0;
  /// Highest number of body bytes held in memory at once (only regex/json checks buffer bodies).
  std::uint64_t peak_buffered_bytes = 0;
  /// Times a transfer was paused because the body budget was exhausted.
  std::uint64_t budget_pauses = 0;
};

/// Contract of one run:
/// - Every request opens a fresh connection (no reuse, no TLS session or DNS cache), so phases are
///   honest. Redirects are followed by the engine, one request per hop (up to spec.max_redirects,
///   else failure `redirects`); phases are summed over hops, `duration` is the run's wall time.
/// - Failure reasons: dns, connect, tls, timeout (whole run), http_status, assertion,
///   body_too_large (spec.max_body, the transfer is aborted), redirects, protocol, internal. The
///   message never contains spec.secrets (core::redact); nor do final_url and assertion details.
/// - cert_not_after is the earliest notAfter of the chain the server presented, also when
///   verification failed.
/// - Bodies are only held in memory for body_regex / json; body_contains / body_not_contains are
///   searched while streaming. Held bytes count against EngineOptions::body_budget_bytes; a run
///   that would exceed it pauses until bytes are freed (the oldest holder always proceeds, so at
///   most budget + one max_body is held).
/// - The caller must call curl_global_init once before constructing an engine (main does).
class HttpProbeEngine {
 public:
  /// Called once per submitted run, on the engine thread, when the run ends. Must not block.
  using Completion = std::function<void(core::ProbeResult)>;

  explicit HttpProbeEngine(EngineOptions options = {});
  /// Stops: in-flight and queued runs are cut (failure `timeout`, message "cancelled: engine
  /// stopping") and their completions still run. Must not be called from a completion.
  ~HttpProbeEngine();
  HttpProbeEngine(const HttpProbeEngine&) = delete;
  HttpProbeEngine& operator=(const HttpProbeEngine&) = delete;
  HttpProbeEngine(HttpProbeEngine&&) = delete;
  HttpProbeEngine& operator=(HttpProbeEngine&&) = delete;

  /// Thread-safe. Queues one run of `spec`; it starts when its host has a free slot (host = the
  /// URL's host and port; limit = spec.per_host_limit, else the engine default). The run's timeout
  /// starts when it starts. After stop() the completion is called at once, on the caller's thread,
  /// with failure `internal` ("engine stopped").
  void submit(std::shared_ptr<const core::HttpCheckSpec> spec, Completion done);
  /// Thread-safe. Let in-flight and queued runs finish (or hit their timeout), then stop the
  /// thread. Blocks until then. Must not be called from a completion.
  void stop();
  /// Runs queued or in flight (thread-safe, approximate); a run stops counting just before its
  /// completion is called.
  std::size_t pending() const;
  EngineStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs one check to completion on a private engine (for `shopwatch probe`). Blocks the caller.
core::ProbeResult probeOnce(const core::HttpCheckSpec& spec, EngineOptions options = {});

}  // namespace shopwatch::probes
