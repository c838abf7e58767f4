#include "shopwatch/probes/http_probe_engine.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "body_budget.h"
#include "curl_handles.h"
#include "driver_factory.h"
#include "engine_run.h"
#include "evaluation_pool.h"
#include "host_slots.h"
#include "engine_counters.h"
#include "loop_lag.h"
#include "run_driver.h"
#include "run_timers.h"
#include "steady_time.h"
#include "transfer.h"

namespace shopwatch::probes {
namespace {

using SteadyClock = std::chrono::steady_clock;
using core::FailureReason;
using core::Micros;
using detail::between;



}  // namespace

struct HttpProbeEngine::Impl {
  struct Submission {
    std::shared_ptr<const core::Check> check;
    Completion done;
    core::SteadyTime submitted;
  };

  using Run = detail::EngineRun;

  explicit Impl(EngineOptions opts)
      : options(std::move(opts)),
        budget(options.body_budget_bytes),
        lag(options.saturation_threshold > Micros{0} ? options.saturation_threshold : Micros{1}),
        pool(options.evaluation_threads, options.evaluation_queue) {
    if (options.default_per_host_limit <= 0) options.default_per_host_limit = 1;
    multi.reset(curl_multi_init());
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    thread = std::jthread([this] { loop(); });
  }

  ~Impl() { shutdown(true); }

  // ---- caller side (any thread) ----

  void submit(std::shared_ptr<const core::Check> check, Completion done) {
    const auto now = SteadyClock::now();
    {
      std::lock_guard lock(mu);
      if (!stopping) {
        counters.pending.fetch_add(1);
        counters.queued.fetch_add(1);
        inbox.push_back(Submission{std::move(check), std::move(done), now});
        curl_multi_wakeup(multi.get());
        return;
      }
    }
    if (done) done(detail::cancelledBeforeStart(check.get(), wallNow()));
  }

  void shutdown(bool cancel_runs) {
    std::lock_guard join_lock(join_mu);
    {
      std::lock_guard lock(mu);
      stopping = true;
      if (cancel_runs) cancel = true;
    }
    if (thread.joinable()) {
      curl_multi_wakeup(multi.get());
      thread.join();
    }
    // Jobs still queued belong to runs already completed as cancelled; their answers go nowhere.
    pool.stop();
  }

  core::SystemTime wallNow() const {
    return options.clock ? options.clock->now() : core::SystemClock::instance().now();
  }

  // ---- engine thread: the loop ----

  void loop() {
    while (true) {
      lag.beginIteration();
      std::vector<Submission> incoming;
      std::vector<std::uint64_t> evaluated_now;
      bool cancel_now = false;
      bool stop_now = false;
      {
        std::lock_guard lock(mu);
        incoming.swap(inbox);
        evaluated_now.swap(evaluated);
        cancel_now = cancel;
        stop_now = stopping;
      }
      for (auto& s : incoming) enqueue(std::move(s));
      for (auto id : evaluated_now) onEvaluated(id);
      if (cancel_now) cancelAll();
      startDirtyHosts();
      // Transfers that yielded last iteration's receive slice go on with a fresh one.
      budget.newIteration();
      if (budget.resumeNeeded()) resumePaused();

      stampStarts();
      int running = 0;
      curl_multi_perform(multi.get(), &running);
      noteLateness();
      drainMessages();
      expireDeadlines();
      expireWakeups();
      if (budget.resumeNeeded()) resumePaused();
      startDirtyHosts();
      noteLateness();
      counters.budget_pauses.store(budget.pauses(), std::memory_order_relaxed);

      if (stop_now && runs.empty() && hosts.empty()) break;
      wait();
    }
  }

  // Waits for sockets, timers or a wakeup; a wait that returns much later than asked means the
  // thread did not get the CPU: saturation as much as a long iteration is.
  void wait() {
    int ms = nextTimeoutMs();
    long curl_ms = -1;
    curl_multi_timeout(multi.get(), &curl_ms);
    if (curl_ms >= 0) ms = std::min<int>(ms, static_cast<int>(curl_ms));
    const auto before = SteadyClock::now();
    curl_multi_poll(multi.get(), nullptr, 0, ms, nullptr);
    const auto waited = between(before, SteadyClock::now());
    if (lag.wokeLate(waited, std::chrono::milliseconds{ms})) lag.noteLate();
  }

