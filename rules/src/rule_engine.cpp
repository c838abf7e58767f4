#include "shopwatch/rules/rule_engine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "alert_machine.h"
#include "engine_layout.h"
#include "flap_detector.h"
#include "shopwatch/rules/run_outcome.h"

namespace shopwatch::rules {
namespace {

using detail::AlertKind;
using detail::AlertSlot;
using detail::kNone;
using detail::Layout;
using detail::Series;

constexpr std::string_view kConnectivityReason = "agent connectivity: every canary fails";
constexpr core::Micros kSloMinuteSpan = std::chrono::hours{6};

bool sameSlo(const SloSpec& a, const SloSpec& b) {
  return a.name == b.name && a.target.str() == b.target.str() && a.objective == b.objective &&
         a.period == b.period && a.latency_threshold == b.latency_threshold;
}

double seconds(core::Micros d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

struct RuleEngine::Impl {
  explicit Impl(const core::Clock& c) : clock(c) {}

  const core::Clock& clock;
  RuleSet set;
  Layout layout;
  std::unordered_map<std::string, std::size_t> series_by_path;
  std::shared_ptr<const MaintenanceCalendar> calendar;
  std::vector<AlertTransition> transitions;
  bool lost = false;
  std::vector<std::size_t> chain;  ///< scratch: ancestors of a series, reused across runs

  // --- configuration -------------------------------------------------------------------------

  void configure(RuleSet next_set) {
    const core::SystemTime now = clock.now();
    Layout next = detail::buildLayout(next_set, now);
    carryWindows(next);
    carryTrackers(next);
    carryAlerts(next, now);
    for (detail::CanarySlot& c : next.canaries) {
      for (const detail::CanarySlot& old : layout.canaries) {
        if (old.key == c.key) c.down = old.down;
      }
    }
    layout = std::move(next);
    set = std::move(next_set);
    series_by_path.clear();
    for (std::size_t i = 0; i < layout.series.size(); ++i)
      series_by_path.emplace(layout.series[i].path, i);
    lost = connectivityLost();
  }

  void carryWindows(Layout& next) {
    std::unordered_map<std::string, Series*> old;
    for (Series& s : layout.series) old.emplace(s.path, &s);
    for (Series& s : next.series) {
      const auto it = old.find(s.path);
      if (it == old.end()) continue;
      s.window = std::move(it->second->window);
      s.window.setRetain(s.retain);
    }
  }

  void carryTrackers(Layout& next) {
    for (detail::TrackerSlot& t : next.trackers) {
      for (detail::TrackerSlot& old : layout.trackers) {
        if (old.tracker && old.target == t.target && old.interval == t.interval &&
            sameSlo(old.spec, t.spec)) {
          t.tracker = std::move(old.tracker);
          break;
        }
      }
      if (!t.tracker) t.tracker = std::make_unique<SloTracker>(t.spec, t.target, t.interval);
    }
  }

  void carryAlerts(Layout& next, core::SystemTime now) {
    std::map<std::pair<std::string, Target>, std::size_t> old;
    for (std::size_t i = 0; i < layout.alerts.size(); ++i) {
      old.emplace(std::pair{layout.alerts[i].record.rule, layout.alerts[i].record.target}, i);
    }
    std::vector<bool> carried(layout.alerts.size(), false);
    for (AlertSlot& a : next.alerts) {
      const auto it = old.find({a.record.rule, a.record.target});
      if (it == old.end() || layout.alerts[it->second].kind != a.kind) continue;
      AlertSlot& prev = layout.alerts[it->second];
      carried[it->second] = true;
      AlertRecord record = std::move(prev.record);
      if (a.kind != AlertKind::Slo) {
        // The config decides a rule's threshold, text and severity; an SLO alert's come from its
        // tier.
        record.threshold = a.record.threshold;
        record.expr = a.record.expr;
        record.severity = a.record.severity;
      }
      a.record = std::move(record);
      a.watch_since = prev.watch_since;
    }
    for (std::size_t i = 0; i < layout.alerts.size(); ++i) {
      const AlertRecord& prev = layout.alerts[i].record;
      if (carried[i] || prev.state == AlertState::Ok) continue;
      AlertTransition t;
      t.alert = prev;
      t.from = prev.state;
      t.from_severity = prev.severity;
      t.at = now;
      t.removed = true;
      transitions.push_back(std::move(t));
    }
  }

  // --- evaluation ----------------------------------------------------------------------------

  bool connectivityLost() const {
    if (layout.canaries.empty()) return false;
    for (const detail::CanarySlot& c : layout.canaries) {
      if (!c.down || !*c.down) return false;
    }
    return true;
  }

  std::string_view maintenanceReason(std::size_t shop, core::SystemTime now) {
    if (!calendar || shop == kNone) return {};
    detail::ShopSlot& slot = layout.shops[shop];
    const std::int64_t at = core::toMicros(now);
    if (slot.evaluated_at_us != at) {
      slot.evaluated_at_us = at;
      slot.reason.clear();
      if (calendar->active(slot.name, now)) {
        const auto windows = calendar->activeAt(slot.name, now);
        slot.reason = "maintenance ";
        slot.reason += windows.empty() ? std::string("window") : windows.front().name;
      }
    }
    return slot.reason;
  }

  bool parentFiring(std::size_t parent) const {
    if (parent == kNone) return false;
    for (std::size_t i : layout.series[parent].alerts) {
      const AlertSlot& a = layout.alerts[i];
      if (a.marks_parent_outage && a.record.state == AlertState::Firing) return true;
    }
    return false;
  }

  std::string_view suppression(const Series& s, core::SystemTime now) {
    if (auto m = maintenanceReason(s.shop, now); !m.empty()) return m;
    if (parentFiring(s.parent)) return s.parent_reason;
    if (lost) return kConnectivityReason;
    return {};
  }

  void queue(const AlertRecord& record, const detail::StepOutcome& out, core::SystemTime now) {
    AlertTransition t;
    t.alert = record;
    t.from = out.from;
    t.from_severity = out.from_severity;
    t.at = now;
    transitions.push_back(std::move(t));
  }

  void sampleFlap(AlertRecord& r, bool breached) {
    detail::FlapState fs{r.flap_history, r.flap_samples, r.flapping};
    detail::recordFlapSample(fs, breached);
    r.flap_history = fs.history;
    r.flap_samples = fs.samples;
    r.flapping = fs.flapping;
  }

  void evaluateRule(AlertSlot& a, Series& s, core::SystemTime now, bool sample) {
    const std::string_view reason = suppression(s, now);
    std::optional<double> value = s.window.value(a.expr, a.window, now, !reason.empty());
    if (!value && a.expr.kpi == Kpi::NoData) {
      value = seconds(std::max<core::Micros>(core::Micros{0}, now - a.watch_since));
    }
    const bool breached = value && a.expr.breached(*value);
    if (sample && value) sampleFlap(a.record, breached);
    detail::RuleInput in;
    in.now = now;
    in.value = value;
    in.breached = breached;
    in.higher_is_worse = a.higher_is_worse;
    in.for_duration = a.for_duration;
    in.clear_for = a.clear_for;
    in.suppressed_by = reason;
    const auto out = detail::stepRuleAlert(a.record, in);
    if (out.changed) queue(a.record, out, now);
  }

  /// The 1h burn rate (the page tier's long window) while no tier holds.
  std::optional<double> calmBurn(const SloTracker& tracker, core::SystemTime now) const {
    const SloStatus status = tracker.status(now);
    for (const BurnRate& b : status.burn_rates) {
      if (b.window == "1h") return b.value;
    }
    return std::nullopt;
  }

  void evaluateSlo(AlertSlot& a, Series& s, core::SystemTime now, bool sample) {
    const SloTracker& tracker = *layout.trackers[a.tracker].tracker;
    const std::optional<BurnBreach> breach = tracker.breach(now);
    detail::SloInput in;
    in.now = now;
    in.breached = breach.has_value() && breach->tier != nullptr;
    if (in.breached) {
      const auto index = static_cast<std::size_t>(breach->tier - burnTiers().data());
      in.severity = breach->tier->severity;
      in.threshold = breach->tier->factor;
      in.expr = detail::burnTierTexts()[index];
      in.value = breach->long_burn;
    } else if (sample || a.record.state != AlertState::Ok) {
      in.value = calmBurn(tracker, now);
    } else {
      // A calm tick keeps the value of the last run's evaluation: status() sums every window, too
      // much for every tick of every SLO.
      in.value = a.record.value;
    }
    if (sample) sampleFlap(a.record, in.breached);
    in.suppressed_by = suppression(s, now);
    const auto out = detail::stepSloAlert(a.record, in);
    if (out.changed) queue(a.record, out, now);
  }

  void evaluateAlert(std::size_t index, core::SystemTime now, bool sample) {
    AlertSlot& a = layout.alerts[index];
    Series& s = layout.series[a.series];
    if (a.kind == AlertKind::Rule) {
      evaluateRule(a, s, now, sample);
    } else if (a.kind == AlertKind::Slo) {
      evaluateSlo(a, s, now, sample);
    }
  }

  void evaluateSeries(std::size_t series, core::SystemTime now, bool sample) {
    for (std::size_t i : layout.series[series].alerts) evaluateAlert(i, now, sample);
  }

  void evaluateConnectivity(core::SystemTime now) {
    if (layout.connectivity == kNone) return;
    lost = connectivityLost();
    AlertRecord& r = layout.alerts[layout.connectivity].record;
    double failing = 0;
    for (const detail::CanarySlot& c : layout.canaries) failing += (c.down && *c.down) ? 1 : 0;
    r.value = failing;
    const auto out = detail::stepConnectivityAlert(r, now, lost);
    if (out.changed) queue(r, out, now);
  }

  /// Evaluates the series' ancestors root first, so a run's alerts see their parents' state of the
  /// same instant.
  void evaluateAncestors(std::size_t series, core::SystemTime now) {
    chain.clear();
    for (std::size_t p = layout.series[series].parent;
         p != kNone && chain.size() < layout.series.size(); p = layout.series[p].parent) {
      if (p == series || std::find(chain.begin(), chain.end(), p) != chain.end()) break;
      chain.push_back(p);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) evaluateSeries(*it, now, false);
  }

  // --- input ---------------------------------------------------------------------------------

  /// Feeds a run to its canary slot or its series; returns the series (kNone when not watched).
  std::size_t feed(const core::RunRecord& record, const core::RunVerdict& verdict, bool* canary) {
    *canary = false;
    if (!verdict.counts) return kNone;
    RunOutcome outcome = outcomeOf(record, verdict);
    if (record.step.empty()) {
      for (detail::CanarySlot& c : layout.canaries) {
        if (c.key != record.key) continue;
        if (outcome.decided) c.down = outcome.down;
        *canary = true;
        return kNone;
      }
    }
    const auto it = series_by_path.find(detail::seriesPath(record.key, record.step));
    if (it == series_by_path.end()) return kNone;
    // While every canary fails, the monitoring host is cut off: what its checks saw says nothing about
    // the shops. Such runs are left out of KPI windows and SLOs like maintenance time, so alerts do not
    // fire on them once connectivity is back.
    if (lost) outcome.maintenance = true;
    Series& s = layout.series[it->second];
    s.window.add(outcome);
    for (std::size_t t : s.trackers) layout.trackers[t].tracker->add(outcome);
    return it->second;
  }

  void onRun(const core::RunRecord& record, const core::RunVerdict& verdict) {
    bool canary = false;
    const std::size_t series = feed(record, verdict, &canary);
    const core::SystemTime now = clock.now();
    if (canary) {
      evaluateConnectivity(now);
      return;
    }
    if (series == kNone) return;
    layout.series[series].window.prune(now);
    evaluateAncestors(series, now);
    evaluateSeries(series, now, true);
  }

  void tick() {
    const core::SystemTime now = clock.now();
    evaluateConnectivity(now);
    for (std::size_t series : layout.order) {
      layout.series[series].window.prune(now);
      evaluateSeries(series, now, false);
    }
  }

  // --- restore -------------------------------------------------------------------------------

  void restoreAlerts(const std::vector<AlertRecord>& records) {
    const core::SystemTime now = clock.now();
    for (const AlertRecord& r : records) {
      for (AlertSlot& a : layout.alerts) {
        if (a.record.rule != r.rule || a.record.target != r.target) continue;
        AlertRecord restored = r;
        if (a.kind == AlertKind::Rule) {
          restored.threshold = a.record.threshold;
          restored.expr = a.record.expr;
          restored.severity = a.record.severity;
        }
        a.record = std::move(restored);
        a.watch_since = now;
        break;
      }
    }
  }

  void restoreHour(const HourRollup& hour) {
    const auto it = series_by_path.find(detail::seriesPath(hour.target.key, hour.target.step));
    if (it == series_by_path.end()) return;
    std::int64_t events = hour.runs;
    if (hour.covered.count() > 0) {
      const double share = static_cast<double>((hour.covered - hour.maintenance).count()) /
                           static_cast<double>(hour.covered.count());
      events = std::llround(static_cast<double>(hour.runs) * std::clamp(share, 0.0, 1.0));
    } else if (hour.maintenance.count() > 0) {
      events = 0;
    }
    for (std::size_t t : layout.series[it->second].trackers) {
      detail::TrackerSlot& slot = layout.trackers[t];
      std::int64_t bad = hour.down_runs;
      if (slot.spec.latency_threshold) {
        for (const auto& [value, count] : hour.latency) {
          if (value > *slot.spec.latency_threshold) bad += static_cast<std::int64_t>(count);
        }
      }
      slot.tracker->addHour(hour.hour, events, std::min(bad, events));
    }
  }

  // --- views ---------------------------------------------------------------------------------

  core::Micros longestInterval() const {
    core::Micros longest{0};
    for (const CheckInfo& c : set.checks) longest = std::max(longest, c.interval);
    return longest;
  }

  core::Micros rawSpan() const {
    core::Micros span{0};
    for (const RuleSpec& r : set.rules) span = std::max(span, r.window);
    if (!set.slos.empty()) span = std::max(span, kSloMinuteSpan);
    return span + 2 * longestInterval();
  }

  core::Micros periodSpan() const {
    core::Micros span{0};
    for (const SloSpec& s : set.slos) span = std::max(span, s.period);
    return span;
  }

  EngineStats stats() const {
    EngineStats st;
    st.alerts = layout.alerts.size();
    for (const Series& s : layout.series) {
      st.samples += s.window.samples();
      st.memory_bytes += s.window.memoryBytes() + sizeof(Series) + s.path.capacity() +
                         s.alerts.capacity() * sizeof(std::size_t);
    }
    for (const detail::TrackerSlot& t : layout.trackers)
      st.memory_bytes += t.tracker->memoryBytes();
    for (const AlertSlot& a : layout.alerts) {
      st.memory_bytes += sizeof(AlertSlot) + a.record.rule.capacity() + a.record.expr.capacity() +
                         a.record.suppressed_by.capacity() + a.expr.text.capacity();
    }
    return st;
  }
};

RuleEngine::RuleEngine(const core::Clock& clock) : impl_(std::make_unique<Impl>(clock)) {}
RuleEngine::~RuleEngine() = default;

void RuleEngine::configure(RuleSet set) { impl_->configure(std::move(set)); }

void RuleEngine::setCalendar(std::shared_ptr<const MaintenanceCalendar> calendar) {
  impl_->calendar = std::move(calendar);
  for (detail::ShopSlot& s : impl_->layout.shops)
    s.evaluated_at_us = std::numeric_limits<std::int64_t>::min();
}

void RuleEngine::restoreAlerts(const std::vector<AlertRecord>& alerts) {
  impl_->restoreAlerts(alerts);
}

void RuleEngine::restoreRun(const core::RunRecord& record, const core::RunVerdict& verdict) {
  bool canary = false;
  impl_->feed(record, verdict, &canary);
  if (canary) impl_->lost = impl_->connectivityLost();
}

void RuleEngine::restoreHour(const HourRollup& hour) { impl_->restoreHour(hour); }

void RuleEngine::onRun(const core::RunRecord& record, const core::RunVerdict& verdict) {
  impl_->onRun(record, verdict);
}

void RuleEngine::tick() { impl_->tick(); }

std::vector<AlertTransition> RuleEngine::takeTransitions() {
  std::vector<AlertTransition> out;
  out.swap(impl_->transitions);
  return out;
}

std::vector<AlertRecord> RuleEngine::alerts() const {
  std::vector<AlertRecord> out;
  out.reserve(impl_->layout.alerts.size());
  for (const AlertSlot& a : impl_->layout.alerts) out.push_back(a.record);
  std::sort(out.begin(), out.end(), [](const AlertRecord& a, const AlertRecord& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    return a.target < b.target;
  });
  return out;
}

std::vector<SloStatus> RuleEngine::slos() const {
  std::vector<SloStatus> out;
  const core::SystemTime now = impl_->clock.now();
  for (const detail::TrackerSlot& t : impl_->layout.trackers) out.push_back(t.tracker->status(now));
  return out;
}

EngineStats RuleEngine::stats() const { return impl_->stats(); }
core::Micros RuleEngine::rawSpan() const { return impl_->rawSpan(); }
core::Micros RuleEngine::periodSpan() const { return impl_->periodSpan(); }

}  // namespace shopwatch::rules
