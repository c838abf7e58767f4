#include "engine_layout.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace shopwatch::rules::detail {
namespace {

constexpr std::string_view kCanaryShop = "shopwatch";

bool usesWindow(Kpi kpi) {
  return kpi != Kpi::FailureStreak && kpi != Kpi::SuccessStreak && kpi != Kpi::CertDays &&
         kpi != Kpi::NoData;
}

bool marksParentOutage(Kpi kpi) {
  return kpi == Kpi::Availability || kpi == Kpi::ErrorRate || kpi == Kpi::FailureStreak ||
         kpi == Kpi::NoData;
}

std::string factorText(double factor) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", factor);
  return buf;
}

/// Builds the layout in steps; one instance per buildLayout call.
class Builder {
 public:
  Builder(const RuleSet& set, core::SystemTime now) : set_(set), now_(now) {}

  Layout build() {
    indexChecks();
    for (const RuleSpec& rule : set_.rules) addRule(rule);
    for (const SloSpec& slo : set_.slos) addSlo(slo);
    addCanaries();
    linkParents();
    return std::move(out_);
  }

 private:
  bool isCanary(const core::CheckKey& key) const {
    if (key.shop == kCanaryShop) return true;
    return std::find(set_.canaries.begin(), set_.canaries.end(), key) != set_.canaries.end();
  }

  void indexChecks() {
    for (const CheckInfo& check : set_.checks) {
      if (isCanary(check.key)) continue;
      by_shop_[check.key.shop].push_back(&check);
    }
  }

  /// The targets of `pattern`, in check order: (check, step) pairs.
  std::vector<std::pair<const CheckInfo*, std::string>> expand(const TargetPattern& pattern) const {
    std::vector<std::pair<const CheckInfo*, std::string>> targets;
    const auto it = by_shop_.find(pattern.shop);
    if (it == by_shop_.end()) return targets;
    for (const CheckInfo* check : it->second) {
      if (pattern.matches(check->key, "")) targets.emplace_back(check, std::string());
      for (const std::string& step : check->steps) {
        if (pattern.matches(check->key, step)) targets.emplace_back(check, step);
      }
    }
    return targets;
  }

  std::size_t seriesFor(const CheckInfo& check, const std::string& step) {
    std::string path = seriesPath(check.key, step);
    const auto it = series_index_.find(path);
    if (it != series_index_.end()) return it->second;
    Series s;
    s.target = Target{check.key, step};
    s.path = path;
    s.shop = shopFor(check.key.shop);
    s.interval = check.interval;
    out_.series.push_back(std::move(s));
    series_index_.emplace(std::move(path), out_.series.size() - 1);
    checks_of_series_.push_back(&check);
    return out_.series.size() - 1;
  }

  std::size_t shopFor(const std::string& shop) {
    const auto it = shop_index_.find(shop);
    if (it != shop_index_.end()) return it->second;
    ShopSlot slot;
    slot.name = shop;
    out_.shops.push_back(std::move(slot));
    shop_index_.emplace(shop, out_.shops.size() - 1);
    return out_.shops.size() - 1;
  }

  bool claim(const std::string& rule, const Target& target) {
    return claimed_.insert({rule, target}).second;
  }

  void addRule(const RuleSpec& rule) {
    for (auto& [check, step] : expand(rule.target)) {
      Target target{check->key, step};
      if (!claim(rule.name, target)) continue;
      AlertSlot a;
      a.kind = AlertKind::Rule;
      a.series = seriesFor(*check, step);
      a.expr = rule.expr;
      a.window = rule.window;
      const core::Micros twice = 2 * check->interval;
      a.for_duration = rule.for_duration.value_or(twice);
      a.clear_for = rule.clear_for.value_or(std::max<core::Micros>(twice, std::chrono::minutes{5}));
      a.higher_is_worse =
          rule.expr.op == CompareOp::Greater || rule.expr.op == CompareOp::GreaterEqual;
      a.marks_parent_outage = marksParentOutage(rule.expr.kpi);
      a.watch_since = now_;
      a.record.rule = rule.name;
      a.record.target = std::move(target);
      a.record.severity = rule.severity;
      a.record.state = AlertState::Ok;
      a.record.since = now_;
      a.record.threshold = rule.expr.threshold;
      a.record.expr = rule.expr.text;
      Series& s = out_.series[a.series];
      if (usesWindow(rule.expr.kpi))
        window_of_[a.series] = std::max(window_of_[a.series], rule.window);
      out_.alerts.push_back(std::move(a));
      s.alerts.push_back(out_.alerts.size() - 1);
    }
  }