  int nextTimeoutMs() const {
    if (hosts.hasReady() || budget.resumeNeeded()) return 0;
    return timers.msUntilNext(SteadyClock::now(), 1000);
  }

  // ---- saturation ----

  // An event that became ready while this iteration was busy has waited as long as the iteration
  // has run so far: past the threshold, the loop is late.
  void noteLateness() {
    if (lag.busyTooLong()) lag.noteLate();
  }

  // ---- engine thread: queueing and starting ----

  void enqueue(Submission s) {
    auto run = std::make_unique<Run>();
    run->id = ++next_id;
    run->check = std::move(s.check);
    run->done = std::move(s.done);
    run->submitted = s.submitted;
    auto driver = factory.create(run->check);
    if (!driver) {
      counters.queued.fetch_sub(1);
      core::ProbeResult result;
      result.failure = FailureReason::Internal;
      result.message = driver.error().message;
      complete(std::move(run), std::move(result));
      return;
    }
    run->driver = std::move(driver).value();
    run->host_key = run->driver->hostKey();
    const int limit = run->check->per_host_limit;
    run->host_limit = limit > 0 ? limit : options.default_per_host_limit;
    hosts.enqueue(std::move(run));
  }

  void startDirtyHosts() {
    hosts.startReady([this](std::unique_ptr<Run> run) { startRun(std::move(run)); });
  }

  void startRun(std::unique_ptr<Run> owned) {
    counters.queued.fetch_sub(1);
    counters.in_flight.fetch_add(1);
    Run& r = *owned;
    runs.emplace(r.id, std::move(owned));
    timers.setDeadline(r, SteadyClock::now() + std::max(r.check->schedule.timeout, Micros{1000}));
    try {
      r.session = std::make_unique<detail::RunSession>(r.driver->sharing());
    } catch (const std::exception& e) {
      return finishRun(r, r.driver->cut(FailureReason::Internal, e.what(), false));
    }
    apply(r, r.driver->start());
  }

  // Carries out what the driver decided, until the run waits for libcurl or a worker, or ends.
  void apply(Run& r, detail::Decision decision) {
    while (true) {
      if (auto* finish = std::get_if<detail::Finish>(&decision)) {
        return finishRun(r, std::move(finish->result));
      }
      if (auto* evaluate = std::get_if<detail::Evaluate>(&decision)) {
        if (offload(r, std::move(evaluate->work))) return;
        budget.release(r.id);
        decision = r.driver->afterEvaluation();
        continue;
      }
      if (auto* wait = std::get_if<detail::Wait>(&decision)) {
        timers.setWakeup(r, SteadyClock::now() + std::max(wait->delay, Micros{0}));
        return;
      }
      auto& next = std::get<detail::NextTransfer>(decision);
      const auto now = SteadyClock::now();
      // A cleanup step gets its own time once, however little of the run's was left.
      const Micros own = next.plan.request ? next.plan.request->timeout : r.check->schedule.timeout;
      if (between(now, r.deadline) < own) (void)grantGrace(r, now);
      if (now >= r.deadline) {
        return finishRun(r, r.driver->cut(FailureReason::Timeout, timeoutText(r), false));
      }
      auto outcome = startTransfer(r, std::move(next.plan), now);
      if (!outcome) return;  // running
      budget.release(r.id);
      decision = r.driver->onTransferDone(std::move(*outcome));
    }
  }

  // A journey that timed out still runs its cleanup: once, the driver's grace extends the deadline.
  bool grantGrace(Run& r, core::SteadyTime now) {
    if (r.grace_granted) return false;
    const Micros grace = r.driver->graceAfterDeadline();
    if (grace <= Micros{0}) return false;
    r.grace_granted = true;
    timers.setDeadline(r, now + grace);
    return true;
  }

  std::string timeoutText(const Run& r) const {
    return "timed out after " + core::formatDuration(r.check->schedule.timeout);
  }

