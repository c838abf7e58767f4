#include "shopwatch/agent/status/check_state_table.h"

#include <charconv>
#include <map>
#include <mutex>

namespace shopwatch::agent::status {

namespace {

double parseHttpVersion(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return 0;
  return v;
}

std::shared_ptr<const CheckMeta> makeMeta(std::shared_ptr<const core::Check> spec) {
  auto meta = std::make_shared<CheckMeta>();
  const auto& key = spec->key;
  meta->labels.reserve(key.shop.size() + key.env.size() + key.check.size() + 24);
  meta->labels += "shop=\"";
  appendEscapedLabelValue(meta->labels, key.shop);
  meta->labels += "\",env=\"";
  appendEscapedLabelValue(meta->labels, key.env);
  meta->labels += "\",check=\"";
  appendEscapedLabelValue(meta->labels, key.check);
  meta->labels += '"';
  if (const core::JourneyProbe* journey = spec->journey()) {
    meta->steps.reserve(journey->steps.size() + journey->cleanup.size());
    auto add = [&meta](const std::vector<core::JourneyStep>& list, bool cleanup) {
      for (const auto& step : list) {
        StepMeta& m = meta->steps.emplace_back();
        m.name = step.name;
        m.cleanup = cleanup;
        m.labels.reserve(meta->labels.size() + step.name.size() + 8);
        m.labels = meta->labels;
        m.labels += ",step=\"";
        appendEscapedLabelValue(m.labels, step.name);
        m.labels += '"';
      }
    };
    add(journey->steps, false);
    add(journey->cleanup, true);
  }
  meta->spec = std::move(spec);
  return meta;
}

}  // namespace

void appendEscapedLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

struct CheckStateTable::Impl {
  struct Entry {
    std::shared_ptr<const CheckMeta> meta;
    CheckCounters counters;
    std::optional<LastResult> last;
    std::shared_ptr<const core::ProbeResult> result;  // set together with `last`; never mutated
    std::vector<StepState> steps;                     // parallel to meta->steps
  };
  mutable std::mutex mu;
  std::map<core::CheckKey, std::unique_ptr<Entry>> entries;
};

CheckStateTable::CheckStateTable() : impl_(std::make_unique<Impl>()) {}
CheckStateTable::~CheckStateTable() = default;

void CheckStateTable::setChecks(const std::vector<std::shared_ptr<const core::Check>>& specs) {
  // Label text is built outside the lock; only the swap happens under it.
  std::map<core::CheckKey, std::unique_ptr<Impl::Entry>> next;
  for (const auto& spec : specs) {
    if (!spec || next.count(spec->key) != 0) continue;
    auto entry = std::make_unique<Impl::Entry>();
    entry->meta = makeMeta(spec);
    entry->steps.resize(entry->meta->steps.size());
    next.emplace(spec->key, std::move(entry));
  }
  std::map<core::CheckKey, std::unique_ptr<Impl::Entry>> old;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, entry] : next) {
      auto it = impl_->entries.find(key);
      if (it == impl_->entries.end()) continue;
      auto meta = std::move(entry->meta);
      auto steps = std::move(entry->steps);
      entry = std::move(it->second);
      // Steps are matched by name: a journey's step list may change on reload.
      for (std::size_t i = 0; i < meta->steps.size(); ++i) {
        for (std::size_t j = 0; j < entry->meta->steps.size() && j < entry->steps.size(); ++j) {
          if (entry->meta->steps[j].name == meta->steps[i].name) {
            steps[i] = std::move(entry->steps[j]);
            break;
          }
        }
      }
      entry->steps = std::move(steps);
      entry->meta = std::move(meta);
    }
    old.swap(impl_->entries);
    impl_->entries.swap(next);
  }
}

namespace {

LastResult lastOf(const core::ProbeResult& result) {
  LastResult last;
  last.started = result.started;
  last.success = result.success;
  last.failure = result.failure;
  last.status_code = result.status_code;
  last.duration = result.duration;
  last.phases = result.phases;
  last.http_version = parseHttpVersion(result.http_version);
  last.cert_not_after = result.cert_not_after;
  last.redirects = result.redirects;
  last.bytes = result.bytes;
  last.content_length = result.content_length;
  last.ssl = result.ssl;
  return last;
}

// The step whose response a journey's probe_http_* gauges show: the failing one, else the last step
// that ran (what blackbox_exporter shows for a chain: the final response).
const core::ProbeResult* shownStep(const core::ProbeResult& journey) {
  const core::ProbeResult* shown = nullptr;
  for (const auto& step : journey.steps) {
    if (step.cleanup || step.skipped) continue;
    if (!journey.failed_step.empty() && step.name == journey.failed_step) return &step.result;
    shown = &step.result;
  }
  return shown;
}

LastResult journeyLastOf(const core::ProbeResult& result) {
  LastResult last = lastOf(result);
  if (result.steps.empty()) return last;
  if (const core::ProbeResult* shown = shownStep(result)) {
    last.status_code = shown->status_code;
    last.http_version = parseHttpVersion(shown->http_version);
    last.redirects = shown->redirects;
    last.bytes = shown->bytes;
    last.content_length = shown->content_length;
    last.ssl = shown->ssl;
  }
  // Phases add up over the run's steps as blackbox_exporter's add up over redirects; the journey's
  // certificate expiry is the earliest any step saw.
  last.phases = {};
  last.cert_not_after.reset();
  for (const auto& step : result.steps) {
    if (step.skipped) continue;
    const auto& p = step.result.phases;
    last.phases.resolve += p.resolve;
    last.phases.connect += p.connect;
    last.phases.tls += p.tls;
    last.phases.processing += p.processing;
    last.phases.transfer += p.transfer;
    if (step.result.cert_not_after &&
        (!last.cert_not_after || *step.result.cert_not_after < *last.cert_not_after)) {
      last.cert_not_after = step.result.cert_not_after;
    }
  }
  return last;
}

/// A step's new state, computed before the table's lock is taken.
struct StepUpdate {
  const std::string* name;
  bool skipped;
  LastResult last;  // unset when skipped
};

std::vector<StepUpdate> stepUpdates(const core::ProbeResult& result) {
  std::vector<StepUpdate> out;
  out.reserve(result.steps.size());
  for (const auto& step : result.steps) {
    auto& u = out.emplace_back();
    u.name = &step.name;
    u.skipped = step.skipped;
    if (!step.skipped) u.last = lastOf(step.result);
  }
  return out;
}

void applySteps(const CheckMeta& meta, std::vector<StepState>& states,
                std::vector<StepUpdate>& updates) {
  for (auto& u : updates) {
    for (std::size_t i = 0; i < meta.steps.size() && i < states.size(); ++i) {
      if (meta.steps[i].name != *u.name) continue;
      // A skipped step was not run: it keeps what its last run showed.
      states[i].skipped = u.skipped;
      if (!u.skipped) states[i].last = std::move(u.last);
      break;
    }
  }
}

}  // namespace

