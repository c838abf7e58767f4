#include "kpi_window.h"

#include <algorithm>

namespace shopwatch::rules::detail {
namespace {

constexpr double kMicrosPerSecond = 1e6;
constexpr double kMicrosPerDay = 86'400e6;

/// The percentile a latency KPI asks for, in per mille (integer, so ⌈p·n⌉ is exact).
std::uint64_t perMilleOf(Kpi kpi) {
  switch (kpi) {
    case Kpi::P50:
      return 500;
    case Kpi::P90:
      return 900;
    case Kpi::P99:
      return 990;
    default:
      return 950;  // P95, TtfbP95
  }
}

}  // namespace

KpiWindow::KpiWindow(core::Micros retain) : retain_(retain) {}

void KpiWindow::setRetain(core::Micros retain) { retain_ = retain; }

void KpiWindow::countDecided(bool down) {
  if (down) {
    ++failure_streak_;
    success_streak_ = 0;
  } else {
    ++success_streak_;
    failure_streak_ = 0;
  }
}

void KpiWindow::add(const RunOutcome& outcome) {
  if (!outcome.counts) return;  // cancelled: neither success nor failure
  const std::int64_t at = core::toMicros(outcome.at);
  if (outcome.confirm) {
    // A confirm decides its run only while that run is the newest and still awaiting it
    // (RunRecord); a late or repeated confirm changes nothing.
    if (runs_.empty()) return;
    Sample& run = runs_.back();
    if (run.run_id != outcome.run_id || run.decided || !outcome.decided) return;
    run.decided = true;
    run.down = outcome.down;
    countDecided(run.down);
    if (outcome.cert_not_after) cert_not_after_ = outcome.cert_not_after;
    return;
  }
  if (!runs_.empty() && at <= runs_.back().at_us) return;  // superseded: covers nothing
  Sample s;
  s.at_us = at;
  s.run_id = outcome.run_id;
  s.interval_us = outcome.interval.count();
  s.duration_us = outcome.duration.count();
  s.ttfb_us = outcome.ttfb.count();
  s.decided = outcome.decided;
  s.down = outcome.decided && outcome.down;
  s.success = outcome.success;
  s.maintenance = outcome.maintenance;
  s.latency_sample = outcome.latency_sample;
  runs_.push_back(s);
  if (s.decided) countDecided(s.down);
  if (outcome.cert_not_after) cert_not_after_ = outcome.cert_not_after;
}

std::pair<std::size_t, std::size_t> KpiWindow::range(std::int64_t from, std::int64_t to) const {
  auto byAt = [](const Sample& s, std::int64_t t) { return s.at_us < t; };
  const auto lo = std::lower_bound(runs_.begin(), runs_.end(), from, byAt);
  const auto hi = std::lower_bound(lo, runs_.end(), to, byAt);
  return {static_cast<std::size_t>(lo - runs_.begin()),
          static_cast<std::size_t>(hi - runs_.begin())};
}

std::optional<double> KpiWindow::availability(std::int64_t from, std::int64_t to, bool with_maint) const {
  const auto [lo, hi] = range(from, to);
  // The run just before the window may cover its start (up to 2 × interval after its slot).
  const std::size_t first = lo > 0 ? lo - 1 : 0;
  std::int64_t counted = 0;  // covered time outside maintenance
  std::int64_t down = 0;
  for (std::size_t i = first; i < hi; ++i) {
    const Sample& s = runs_[i];
    std::int64_t end = s.at_us + 2 * s.interval_us;
    end = std::min(end, i + 1 < runs_.size() ? runs_[i + 1].at_us : to);
    const std::int64_t span = std::min(end, to) - std::max(s.at_us, from);
    if (span <= 0 || (s.maintenance && !with_maint)) continue;
    counted += span;
    if (s.down) down += span;
  }
  if (counted <= 0) return std::nullopt;
  return static_cast<double>(counted - down) / static_cast<double>(counted);
}

std::optional<double> KpiWindow::errorRate(std::int64_t from, std::int64_t to, bool with_maint) const {
  const auto [lo, hi] = range(from, to);
  std::int64_t decided = 0;
  std::int64_t down = 0;
  for (std::size_t i = lo; i < hi; ++i) {
    const Sample& s = runs_[i];
    if (!s.decided || (s.maintenance && !with_maint)) continue;
    ++decided;
    if (s.down) ++down;
  }
  if (decided == 0) return std::nullopt;
  return static_cast<double>(down) / static_cast<double>(decided);
}

std::optional<double> KpiWindow::apdex(std::int64_t from, std::int64_t to, core::Micros t,
                                       bool with_maint) const {
  const auto [lo, hi] = range(from, to);
  const std::int64_t t_us = t.count();
  std::int64_t total = 0;
  std::int64_t satisfied = 0;
  std::int64_t tolerating = 0;
  for (std::size_t i = lo; i < hi; ++i) {
    const Sample& s = runs_[i];
    if (!s.decided || (s.maintenance && !with_maint)) continue;
    if (s.down) {
      ++total;  // frustrated
      continue;
    }
    // An up run without a trustworthy timing (saturated engine, or a failure its confirm cleared)
    // says nothing about how fast the shop answered.
    if (!s.latency_sample) continue;
    ++total;
    if (s.duration_us <= t_us) {
      ++satisfied;
    } else if (s.duration_us <= 4 * t_us) {
      ++tolerating;
    }
  }
  if (total == 0) return std::nullopt;
  return (static_cast<double>(satisfied) + static_cast<double>(tolerating) / 2.0) /
         static_cast<double>(total);
}

std::optional<double> KpiWindow::percentile(std::int64_t from, std::int64_t to, bool ttfb,
                                            std::uint64_t per_mille) const {
  const auto [lo, hi] = range(from, to);
  const std::uint64_t first = dropped_ + lo;
  const std::uint64_t last = dropped_ + hi;
  SortedCache& cache = ttfb ? ttfb_cache_ : duration_cache_;
  SortedRange* hit = nullptr;
  for (auto& slot : cache.slots) {
    if (slot.valid && slot.first == first && slot.last == last) hit = &slot;
  }
  if (!hit) {
    hit = &cache.slots[cache.next];
    cache.next = (cache.next + 1) % kCacheSlots;
    hit->values.clear();
    for (std::size_t i = lo; i < hi; ++i) {
      const Sample& s = runs_[i];
      if (s.latency_sample) hit->values.push_back(ttfb ? s.ttfb_us : s.duration_us);
    }
    std::sort(hit->values.begin(), hit->values.end());
    hit->valid = true;
    hit->first = first;
    hit->last = last;
  } else {
    // Keep the slot just used; replace the other one on the next miss.
    cache.next = static_cast<std::size_t>(hit == &cache.slots[0]) % kCacheSlots;
  }
  const std::uint64_t n = hit->values.size();
  if (n == 0) return std::nullopt;
  const std::uint64_t rank = std::clamp<std::uint64_t>((per_mille * n + 999) / 1000, 1, n);
  return static_cast<double>(hit->values[rank - 1]) / kMicrosPerSecond;
}

std::optional<double> KpiWindow::value(const Expr& expr, core::Micros window, core::SystemTime now,
                                       bool with_maintenance) const {
  const std::int64_t to = core::toMicros(now);
  const std::int64_t from = to - window.count();
  switch (expr.kpi) {
    case Kpi::Availability:
      return availability(from, to, with_maintenance);
    case Kpi::ErrorRate:
      return errorRate(from, to, with_maintenance);
    case Kpi::P50:
    case Kpi::P90:
    case Kpi::P95:
    case Kpi::P99:
      return percentile(from, to, false, perMilleOf(expr.kpi));
    case Kpi::TtfbP95:
      return percentile(from, to, true, perMilleOf(expr.kpi));
    case Kpi::Apdex:
      return apdex(from, to, expr.apdex_t, with_maintenance);
    case Kpi::CertDays:
      if (!cert_not_after_) return std::nullopt;
      return static_cast<double>(core::toMicros(*cert_not_after_) - to) / kMicrosPerDay;
    case Kpi::FailureStreak:
      if (runs_.empty()) return std::nullopt;
      return static_cast<double>(failure_streak_);
    case Kpi::SuccessStreak:
      if (runs_.empty()) return std::nullopt;
      return static_cast<double>(success_streak_);
    case Kpi::NoData:
      if (runs_.empty()) return std::nullopt;
      return static_cast<double>(std::max<std::int64_t>(0, to - runs_.back().at_us)) /
             kMicrosPerSecond;
  }
  return std::nullopt;
}

std::optional<core::SystemTime> KpiWindow::lastRunAt() const {
  if (runs_.empty()) return std::nullopt;
  return core::fromMicros(runs_.back().at_us);
}

void KpiWindow::prune(core::SystemTime now) {
  const std::int64_t cutoff = core::toMicros(now) - retain_.count();
  // Run 0 covers at most until run 1's slot: once that is at or before the cutoff, no window that
  // starts after the cutoff sees run 0. The newest run always stays (no_data, coverage, confirms).
  while (runs_.size() >= 2 && runs_[1].at_us <= cutoff) {
    runs_.pop_front();
    ++dropped_;
  }
}

std::size_t KpiWindow::samples() const { return runs_.size(); }

std::size_t KpiWindow::memoryBytes() const {
  // libstdc++'s deque allocates nodes of 512 bytes' worth of elements plus a map of node pointers
  // (at least 8).
  constexpr std::size_t kPerNode = std::max<std::size_t>(1, 512 / sizeof(Sample));
  const std::size_t nodes = runs_.size() / kPerNode + 1;
  std::size_t bytes = sizeof(*this) + nodes * kPerNode * sizeof(Sample) +
                      std::max<std::size_t>(8, nodes + 2) * sizeof(void*);
  for (const SortedCache* cache : {&duration_cache_, &ttfb_cache_}) {
    for (const auto& slot : cache->slots) bytes += slot.values.capacity() * sizeof(std::int64_t);
  }
  return bytes;
}

}  // namespace shopwatch::rules::detail