  // nullopt: the transfer runs; else the outcome of one that could not start.
  std::optional<detail::TransferOutcome> startTransfer(Run& r, detail::TransferPlan plan,
                                                       core::SteadyTime now) {
    const Micros own = plan.request ? plan.request->timeout : r.check->schedule.timeout;
    const Micros limit = std::min(own, between(now, r.deadline));
    const Micros shown = std::min(own, r.check->schedule.timeout);
    r.transfer = std::make_unique<detail::Transfer>(std::move(plan), *r.session, budget, r.id);
    if (auto err = r.transfer->prepare(options.resolver.get(), limit, shown, &r)) {
      auto outcome = r.transfer->unstarted(std::move(*err));
      noteFirstStart(r, outcome.started);
      r.transfer.reset();
      return outcome;
    }
    if (curl_multi_add_handle(multi.get(), r.transfer->easy()) != CURLM_OK) {
      auto outcome =
          r.transfer->unstarted({FailureReason::Internal, "curl_multi_add_handle failed"});
      noteFirstStart(r, outcome.started);
      r.transfer.reset();
      return outcome;
    }
    r.in_multi = true;
    to_stamp.push_back(r.id);
    return std::nullopt;
  }

  // Phases count from when libcurl first drives a transfer, which is the next perform; anything
  // this thread did in between (other runs' setup, completions) is not the shop's time.
  void stampStarts() {
    if (to_stamp.empty()) return;
    const auto now = SteadyClock::now();
    for (auto id : to_stamp) {
      auto it = runs.find(id);
      if (it == runs.end() || !it->second->transfer) continue;
      Run& r = *it->second;
      r.transfer->markStarted(now);
      noteFirstStart(r, r.transfer->startTime());
    }
    to_stamp.clear();
  }

  void noteFirstStart(Run& r, core::SteadyTime start) {
    if (r.first_start) return;
    r.first_start = start;
    // A fake clock (tests) gives its own now; the real one is moved back to the real start.
    r.started_wall =
        options.clock ? options.clock->now()
                      : wallNow() - std::chrono::duration_cast<Micros>(SteadyClock::now() - start);
  }

  // ---- engine thread: evaluation ----

  // True when the work went to the pool; false when it ran here (the pool's queue was full).
  bool offload(Run& r, std::function<void()> work) {
    auto shared = std::make_shared<std::function<void()>>(std::move(work));
    std::function<void()> job = [this, id = r.id, check = r.check, shared] {
      if (options.before_evaluation) options.before_evaluation(check->key);
      (*shared)();
      {
        std::lock_guard lock(mu);
        evaluated.push_back(id);
      }
      curl_multi_wakeup(multi.get());
    };
    r.evaluating = true;
    r.deadline_left = between(SteadyClock::now(), r.deadline);
    timers.pauseDeadline(r);
    if (pool.tryPost(job)) return true;
    r.evaluating = false;
    resumeDeadline(r);
    if (options.before_evaluation) options.before_evaluation(r.check->key);
    (*shared)();
    noteLateness();
    return false;
  }

  void resumeDeadline(Run& r) { timers.setDeadline(r, SteadyClock::now() + r.deadline_left); }

  void onEvaluated(std::uint64_t id) {
    auto it = runs.find(id);
    if (it == runs.end() || !it->second->evaluating) return;  // cancelled meanwhile
    Run& r = *it->second;
    r.evaluating = false;
    budget.release(r.id);
    resumeDeadline(r);
    apply(r, r.driver->afterEvaluation());
  }

  // ---- engine thread: transfers ending ----

