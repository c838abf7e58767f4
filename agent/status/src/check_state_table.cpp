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
    next.emplace(spec->key, std::move(entry));
  }
  std::map<core::CheckKey, std::unique_ptr<Impl::Entry>> old;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, entry] : next) {
      auto it = impl_->entries.find(key);
      if (it == impl_->entries.end()) continue;
      auto meta = std::move(entry->meta);
      entry = std::move(it->second);
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

}  // namespace

bool CheckStateTable::record(const core::RunRecord& run, const core::RunVerdict& verdict) {
  if (!verdict.counts) return false;
  const core::ProbeResult& result = run.result;
  // Copied before taking the lock: the HTTP server's snapshots and the engine's record() contend only
  // for pointer swaps.
  auto shared = verdict.decides_state ? std::make_shared<const core::ProbeResult>(result) : nullptr;
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
  e.last = lastOf(result);
  // The previous result is released after the lock (`shared` outlives `lock`); a snapshot may still hold it.
  e.result.swap(shared);
  return changed;
}

void CheckStateTable::restore(const core::RunRecord& run, const core::RunVerdict& verdict) {
  if (!verdict.counts) return;
  auto shared = verdict.decides_state ? std::make_shared<const core::ProbeResult>(run.result) : nullptr;
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
  e.last = lastOf(run.result);
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
  return s;
}

std::size_t CheckStateTable::size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->entries.size();
}

}  // namespace shopwatch::agent::status