bool CheckStateTable::record(const core::RunRecord& run, const core::RunVerdict& verdict) {
  if (!verdict.counts || !run.step.empty()) return false;
  const core::ProbeResult& result = run.result;
  // Copied before taking the lock: the HTTP server's snapshots and the engine's record() contend only
  // for pointer swaps.
  auto shared = verdict.decides_state ? std::make_shared<const core::ProbeResult>(result) : nullptr;
  auto steps = verdict.decides_state ? stepUpdates(result) : std::vector<StepUpdate>{};
  const LastResult last = journeyLastOf(result);
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(run.key);
  if (it == impl_->entries.end()) return false;
  auto& e = *it->second;
  auto& c = e.counters;
  if (result.success) {
    ++c.runs_success;
  } else {
    ++c.runs_failure;
  }
  c.last_run = result.started;
  c.awaiting_confirm = verdict.awaiting_confirm;
  if (!verdict.decides_state) return false;
  const bool changed = e.last ? e.last->success != result.success : !result.success;
  if (!result.success) {
    const auto reason = static_cast<std::size_t>(result.failure == core::FailureReason::None
                                                     ? core::FailureReason::Internal
                                                     : result.failure);
    if (reason < c.failures.size()) ++c.failures[reason];
  }
  // Timings taken while the engine was saturated measure the agent, not the shop: they stay out of
  // the latency histogram (the gauges still show the run).
  if (!result.saturated) {
    const double seconds = std::chrono::duration<double>(result.duration).count();
    std::size_t bucket = 0;
    while (bucket < kDurationBuckets.size() && seconds > kDurationBuckets[bucket]) ++bucket;
    ++c.duration_buckets[bucket];
    ++c.duration_count;
    c.duration_sum += seconds;
  }
  e.last = last;
  applySteps(*e.meta, e.steps, steps);
  // The previous result is released after the lock (`shared` outlives `lock`); a snapshot may still hold it.
  e.result.swap(shared);
  return changed;
}

void CheckStateTable::restore(const core::RunRecord& run, const core::RunVerdict& verdict) {
  if (!verdict.counts || !run.step.empty()) return;
  auto shared = verdict.decides_state ? std::make_shared<const core::ProbeResult>(run.result) : nullptr;
  auto steps = verdict.decides_state ? stepUpdates(run.result) : std::vector<StepUpdate>{};
  const LastResult last = journeyLastOf(run.result);
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(run.key);
  if (it == impl_->entries.end()) return;
  auto& e = *it->second;
  if (!e.counters.last_run || *e.counters.last_run <= run.result.started) {
    e.counters.last_run = run.result.started;
    // A confirm re-check that was pending when the agent stopped never comes: nothing awaits it now.
    e.counters.awaiting_confirm = false;
  }
  if (!verdict.decides_state) return;
  if (e.last && e.last->started > run.result.started) return;  // a newer run is already shown
  e.last = last;
  applySteps(*e.meta, e.steps, steps);
  e.result.swap(shared);
}

std::vector<CheckSnapshot> CheckStateTable::snapshot(bool with_results) const {
  std::vector<CheckSnapshot> out;
  std::lock_guard lock(impl_->mu);
  out.reserve(impl_->entries.size());
  for (const auto& [key, e] : impl_->entries) {
    auto& s = out.emplace_back();
    s.meta = e->meta;
    s.counters = e->counters;
    s.last = e->last;
    if (with_results) s.result = e->result;
    s.steps = e->steps;
  }
  return out;
}

std::optional<CheckSnapshot> CheckStateTable::find(const core::CheckKey& key) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(key);
  if (it == impl_->entries.end()) return std::nullopt;
  CheckSnapshot s;
  s.meta = it->second->meta;
  s.counters = it->second->counters;
  s.last = it->second->last;
  s.result = it->second->result;
  s.steps = it->second->steps;
  return s;
}

std::size_t CheckStateTable::size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->entries.size();
}

}  // namespace shopwatch::agent::status