  void drainMessages() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      auto* r = static_cast<Run*>(priv);
      const CURLcode code = msg->data.result;
      if (r && r->transfer) transferEnded(*r, r->transfer->finish(code), false);
    }
  }

  void transferEnded(Run& r, detail::TransferOutcome outcome, bool timed_out) {
    detachTransfer(r);
    // Late events are noted in time order, so the last one tells whether any fell into this
    // transfer's time (its timings are final now; evaluation later does not count).
    if (lag.lateSince(outcome.started)) r.saturated = true;
    auto decision = r.driver->onTransferDone(std::move(outcome));
    // The run's deadline cut this transfer: what the driver wants next runs only within its grace.
    if (timed_out && !std::holds_alternative<detail::Finish>(decision) &&
        !grantGrace(r, SteadyClock::now())) {
      budget.release(r.id);
      return finishRun(r, r.driver->cut(FailureReason::Timeout, timeoutText(r), false));
    }
    if (!std::holds_alternative<detail::Evaluate>(decision)) budget.release(r.id);
    apply(r, std::move(decision));
  }

  void expireDeadlines() {
    for (const auto id : timers.takeExpiredDeadlines(SteadyClock::now())) {
      auto it = runs.find(id);
      if (it == runs.end()) continue;
      Run& r = *it->second;
      if (r.transfer) {
        transferEnded(r, r.transfer->timedOut(), true);
      } else {
        finishRun(r, r.driver->cut(FailureReason::Timeout, timeoutText(r), false));
      }
    }
  }

  // Runs whose Wait is over go on (a run cut meanwhile is gone from `runs`).
  void expireWakeups() {
    for (const auto id : timers.takeDueWakeups(SteadyClock::now())) {
      auto it = runs.find(id);
      if (it == runs.end() || !it->second->wake_at) continue;
      Run& r = *it->second;
      r.wake_at.reset();
      apply(r, r.driver->afterWait());
    }
  }

  void resumePaused() {
    for (auto id : budget.takePaused()) {
      auto it = runs.find(id);
      if (it == runs.end() || !it->second->transfer) continue;
      it->second->transfer->resume();
    }
  }

  void cancelAll() {
    std::vector<Run*> active;
    for (auto& [id, run] : runs) active.push_back(run.get());
    for (Run* r : active) finishRun(*r, r->driver->cut(FailureReason::None, detail::kCancelledText, true));
    for (auto& run : hosts.takeWaiting()) {
      counters.queued.fetch_sub(1);
      auto result = run->driver->cut(FailureReason::None, detail::kCancelledText, true);
      complete(std::move(run), std::move(result));
    }
  }

  // ---- completion ----

  void detachTransfer(Run& r) {
    if (r.transfer && r.in_multi) curl_multi_remove_handle(multi.get(), r.transfer->easy());
    r.in_multi = false;
    r.transfer.reset();
  }

  // Ends an active run (one in `runs`).
  void finishRun(Run& r, core::ProbeResult result) {
    auto it = runs.find(r.id);
    if (it == runs.end()) return;
    auto owned = std::move(it->second);
    runs.erase(it);
    timers.forget(*owned);
    counters.in_flight.fetch_sub(1);
    hosts.release(owned->host_key);
    complete(std::move(owned), std::move(result));
  }

  void complete(std::unique_ptr<Run> run, core::ProbeResult result) {
    detachTransfer(*run);
    budget.release(run->id);
    counters.peak_buffered.store(budget.peak(), std::memory_order_relaxed);
    detail::finalizeResult(*run, result, wallNow());
    if (result.saturated) counters.saturated_runs.fetch_add(1, std::memory_order_relaxed);
    counters.runs_completed.fetch_add(1, std::memory_order_relaxed);
    auto done = std::move(run->done);
    run.reset();
    counters.pending.fetch_sub(1);
    if (done) {
      try {
        done(std::move(result));
      } catch (...) {
        // A completion must not throw; swallowing keeps the engine thread and other runs alive.
      }
    }
    noteLateness();
  }

  EngineOptions options;
  detail::MultiHandle multi;

  mutable std::mutex mu;  // guards inbox, evaluated, stopping, cancel
  std::vector<Submission> inbox;
  std::vector<std::uint64_t> evaluated;  // runs whose evaluation finished
  bool stopping = false;
  bool cancel = false;
  std::mutex join_mu;

  detail::EngineCounters counters;

  // Engine-thread state.
  std::uint64_t next_id = 0;
  detail::DriverFactory factory;
  detail::BodyBudget budget;
  std::unordered_map<std::uint64_t, std::unique_ptr<Run>> runs;
  detail::HostSlots hosts;
  detail::RunTimers timers;
  std::vector<std::uint64_t> to_stamp;
  detail::LoopLag lag;

  detail::EvaluationPool pool;  // its jobs post into `evaluated` and wake `multi`
  std::jthread thread;          // last: started after everything above exists
};

HttpProbeEngine::HttpProbeEngine(EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpProbeEngine::~HttpProbeEngine() = default;

void HttpProbeEngine::submit(std::shared_ptr<const core::Check> check, Completion done) {
  impl_->submit(std::move(check), std::move(done));
}

void HttpProbeEngine::stop() { impl_->shutdown(false); }

std::size_t HttpProbeEngine::pending() const { return impl_->counters.pending.load(); }

EngineStats HttpProbeEngine::stats() const { return impl_->counters.snapshot(impl_->lag); }
}  // namespace shopwatch::probes
