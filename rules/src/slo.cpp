#include "shopwatch/rules/slo.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace shopwatch::rules {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr core::Micros kMinuteSpan = hours{6};
constexpr std::int64_t kMinuteUs = 60LL * 1'000'000;
constexpr std::int64_t kHourUs = 60 * kMinuteUs;

/// Floor division (times before the epoch stay in the right bucket).
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::size_t slotOf(std::int64_t index, std::int64_t size) {
  return static_cast<std::size_t>((index % size + size) % size);
}

std::size_t heapBytes(const std::string& s) {
  // Short strings live inside the object (SSO); longer ones own capacity() + 1 bytes on the heap.
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

std::uint32_t saturatingAdd(std::uint32_t a, std::int64_t b) {
  const std::int64_t r = static_cast<std::int64_t>(a) + b;
  return static_cast<std::uint32_t>(
      std::min<std::int64_t>(r, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

const std::array<BurnTier, 4>& burnTiers() {
  static const std::array<BurnTier, 4> kTiers{{
      {hours{1}, minutes{5}, 14.4, Severity::Critical, "1h/5m"},
      {hours{6}, minutes{30}, 6.0, Severity::Critical, "6h/30m"},
      {hours{72}, hours{6}, 1.0, Severity::Warning, "3d/6h"},
      {hours{24}, hours{2}, 3.0, Severity::Warning, "1d/2h"},
  }};
  return kTiers;
}

const std::vector<std::pair<std::string_view, core::Micros>>& burnRateWindows() {
  static const std::vector<std::pair<std::string_view, core::Micros>> kWindows{
      {"5m", minutes{5}}, {"30m", minutes{30}}, {"1h", hours{1}}, {"2h", hours{2}},
      {"6h", hours{6}},   {"1d", hours{24}},    {"3d", hours{72}}};
  return kWindows;
}

SloTracker::Counts* SloTracker::Ring::at(std::int64_t index) {
  const auto size = static_cast<std::int64_t>(slots.size());
  if (size == 0) return nullptr;
  if (!started) {
    std::fill(slots.begin(), slots.end(), Counts{});
    newest = index;
    started = true;
  } else if (index > newest) {
    // Clear the buckets the ring moves over (all of them after a gap longer than the ring).
    const std::int64_t steps = std::min(index - newest, size);
    for (std::int64_t i = 1; i <= steps; ++i) {
      slots[slotOf(index - steps + i, size)] = Counts{};
    }
    newest = index;
  } else if (index <= newest - size) {
    return nullptr;
  }
  return &slots[slotOf(index, size)];
}

void SloTracker::Ring::sum(std::int64_t first, std::int64_t last, std::int64_t& events,
                           std::int64_t& bad) const {
  if (!started || slots.empty()) return;
  const auto size = static_cast<std::int64_t>(slots.size());
  first = std::max(first, newest - size + 1);
  last = std::min(last, newest);
  for (std::int64_t i = first; i <= last; ++i) {
    const Counts& c = slots[slotOf(i, size)];
    events += c.events;
    bad += c.bad;
  }
}

SloTracker::SloTracker(SloSpec spec, Target target, core::Micros check_interval)
    : spec_(std::move(spec)), target_(std::move(target)), interval_(check_interval) {
  minutes_.slots.resize(static_cast<std::size_t>(kMinuteSpan / minutes{1}) + 1);
  const std::int64_t period_us = std::max<std::int64_t>(spec_.period.count(), 0);
  const std::int64_t period_hours = (period_us + kHourUs - 1) / kHourUs;
  hours_.slots.resize(static_cast<std::size_t>(period_hours) + 1);
}

void SloTracker::count(core::SystemTime at, bool bad) {
  const std::int64_t us = core::toMicros(at);
  if (Counts* c = minutes_.at(floorDiv(us, kMinuteUs))) {
    c->events = saturatingAdd(c->events, 1);
    if (bad) c->bad = saturatingAdd(c->bad, 1);
  }
  if (Counts* c = hours_.at(floorDiv(us, kHourUs))) {
    c->events = saturatingAdd(c->events, 1);
    if (bad) c->bad = saturatingAdd(c->bad, 1);
  }
}

void SloTracker::add(const RunOutcome& outcome) {
  if (!outcome.decided || outcome.maintenance) return;
  bool bad = outcome.down;
  // A confirm row only decides whether its run was down; its own latency is not an event.
  if (!bad && !outcome.confirm && spec_.latency_threshold && outcome.success &&
      outcome.latency_sample && outcome.duration > *spec_.latency_threshold) {
    bad = true;
  }
  count(outcome.at, bad);
}

void SloTracker::addHour(core::SystemTime hour_start, std::int64_t events, std::int64_t bad) {
  if (events <= 0 || bad < 0) return;
  bad = std::min(bad, events);
  if (Counts* c = hours_.at(floorDiv(core::toMicros(hour_start), kHourUs))) {
    c->events = saturatingAdd(c->events, events);
    c->bad = saturatingAdd(c->bad, bad);
  }
}

SloTracker::Sum SloTracker::sum(core::SystemTime now, core::Micros window) const {
  const core::Micros w = std::min(window, spec_.period);
  const std::int64_t now_us = core::toMicros(now);
  const std::int64_t start_us = now_us - w.count();
  Sum s;
  if (w <= kMinuteSpan) {
    minutes_.sum(floorDiv(start_us, kMinuteUs), floorDiv(now_us, kMinuteUs), s.events, s.bad);
  } else {
    hours_.sum(floorDiv(start_us, kHourUs), floorDiv(now_us, kHourUs), s.events, s.bad);
  }
  return s;
}

std::optional<double> SloTracker::burn(const Sum& s) const {
  if (s.events <= 0) return std::nullopt;
  const double budget = 1.0 - spec_.objective;
  if (budget <= 0) return s.bad > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  const double ratio = static_cast<double>(s.bad) / static_cast<double>(s.events);
  return ratio / budget;
}

std::optional<BurnBreach> SloTracker::breach(core::SystemTime now) const {
  std::optional<BurnBreach> best;
  for (const BurnTier& tier : burnTiers()) {
    if (best && tier.severity <= best->tier->severity) continue;
    const Sum long_sum = sum(now, tier.long_window);
    if (long_sum.bad < 2) continue;
    const std::optional<double> long_burn = burn(long_sum);
    if (!long_burn || !(*long_burn > tier.factor)) continue;
    // The short window must hold at least 3 runs, or a single failure is already a large ratio.
    const core::Micros short_window = std::max(tier.short_window, 3 * interval_);
    const std::optional<double> short_burn = burn(sum(now, short_window));
    if (!short_burn || !(*short_burn > tier.factor)) continue;
    best = BurnBreach{&tier, *long_burn, *short_burn, short_window};
  }
  return best;
}

SloStatus SloTracker::status(core::SystemTime now) const {
  SloStatus st;
  st.slo = spec_.name;
  st.target = target_;
  st.objective = spec_.objective;
  const Sum period = sum(now, spec_.period);
  st.events = period.events;
  st.bad = period.bad;
  if (const std::optional<double> b = burn(period)) st.budget_remaining = 1.0 - *b;
  st.burn_rates.reserve(burnRateWindows().size());
  for (const auto& [name, window] : burnRateWindows()) {
    st.burn_rates.push_back(BurnRate{name, burn(sum(now, window))});
  }
  st.breach = breach(now);
  return st;
}

std::size_t SloTracker::memoryBytes() const {
  std::size_t bytes = sizeof(*this);
  bytes += minutes_.slots.capacity() * sizeof(Counts);
  bytes += hours_.slots.capacity() * sizeof(Counts);
  for (const std::string* s :
       {&spec_.name, &spec_.target.shop, &spec_.target.check, &spec_.target.step, &target_.key.shop,
        &target_.key.env, &target_.key.check, &target_.step}) {
    bytes += heapBytes(*s);
  }
  return bytes;
}

}  // namespace shopwatch::rules