  void addSlo(const SloSpec& slo) {
    const BurnTier& page = burnTiers()[0];
    for (auto& [check, step] : expand(slo.target)) {
      Target target{check->key, step};
      if (!claim(slo.name, target)) continue;
      const std::size_t series = seriesFor(*check, step);
      TrackerSlot t;
      t.spec = slo;
      t.target = target;
      t.interval = check->interval;
      out_.trackers.push_back(std::move(t));

      AlertSlot a;
      a.kind = AlertKind::Slo;
      a.series = series;
      a.tracker = out_.trackers.size() - 1;
      a.higher_is_worse = true;
      a.marks_parent_outage = true;
      a.watch_since = now_;
      a.record.rule = slo.name;
      a.record.target = std::move(target);
      a.record.severity = page.severity;
      a.record.since = now_;
      a.record.threshold = page.factor;
      a.record.expr = burnTierTexts()[0];
      out_.alerts.push_back(std::move(a));
      out_.series[series].alerts.push_back(out_.alerts.size() - 1);
      out_.series[series].trackers.push_back(out_.trackers.size() - 1);
    }
  }

  void addCanaries() {
    if (set_.canaries.empty()) return;
    for (const core::CheckKey& key : set_.canaries) out_.canaries.push_back(CanarySlot{key, {}});
    AlertSlot a;
    a.kind = AlertKind::Connectivity;
    a.watch_since = now_;
    a.record.rule = std::string(kConnectivityRule);
    a.record.target = Target{core::CheckKey{std::string(kCanaryShop), "agent", "canary"}, ""};
    a.record.severity = Severity::Critical;
    a.record.since = now_;
    a.record.threshold = static_cast<double>(set_.canaries.size());
    a.record.expr = "every canary fails";
    out_.alerts.push_back(std::move(a));
    out_.connectivity = out_.alerts.size() - 1;
  }

  /// Parent series, reasons, depths (a depends_on cycle is cut where it closes) and the order.
  void linkParents() {
    std::map<core::CheckKey, const CheckInfo*> checks;
    for (const CheckInfo& c : set_.checks) checks.emplace(c.key, &c);
    for (std::size_t i = 0; i < out_.series.size(); ++i) {
      Series& s = out_.series[i];
      s.retain = std::max(s.interval, window_of_[i]);
      s.window.setRetain(s.retain);
      const CheckInfo* check = checks_of_series_[i];
      if (!check->depends_on || *check->depends_on == check->key) continue;
      const auto it = series_index_.find(seriesPath(*check->depends_on, ""));
      if (it == series_index_.end()) continue;
      s.parent = it->second;
      s.parent_reason = "parent " + check->depends_on->str();
    }
    for (std::size_t i = 0; i < out_.series.size(); ++i) {
      int depth = 0;
      const CheckInfo* at = checks_of_series_[i];
      std::set<core::CheckKey> seen{at->key};
      while (at->depends_on) {
        const auto it = checks.find(*at->depends_on);
        if (it == checks.end() || !seen.insert(it->first).second) break;
        at = it->second;
        ++depth;
      }
      out_.series[i].depth = depth;
    }
    out_.order.resize(out_.series.size());
    for (std::size_t i = 0; i < out_.order.size(); ++i) out_.order[i] = i;
    std::stable_sort(out_.order.begin(), out_.order.end(), [&](std::size_t a, std::size_t b) {
      return out_.series[a].depth < out_.series[b].depth;
    });
  }

  const RuleSet& set_;
  core::SystemTime now_;
  Layout out_;
  std::map<std::string, std::vector<const CheckInfo*>, std::less<>> by_shop_;
  std::unordered_map<std::string, std::size_t> series_index_;
  std::unordered_map<std::string, std::size_t> shop_index_;
  std::vector<const CheckInfo*> checks_of_series_;
  std::map<std::size_t, core::Micros> window_of_;
  std::set<std::pair<std::string, Target>> claimed_;
};

}  // namespace

std::string seriesPath(const core::CheckKey& key, const std::string& step) {
  std::string path = key.path();
  if (!step.empty()) {
    path += '/';
    path += step;
  }
  return path;
}

const std::vector<std::string>& burnTierTexts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (const BurnTier& tier : burnTiers()) {
      out.push_back("burn rate > " + factorText(tier.factor) + "x over " +
                    core::formatDuration(tier.long_window) + " and " +
                    core::formatDuration(tier.short_window));
    }
    return out;
  }();
  return texts;
}

Layout buildLayout(const RuleSet& set, core::SystemTime now) { return Builder(set, now).build(); }

}  // namespace shopwatch::rules::detail
