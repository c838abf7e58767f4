#include "shopwatch/agent/backlog/outbox_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "commit_wait.h"
#include "retry_backoff.h"
#include "outbox_queues.h"
#include "sink_pause.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::backlog {

namespace {

// The shortest real sleep between passes: a guard, never reached in a healthy loop.
constexpr auto kMinSleep = std::chrono::milliseconds{10};

enum class Delivery { Delivered, Waiting, Paused, Failed, Crashed };

}  // namespace

class OutboxWorker::Impl {
 public:
  explicit Impl(OutboxWorkerOptions options)
      : o_(std::move(options)),
        clock_(o_.clock != nullptr ? *o_.clock : core::SystemClock::instance()),
        rng_(std::random_device{}()) {
    for (auto& s : o_.sinks) {
      SinkState st;
      st.sink = s.get();
      st.stats.name = std::string(s->name());
      sinks_.push_back(std::move(st));
    }
    const auto now = clock_.now();
    next_digest_ = now;
    next_refresh_ = now + o_.refresh_every;
  }

  void start() {
    thread_ = std::jthread([this] { run(); });
  }

  void wake() {
    {
      std::lock_guard lk(mu_);
      wake_pending_ = true;
      idle_ = false;
    }
    cv_.notify_all();
  }

  void requestStop() {
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }

  void stop() {
    requestStop();
    if (thread_.joinable()) thread_.join();
  }

