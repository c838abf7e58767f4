#pragma once
/// HttpProbeEngine: runs checks on libcurl's multi interface, one event thread, many in flight.
/// A run is a driver over transfers (the redirect chain of a plain HTTP check; B1 adds journeys);
/// parsing that can take milliseconds (JSON, RE2 over a buffered body) runs on a small worker pool
/// so that it cannot delay other runs' timings.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
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
  /// Per-host concurrency limit used when a check's per_host_limit is 0.
  int default_per_host_limit = 4;
  /// Bytes of response bodies held in memory across all in-flight runs (including bodies waiting
  /// for or under evaluation); transfers pause past it.
  std::uint64_t body_budget_bytes = 256ull * 1024 * 1024;
  /// nullptr: libcurl resolves (system resolver). Checks' own `resolve` overrides win over both.
  std::shared_ptr<Resolver> resolver;
  /// Wall clock for ProbeResult::started; nullptr: the system clock. Phases, durations, queue
  /// waits and saturation are always measured with the real monotonic clock.
  const core::Clock* clock = nullptr;
  /// Saturation threshold (see HttpProbeEngine, "Saturation"). Values <= 0 mean 1 µs.
  core::Micros saturation_threshold = std::chrono::milliseconds{5};
  /// Threads evaluating buffered bodies (JSON, body_regex); at least 1.
  int evaluation_threads = 2;
  /// Evaluations waiting for a worker at most; when it is full the event thread evaluates itself
  /// (and, if that makes it late, marks the runs in flight as saturated).
  std::size_t evaluation_queue = 256;
  /// Test hook: called on the thread that evaluates a run's buffered body, just before it does,
  /// with the check's key. Empty in production.
  std::function<void(const core::CheckKey&)> before_evaluation;
};

/// Counters and gauges of one engine (thread-safe snapshot, approximate while it runs).
struct EngineStats {
  std::uint64_t runs_completed = 0;
  /// Highest number of body bytes held in memory at once (only regex/json checks buffer bodies).
  std::uint64_t peak_buffered_bytes = 0;
  /// Times a transfer was paused because the body budget was exhausted.
  std::uint64_t budget_pauses = 0;
  /// Runs submitted that wait for a slot (the engine's inbox and per-host queues).
  std::size_t queued = 0;
  /// Runs whose first transfer has started and that have not completed (transfers running,
  /// or their evaluation).
  std::size_t in_flight = 0;
  /// The event loop was late (see "Saturation") at least once during the last second.
  bool saturated = false;
  /// Completed runs marked ProbeResult::saturated since the engine started.
  std::uint64_t saturated_runs = 0;
  /// The event loop's longest lag since the engine started, whether or not it passed the
  /// saturation threshold (see "Saturation"), in its two kinds: the longest time one iteration
  /// spent processing (the engine's own work on its thread: the event thread's longest stall) and
  /// the most a wait returned later than asked (the thread did not get a CPU).
  core::Micros loop_busy_max{0};
  core::Micros loop_late_wake_max{0};
};

