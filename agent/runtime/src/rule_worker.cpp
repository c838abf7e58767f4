#include "shopwatch/agent/runtime/rule_worker.h"

#include <spdlog/spdlog.h>

#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

// The few figures the rules read (rules/run_outcome.h), so a queued run costs its key and not its body
// snippet, evidence or steps (steps arrive as records of their own).
core::RunRecord slimForRules(const core::RunRecord& in) {
  core::RunRecord out;
  out.key = in.key;
  out.step = in.step;
  out.run_id = in.run_id;
  out.confirm = in.confirm;
  out.confirm_pending = in.confirm_pending;
  out.in_maintenance = in.in_maintenance;
  out.interval = in.interval;
  out.scheduled = in.scheduled;
  out.result.started = in.result.started;
  out.result.success = in.result.success;
  out.result.failure = in.result.failure;
  out.result.status_code = in.result.status_code;
  out.result.duration = in.result.duration;
  out.result.phases = in.result.phases;
  out.result.cert_not_after = in.result.cert_not_after;
  out.result.saturated = in.result.saturated;
  return out;
}

std::string valueText(const rules::AlertRecord& a, std::optional<double> v) {
  if (!v) return "no data";
  if (auto expr = rules::parseExpr(a.expr)) return rules::formatKpiValue(expr->kpi, *v);
  return fmt::format("{:.3g}", *v);
}

void logTransition(const rules::AlertTransition& t) {
  const rules::AlertRecord& a = t.alert;
  const std::string what = fmt::format("alert {} {} [{}]", a.rule, a.target.str(), rules::severityName(a.severity));
  if (t.removed) {
    spdlog::info("{}: no longer monitored (was {})", what, rules::alertStateName(t.from));
    return;
  }
  std::string detail = fmt::format("{}: {}", a.expr, valueText(a, a.value));
  if (a.state == rules::AlertState::Suppressed) detail += " (" + a.suppressed_by + ")";
  const auto line = fmt::format("{}: {} -> {}; {}", what, rules::alertStateName(t.from), a.apiState(),
                                detail);
  if (a.state == rules::AlertState::Firing) {
    spdlog::warn("{}", line);
  } else {
    spdlog::info("{}", line);
  }
}

}  // namespace

RuleWorker::RuleWorker(RuleWorkerOptions options)
    : options_(std::move(options)), engine_(*options_.clock) {}

RuleWorker::~RuleWorker() { stop(); }

void RuleWorker::start() {
  if (running_.exchange(true)) return;
  thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void RuleWorker::stop() {
  if (!running_.exchange(false)) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_ = std::jthread{};
}

void RuleWorker::configure(rules::RuleSet set) {
  if (!running_.load()) {
    engine_.configure(std::move(set));
    return;
  }
  std::lock_guard lock(mu_);
  queue_.emplace_back(std::move(set));
  cv_.notify_one();
}

void RuleWorker::setCalendar(std::shared_ptr<const rules::MaintenanceCalendar> calendar) {
  if (!running_.load()) {
    engine_.setCalendar(std::move(calendar));
    return;
  }
  std::lock_guard lock(mu_);
  queue_.emplace_back(std::move(calendar));
  cv_.notify_one();
}

void RuleWorker::onRun(const core::RunRecord& record, const core::RunVerdict& verdict) {
  RunItem item{slimForRules(record), verdict};
  std::lock_guard lock(mu_);
  if (queued_runs_ >= options_.queue_capacity) {
    dropped_.fetch_add(1);
    return;
  }
  ++queued_runs_;
  queue_.emplace_back(std::move(item));
  cv_.notify_one();
}

void RuleWorker::onRestore(const core::RunRecord& /*record*/, const core::RunVerdict& /*verdict*/) {
  // The fan-out's restore replays only each series' last rows (for the state table); the rule windows
  // are rebuilt from the store's range scan instead (rules_restore.cpp), before start().
}

void RuleWorker::process(std::deque<Item>& items) {
  for (auto& item : items) {
    if (auto* run = std::get_if<RunItem>(&item)) {
      engine_.onRun(run->record, run->verdict);
    } else if (auto* set = std::get_if<rules::RuleSet>(&item)) {
      engine_.configure(std::move(*set));
    } else {
      engine_.setCalendar(std::get<std::shared_ptr<const rules::MaintenanceCalendar>>(std::move(item)));
    }
  }
  items.clear();
}

void RuleWorker::commit(std::vector<rules::AlertTransition> transitions) {
  if (transitions.empty()) return;
  for (const auto& t : transitions) logTransition(t);
  if (options_.store == nullptr) return;
  const std::size_t n = transitions.size();
  pending_.fetch_add(n);
  auto job = persistence::makeAlertTransitionJob(
      std::move(transitions), options_.hook, [this, n](const core::Status& outcome) {
        pending_.fetch_sub(n);
        if (outcome) {
          committed_.fetch_add(n);
          if (options_.committed) options_.committed();
        } else {
          spdlog::error("alert state: {} transition{} not persisted: {}", n, n == 1 ? "" : "s",
                        outcome.error().message);
        }
      });
  if (!options_.store->submit(std::move(job))) {
    pending_.fetch_sub(n);
    spdlog::warn("alert state: store stopped; {} transition{} not persisted", n, n == 1 ? "" : "s");
  }
}

void RuleWorker::publish() {
  auto snap = std::make_shared<status::AlertSnapshot>();
  snap->at = options_.clock->now();
  snap->alerts = engine_.alerts();
  snap->slos = engine_.slos();
  snap->stats = engine_.stats();
  if (options_.active_maintenance) snap->maintenance = options_.active_maintenance(snap->at);
  options_.board->publish(std::move(snap));
}

void RuleWorker::loop(std::stop_token stop) {
  std::deque<Item> batch;
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, stop, next_tick, [this] { return !queue_.empty(); });
      batch.swap(queue_);
      queued_runs_ = 0;
    }
    process(batch);
    const bool stopping = stop.stop_requested();
    const auto now = std::chrono::steady_clock::now();
    const bool due = now >= next_tick || stopping;
    if (due) {
      engine_.tick();
      next_tick = now + options_.tick;
    }
    auto transitions = engine_.takeTransitions();
    const bool changed = !transitions.empty();
    commit(std::move(transitions));
    if (due || changed) publish();
    if (stopping) {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
    }
  }
}

}  // namespace shopwatch::agent::runtime