  bool waitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu_);
    return idle_cv_.wait_for(lk, timeout, [&] { return (idle_ && !wake_pending_) || exited_; });
  }

  OutboxStats stats() const {
    std::lock_guard lk(mu_);
    OutboxStats out;
    out.pending = counts_.pending;
    out.dead = counts_.dead;
    out.incidents_open = counts_.incidents_open;
    if (counts_.oldest_pending) {
      const auto age = clock_.now() - *counts_.oldest_pending;
      out.oldest_pending_age = std::max(0.0, static_cast<double>(age.count()) / 1e6);
    }
    for (const auto& s : sinks_) out.sinks.push_back(s.stats);
    return out;
  }

 private:
  struct SinkState {
    BacklogSink* sink = nullptr;
    SinkStats stats;  // guarded by mu_
    std::optional<core::SystemTime> paused_until;
    bool pause_logged = false;
    bool answered = false;  // an answered request since the worker started (on_pause_change)
  };

  bool stopping() const {
    std::lock_guard lk(mu_);
    return stopping_;
  }

  void run() {
    for (;;) {
      {
        std::lock_guard lk(mu_);
        if (stopping_) break;
        wake_pending_ = false;
      }
      const auto due = pass();
      if (crashed_) break;
      auto wake_at = std::min({due.value_or(core::SystemTime::max()), next_digest_, next_refresh_});
      std::unique_lock lk(mu_);
      if (stopping_) break;
      if (wake_pending_) continue;
      idle_ = true;
      idle_cv_.notify_all();
      // Sleep by the options' clock: the real wait is what that clock says is left (a fake clock
      // that is advanced comes with a wake()).
      const auto left = wake_at - clock_.now();
      const auto real = std::max<std::chrono::steady_clock::duration>(
          kMinSleep, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::min<core::Micros>(left, std::chrono::hours{24})));
      cv_.wait_for(lk, real, [&] { return wake_pending_ || stopping_; });
      idle_ = false;
    }
    std::lock_guard lk(mu_);
    exited_ = true;
    idle_ = false;
    idle_cv_.notify_all();
  }

  // Runs a write job and waits for its commit (see the header: written before acted on).
  template <typename Make>
  core::Status commit(Make make) {
    return detail::submitAndWait(*o_.store, std::move(make), [this] { return stopping(); });
  }

  template <typename Fn>
  core::Status read(Fn&& fn) {
    return o_.store->read([&](storage::Db& db) { return fn(db); });
  }

  // One look at the outbox: digests and refreshes when due, then every queue's due actions.
  // Returns the earliest time something waits for.
  std::optional<core::SystemTime> pass() {
    auto now = clock_.now();
    if (now >= next_digest_) {
      queueDigests(now);
      next_digest_ = now + o_.digest_every;
    }
    if (now >= next_refresh_) {
      refreshSinks();
      next_refresh_ = now + o_.refresh_every;
    }
    std::vector<OutboxAction> actions;
    std::vector<IncidentTicket> tickets;
    auto st = read([&](storage::Db& db) -> core::Status {
      auto a = loadPendingActions(db);
      if (!a) return a.error();
      auto t = loadTickets(db);
      if (!t) return t.error();
      actions = std::move(*a);
      tickets = std::move(*t);
      return {};
    });
    if (!st) {
      logOnce("backlog: cannot read the outbox: " + st.error().message);
      return clock_.now() + o_.base_backoff;
    }
    tickets_.clear();
    for (auto& t : tickets) tickets_[detail::QueueKey{t.incident_id, t.sink}] = std::move(t.ticket);

    std::optional<core::SystemTime> due;
    auto waitFor = [&](core::SystemTime t) { due = due ? std::min(*due, t) : t; };
    for (auto& q : detail::groupQueues(std::move(actions))) {
      if (stopping() || crashed_) break;
      auto* sink = findSink(q.key.second);
      if (sink == nullptr) continue;  // not configured (any more): kept for a later run
      if (!coalesceDigests(q)) {
        waitFor(clock_.now() + o_.base_backoff);
        continue;
      }
      for (const auto& action : q.actions) {
        if (stopping() || crashed_) break;
        now = clock_.now();
        if (sink->paused_until && *sink->paused_until > now) {
          waitFor(*sink->paused_until);
          break;
        }
        if (action.next_attempt_at > now) {
          waitFor(action.next_attempt_at);
          break;
        }
        core::SystemTime next{};
        const auto d = deliver(*sink, action, next);
        if (d == Delivery::Delivered) continue;
        if (d == Delivery::Crashed) return due;
        if (d == Delivery::Failed) next = clock_.now() + o_.base_backoff;
        waitFor(next);
        break;
      }
    }
    updateCounts();
    return due;
  }

  SinkState* findSink(const std::string& name) {
    for (auto& s : sinks_)
      if (s.stats.name == name) return &s;
    return nullptr;
  }

  // Marks every digest that a newer pending digest of the queue supersedes done "coalesced" and
  // drops it from the queue. False when a commit failed.
  bool coalesceDigests(detail::Queue& q) {
    std::vector<OutboxAction> kept;
    bool newer_digest = false;
    for (auto it = q.actions.rbegin(); it != q.actions.rend(); ++it) {
      if (it->kind == ActionKind::Digest) {
        if (newer_digest) {
          auto st = commit([&](auto done) {
            return makeMarkDoneJob(it->id, it->incident_id, it->sink, std::nullopt, "coalesced",
                                   std::move(done));
          });
          if (!st) return false;
          continue;
        }
        newer_digest = true;
      }
      kept.push_back(std::move(*it));
    }
    std::reverse(kept.begin(), kept.end());
    q.actions = std::move(kept);
    return true;
  }

  core::Micros backoff(std::int64_t attempts, const std::optional<core::Micros>& retry_after) {
    const double r = o_.random ? o_.random() : std::uniform_real_distribution<double>(0, 1)(rng_);
    return detail::retryDelay(attempts, o_.base_backoff, o_.max_backoff, o_.min_retry, r,
                              retry_after);
  }

  void countRequests(SinkState& sink, const SendResult& r) {
    std::lock_guard lk(mu_);
    for (int code : r.request_codes) ++sink.stats.requests[code];
  }

  // The internal alert's edges (sink_pause.h), reported outside the lock.
  void markPaused(SinkState& sink, const SendResult& result) {
    std::optional<SinkStats> edge;
    {
      std::lock_guard lk(mu_);
      edge = detail::notePause(sink.stats, sink.answered, result.http_code, plain(result.error),
                               clock_.now());
    }
    if (edge && o_.on_pause_change) o_.on_pause_change(*edge);
  }

  void answeredWithout401(SinkState& sink, const SendResult& result) {
    std::optional<SinkStats> edge;
    bool was_paused = false;
    {
      std::lock_guard lk(mu_);
      was_paused = sink.stats.paused;
      edge = detail::noteAnswer(sink.stats, sink.answered, result.http_code);
    }
    if (edge && was_paused) spdlog::info("backlog {} answers again (HTTP {})", edge->name, result.http_code);
    if (edge && o_.on_pause_change) o_.on_pause_change(*edge);
  }

  void setUp(SinkState& sink, bool up) {
    std::lock_guard lk(mu_);
    sink.stats.up = up;
  }

  std::string plain(const std::string& text) const { return core::redact(text, o_.secrets); }

  // Delivers one due action (module comment, steps 1–3). `next`: when the queue may go on, for
  // Waiting and Paused.
  Delivery deliver(SinkState& sink, const OutboxAction& action, core::SystemTime& next) {
    const bool unknown_before = action.outcome_unknown;
    const bool is_open = action.kind == ActionKind::Open;
    AttemptUpdate start;
    start.action_id = action.id;
    start.count = true;
    start.outcome_unknown = is_open || unknown_before;
    if (auto st = commit([&](auto done) { return makeRecordAttemptJob(start, std::move(done)); });
        !st) {
      logOnce("backlog: cannot record an outbox attempt: " + st.error().message);
      return Delivery::Failed;
    }
    auto facts = factsFromJson(action.facts_json);
    if (!facts) return deadLetter(sink, action, "unreadable facts: " + facts.error().message);

    const detail::QueueKey key{action.incident_id, action.sink};
    std::optional<Ticket> ticket;
    if (auto it = tickets_.find(key); it != tickets_.end()) ticket = it->second;
    const auto result = sink.sink->send(action, *facts, ticket, unknown_before);
    countRequests(sink, result);
    if (o_.before_record && !o_.before_record(action, result)) {
      crashed_ = true;
      return Delivery::Crashed;
    }

    const bool unknown_after = unknown_before || (is_open && result.sent_without_answer);
    switch (result.status) {
      case SendStatus::Done: {
        auto st = commit([&](auto done) {
          return makeMarkDoneJob(action.id, action.incident_id, action.sink, result.ticket, "",
                                 std::move(done));
        });
        if (!st) return Delivery::Failed;
        if (result.ticket) tickets_[key] = *result.ticket;
        sink.pause_logged = false;
        setUp(sink, true);
        answeredWithout401(sink, result);
        return Delivery::Delivered;
      }
      case SendStatus::Retry: {
        next = clock_.now() + backoff(action.attempts + 1, result.retry_after);
        AttemptUpdate u{action.id, false, next, unknown_after, plain(result.error)};
        if (auto st = commit([&](auto done) { return makeRecordAttemptJob(u, std::move(done)); });
            !st)
          return Delivery::Failed;
        // A 429 or a 4xx is an answer: the sink is up, only busy.
        setUp(sink, result.http_code > 0 && result.http_code < 500);
        answeredWithout401(sink, result);
        spdlog::debug("backlog {}: {} action {} retried at attempt {}: {}", sink.stats.name,
                      actionKindName(action.kind), action.id, action.attempts + 1,
                      plain(result.error));
        return Delivery::Waiting;
      }
      case SendStatus::Pause: {
        sink.paused_until = clock_.now() + o_.pause_for;
        next = *sink.paused_until;
        AttemptUpdate u{action.id, false, std::nullopt, unknown_after, plain(result.error)};
        if (auto st = commit([&](auto done) { return makeRecordAttemptJob(u, std::move(done)); });
            !st)
          return Delivery::Failed;
        setUp(sink, false);
        if (!sink.pause_logged) {
          sink.pause_logged = true;
          spdlog::error("backlog {} paused (HTTP {}): {}; its queue is kept and probed every {}",
                        sink.stats.name, result.http_code, plain(result.error),
                        core::formatDuration(o_.pause_for));
        }
        markPaused(sink, result);
        return Delivery::Paused;
      }
      case SendStatus::Dead:
        setUp(sink, result.http_code > 0 && result.http_code < 500);
        answeredWithout401(sink, result);
        return deadLetter(sink, action, result.error);
    }
    return Delivery::Failed;
  }

  Delivery deadLetter(SinkState& sink, const OutboxAction& action, const std::string& error) {
    const auto text = plain(error);
    if (auto st =
            commit([&](auto done) { return makeMarkDeadJob(action.id, text, std::move(done)); });
        !st)
      return Delivery::Failed;
    spdlog::error("backlog {}: {} action {} of incident {} dead-lettered: {}", sink.stats.name,
                  actionKindName(action.kind), action.id, action.incident_id, text);
    return Delivery::Delivered;
  }

  std::vector<Incident> openIncidents() {
    std::vector<Incident> out;
    auto st = read([&](storage::Db& db) -> core::Status {
      auto loaded = loadIncidents(db, false);
      if (!loaded) return loaded.error();
      out = std::move(*loaded);
      return {};
    });
    if (!st) logOnce("backlog: cannot read incidents: " + st.error().message);
    return out;
  }

  void queueDigests(core::SystemTime now) {
    auto incidents = openIncidents();
    std::vector<IncidentFacts> known;
    bool asked = false;
    for (const auto& inc : incidents) {
      if (inc.sinks.empty() || isImprovementRule(inc.rule)) continue;  // improvements: no digests
      if (inc.last_digest_at.value_or(inc.opened_at) + o_.comment_interval > now) continue;
      if (!asked && o_.open_facts) known = o_.open_facts();
      asked = true;
      DigestRequest r{
          inc.id, inc.episode, inc.last_digest_at, inc.sinks, factsToJson(detail::factsOf(inc, known, o_.client, now)),
          now};
      if (auto st = commit([&](auto done) { return makeDigestJob(r, std::move(done)); }); !st) {
        logOnce("backlog: cannot queue a digest: " + st.error().message);
        return;
      }
    }
  }

  void refreshSinks() {
    if (!o_.open_facts) return;
    const auto incidents = openIncidents();
    const auto known = o_.open_facts();
    const auto now = clock_.now();
    for (auto& s : sinks_) {
      if (s.paused_until && *s.paused_until > now) continue;
      std::vector<IncidentFacts> firing;
      for (const auto& inc : incidents) {
        if (std::find(inc.sinks.begin(), inc.sinks.end(), s.stats.name) != inc.sinks.end())
          firing.push_back(detail::factsOf(inc, known, o_.client, now));
      }
      const std::vector<int> codes = s.sink->refresh(firing);
      std::lock_guard lk(mu_);
      for (int code : codes) ++s.stats.requests[code];
    }
  }

  void updateCounts() {
    OutboxCounts c;
    auto st = read([&](storage::Db& db) -> core::Status {
      auto loaded = countOutbox(db);
      if (!loaded) return loaded.error();
      c = *loaded;
      return {};
    });
    if (!st) return;
    std::lock_guard lk(mu_);
    counts_ = c;
  }

  // The store logs its own degradation; a worker that cannot read or write says so once per cause.
  void logOnce(const std::string& message) {
    if (message == last_logged_) return;
    last_logged_ = message;
    spdlog::warn("{}", message);
  }

  OutboxWorkerOptions o_;
  const core::Clock& clock_;
  std::mt19937_64 rng_;
  std::vector<SinkState> sinks_;
  std::map<detail::QueueKey, Ticket> tickets_;  // worker thread only
  core::SystemTime next_digest_{};
  core::SystemTime next_refresh_{};
  bool crashed_ = false;  // worker thread only
  std::string last_logged_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  bool wake_pending_ = true;
  bool idle_ = false;
  bool exited_ = false;
  bool stopping_ = false;
  OutboxCounts counts_;
  std::jthread thread_;
};

OutboxWorker::OutboxWorker(OutboxWorkerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->start();
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::wake() { impl_->wake(); }
void OutboxWorker::requestStop() { impl_->requestStop(); }
void OutboxWorker::stop() { impl_->stop(); }
bool OutboxWorker::waitIdle(std::chrono::milliseconds timeout) { return impl_->waitIdle(timeout); }
OutboxStats OutboxWorker::stats() const { return impl_->stats(); }

}  // namespace shopwatch::agent::backlog
