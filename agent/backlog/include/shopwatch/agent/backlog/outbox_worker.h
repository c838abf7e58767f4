#pragma once
/// OutboxWorker: delivers the outbox (research/ticketing-slo.md §5) on its own thread. One ordered
/// queue per incident and sink: the oldest pending action is delivered first and a later one waits
/// while an earlier one waits for its retry. Per action:
///   1. the attempt is committed before the sink is called (attempts + 1; an Open is marked
///      outcome_unknown while in flight, so a crash after sending is known after the restart);
///   2. sink.send(action, facts, ticket, outcome_unknown) — outcome_unknown true when an earlier
///      Open attempt may have created the ticket (sent without an answer, or a crash mid-flight);
///   3. the outcome is committed before the queue moves on: Done (+ the ticket), Retry (next
///   attempt
///      at now + max(Retry-After, full-jitter backoff: base 2 s doubling, cap 10 min, at least 1
///      s)), Pause (the whole sink waits 1 min, then the head action probes it again; logged once),
///      Dead (dead-lettered, logged at error).
/// Several pending digests of one queue: only the newest is delivered, the others are marked done
/// "coalesced". Every minute, each open incident whose last digest (or opening) is comment_interval
/// old gets a digest action per sink (improvements, isImprovementRule(), never do); every 30 s each sink's refresh() gets the open incidents'
/// facts.
///
/// Every wait is measured on the options' clock: the worker sleeps until the next due time by that
/// clock (a retry, a paused sink's probe, the digest and refresh timers) or until wake(). With a
/// core::FakeClock a test advances the clock and calls wake(); it never busy-loops either way.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::backlog {

struct OutboxWorkerOptions {
  const core::Clock* clock = nullptr;           ///< SystemClock when null; must outlive the worker
  storage::SqliteResultStore* store = nullptr;  ///< with incidentsComponent(); must outlive it
  std::vector<std::unique_ptr<BacklogSink>> sinks;
  core::Micros base_backoff = std::chrono::seconds{2};
  core::Micros max_backoff = std::chrono::minutes{10};
  core::Micros min_retry = std::chrono::seconds{1};  ///< full jitter never retries sooner
  core::Micros pause_for = std::chrono::minutes{1};  ///< a paused sink's wait before its probe
  core::Micros comment_interval = std::chrono::hours{4};
  core::Micros digest_every = std::chrono::minutes{1};
  core::Micros refresh_every = std::chrono::seconds{30};
  std::string client;  ///< facts of a digest whose incident open_facts() does not know
  /// Current facts of the open incidents (matched by fingerprint): digest text and refresh().
  /// Called on the worker thread.
  std::function<std::vector<IncidentFacts>()> open_facts;
  /// Test hook, called after a sink returned and before the outcome is recorded: returning false
  /// simulates a crash there (nothing is recorded and the worker thread ends).
  std::function<bool(const OutboxAction&, const SendResult&)> before_record;
  /// Uniform in [0, 1) for the full jitter; a seeded generator when empty.
  std::function<double()> random;
  /// Secrets to redact from logged errors (AgentConfig::secrets).
  std::vector<std::string> secrets;
  /// The internal alert on a paused sink: called on the worker thread with the sink's stats when it
  /// pauses (401/403: paused true) and when it answers otherwise after a pause (paused false) — and
  /// once per sink at its first answered request since the worker started (paused false), so an
  /// alert left open by an earlier run resolves. Must not block for long or call back into the worker.
  std::function<void(const struct SinkStats&)> on_pause_change;
};

struct SinkStats {
  std::string name;
  bool up = true;                         ///< false while paused or failing without an answer
  std::map<int, std::uint64_t> requests;  ///< HTTP requests by status code (0: no answer)
  bool paused = false;                    ///< refused our credentials (401/403) at its last answer
  std::optional<core::SystemTime> paused_since;
  int pause_code = 0;                     ///< 401 or 403
  std::string pause_error;                ///< the sink's words, secrets redacted
};

struct OutboxStats {
  std::int64_t pending = 0;
  double oldest_pending_age = 0;  ///< seconds; 0 when nothing is pending
  std::int64_t dead = 0;
  std::int64_t incidents_open = 0;
  std::vector<SinkStats> sinks;  ///< in the options' order
};

class OutboxWorker {
 public:
  /// Starts the thread; the first pass runs at once (delivering what a previous run left pending).
  explicit OutboxWorker(OutboxWorkerOptions options);
  ~OutboxWorker();  ///< stop()
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;
  OutboxWorker(OutboxWorker&&) = delete;
  OutboxWorker& operator=(OutboxWorker&&) = delete;

  /// Look at the outbox now (call after a transition job committed). Thread-safe, never blocks.
  void wake();
  /// Asks the thread to end after the request in flight (recorded first); returns at once. May be
  /// called from any thread, a sink's send() included.
  void requestStop();
  /// requestStop(), then joins. Idempotent.
  void stop();
  /// Blocks until the worker sleeps with nothing due by its clock and no wake() unseen, or its
  /// thread has ended; false on timeout (real time). For tests and orderly shutdowns.
  bool waitIdle(std::chrono::milliseconds timeout);
  /// Thread-safe snapshot (figures as of the worker's last pass; ages measured now).
  OutboxStats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopwatch::agent::backlog