/// Contract of one run:
/// - The engine reads check.probe (the driver factory is the one place that dispatches on it),
///   check.schedule.timeout (bounds the whole run; each request's own timeout bounds it too),
///   check.per_host_limit and check.secrets. A probe kind the engine does not know completes
///   with failure `internal`.
/// - HTTP: every request opens a fresh connection (no reuse, no TLS session or DNS cache), so
///   phases are honest. Redirects are followed by the engine, one request per hop (up to
///   request.max_redirects, else failure `redirects`); phases are summed over hops, `duration` is
///   the run's wall time from its first transfer's start.
/// - Timing: `started` is the wall time the first transfer really started; `queue_wait` is the
///   time from submit() to then (host limit, engine queue). Neither `duration` nor any phase
///   contains queueing (the engine sets no libcurl connection limits, so libcurl never queues).
/// - A failed run keeps the phases it completed: a connect failure its resolve, a TLS failure
///   its resolve and connect, a timeout during the body its processing and the transfer so far.
/// - Failure reasons: dns, connect, tls, timeout (whole run), http_status, assertion,
///   body_too_large (request.max_body, the transfer is aborted), redirects, protocol, internal.
///   The message never contains check.secrets (core::redact); nor do final_url and assertion
///   details.
/// - cert_not_after is the earliest notAfter of the chain the server presented, also when
///   verification failed.
/// - Bodies are only held in memory for body_regex / json; body_contains / body_not_contains are
///   searched while streaming. Held bytes count against EngineOptions::body_budget_bytes until
///   the body is evaluated; a run that would exceed it pauses until bytes are freed (the oldest
///   holder always proceeds, so at most budget + one max_body is held). Buffered bodies are
///   evaluated on the worker pool, never on the event thread unless the pool's queue is full.
/// - Capture (request.capture, plain HTTP checks; a journey step's flag is ignored): the result
///   carries `captured` (core::CapturedResponse), also when the run failed or was cut (then with
///   what it got: the redirect chain so far, the headers of a hop that failed after them).
///   libcurl decodes the body's content-encoding (gzip, deflate, br, zstd) but sends only the
///   request's own Accept-Encoding header (none when the request has none); `captured->body` is
///   the decoded final body (max_body bounds the decoded size), `captured->wire_bytes` the
///   encoded size as transferred (CURLINFO_SIZE_DOWNLOAD_T), while ProbeResult::bytes counts the
///   decoded bytes. Headers are the final response's lines in order with names as sent. A
///   captured body counts against body_budget_bytes while it is received (and evaluated), not
///   after the completion got it. Header values and the redirect chain are redacted, the body is
///   not. Without capture nothing of this is recorded or changed.
/// - Cancelled: a run cut by the engine's destruction (in flight, queued or being evaluated)
///   completes with `cancelled = true`, success false, failure None and message
///   "cancelled: engine stopping"; it is neither a success nor a failure.
/// - Saturation: the event loop measures how late it serves events: the time one iteration spends
///   processing (between two waits for sockets/timers; an event that became ready meanwhile waited
///   that long) and how much later than asked a wait returned. When either exceeds
///   EngineOptions::saturation_threshold, the loop was late at that moment, and every run with a
///   transfer running then is marked `saturated = true` (its timings are not the shop's).
///   Evaluation time on the workers does not count. Stats: EngineStats::saturated, saturated_runs.
/// - The caller must call curl_global_init once before constructing an engine (main does).
class HttpProbeEngine {
 public:
  /// Called once per submitted run, on the engine thread (or on the caller's, see submit), when
  /// the run ends. Must not block.
  using Completion = std::function<void(core::ProbeResult)>;

  explicit HttpProbeEngine(EngineOptions options = {});
  /// Cuts in-flight, queued and evaluating runs (`cancelled`, see above); their completions still
  /// run, on the engine thread, before it returns. Must not be called from a completion.
  ~HttpProbeEngine();
  HttpProbeEngine(const HttpProbeEngine&) = delete;
  HttpProbeEngine& operator=(const HttpProbeEngine&) = delete;
  HttpProbeEngine(HttpProbeEngine&&) = delete;
  HttpProbeEngine& operator=(HttpProbeEngine&&) = delete;

  /// Thread-safe. Queues one run of `check`; it starts when its host has a free slot (host = the
  /// first request's host and port; limit = check.per_host_limit, else the engine default). The
  /// run's timeout starts when its first transfer starts. After stop() the completion is called
  /// at once, on the caller's thread, with `cancelled` ("cancelled: engine stopping").
  void submit(std::shared_ptr<const core::Check> check, Completion done);
  /// Thread-safe. Let in-flight and queued runs finish (or hit their timeout) and their
  /// evaluations end, then stop the thread. Blocks until then. Must not be called from a
  /// completion.
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
core::ProbeResult probeOnce(const core::Check& check, EngineOptions options = {});

}  // namespace shopwatch::probes
