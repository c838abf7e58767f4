// SLA policy arithmetic and the month's rollup pass (days, phases, Apdex) for buildMonthReport.
#include <algorithm>
#include <array>
#include <optional>

#include "report_builder_parts.h"
#include "shopwatch/storage/latency_histogram.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::report::detail {

Policy policyFor(const AgentConfig& config, const std::string& shop) {
  Policy p;
  for (const SlaTerms& terms : config.sla) {
    if (std::find(terms.shops.begin(), terms.shops.end(), shop) == terms.shops.end()) continue;
    p.terms = &terms;
    p.maintenance = terms.maintenance;
    p.unmonitored = terms.unmonitored;
    p.apdex_t = terms.apdex_t;
    break;
  }
  return p;
}

Times& Times::operator+=(const Times& o) {
  covered += o.covered;
  maintenance += o.maintenance;
  downtime += o.downtime;
  unmonitored += o.unmonitored;
  return *this;
}

Counted countTimes(const Times& t, const Policy& policy) {
  std::int64_t covered = t.covered.count();
  std::int64_t maintenance = t.maintenance.count();
  std::int64_t downtime = t.downtime.count();
  if (policy.maintenance == SlaMaintenance::CountAsDowntime) {
    downtime += maintenance;
    maintenance = 0;
  }
  Counted out;
  out.downtime = core::Micros{downtime};
  if (policy.unmonitored != SlaUnmonitored::Exclude) covered += t.unmonitored.count();
  if (policy.unmonitored == SlaUnmonitored::Down) downtime += t.unmonitored.count();
  const std::int64_t denominator = covered - maintenance;
  if (denominator <= 0) return out;
  out.availability = static_cast<double>(denominator - downtime) / static_cast<double>(denominator);
  if (policy.terms != nullptr && policy.terms->target < 1.0) {
    out.error_budget_used = static_cast<double>(downtime) /
                            ((1.0 - policy.terms->target) * static_cast<double>(denominator));
  }
  return out;
}

namespace {

/// The figures of the series being scanned; rows come ordered by series, then hour.
class SeriesPass {
 public:
  SeriesPass(const AgentConfig& config, const std::vector<LocalDay>& days,
             std::map<storage::SeriesKey, RollupFigures>& out)
      : config_(config), days_(days), out_(out) {}

  void add(const storage::RollupHour& row) {
    if (!row.series.step.empty()) return;
    if (!active_ || row.series != key_) {
      finish();
      begin(row.series);
    }
    if (days_.empty() || row.hour < days_.front().from || row.hour >= days_.back().to) return;
    while (days_[day_].to <= row.hour) closeDay();  // hours ascend: days only move forward
    DayFigures& d = fig_.days[day_];
    Times& t = times_[day_];
    t.covered += row.covered;
    t.maintenance += row.maintenance;
    t.downtime += row.downtime;
    t.unmonitored += row.unmonitored;
    d.runs += row.runs;
    d.failed_runs += row.failed;
    for (const auto& [value, count] : row.latency) {
      day_hist_.add(value, count);
      samples_ += static_cast<std::int64_t>(count);
      if (value <= policy_.apdex_t) {
        satisfied_ += static_cast<std::int64_t>(count);
      } else if (value <= 4 * policy_.apdex_t) {
        tolerating_ += static_cast<std::int64_t>(count);
      }
    }
    for (std::size_t i = 0; i < phase_sum_.size(); ++i) phase_sum_[i] += row.phase_sum[i];
  }

  void finish() {
    if (!active_) return;
    while (day_ < days_.size()) closeDay();
    for (std::size_t i = 0; i < days_.size(); ++i) {
      DayFigures& d = fig_.days[i];
      const Counted c = countTimes(times_[i], policy_);
      d.availability = c.availability;
      d.downtime = c.downtime;
      d.maintenance = times_[i].maintenance;
      d.unmonitored = times_[i].unmonitored;
    }
    fig_.apdex_samples = samples_;
    fig_.apdex_score = static_cast<double>(satisfied_) + static_cast<double>(tolerating_) / 2.0;
    fig_.phases.samples = samples_;
    if (samples_ > 0) {
      fig_.phases.resolve = phase_sum_[0] / samples_;
      fig_.phases.connect = phase_sum_[1] / samples_;
      fig_.phases.tls = phase_sum_[2] / samples_;
      fig_.phases.processing = phase_sum_[3] / samples_;
      fig_.phases.transfer = phase_sum_[4] / samples_;
    }
    out_[key_] = std::move(fig_);
    active_ = false;
  }

 private:
  void begin(const storage::SeriesKey& key) {
    active_ = true;
    key_ = key;
    policy_ = policyFor(config_, key.key.shop);
    fig_ = RollupFigures{};
    fig_.days.resize(days_.size());
    for (std::size_t i = 0; i < days_.size(); ++i) fig_.days[i].date = days_[i].date;
    times_.assign(days_.size(), Times{});
    day_ = 0;
    day_hist_.clear();
    samples_ = satisfied_ = tolerating_ = 0;
    phase_sum_ = {};
  }

  void closeDay() {
    DayFigures& d = fig_.days[day_];
    d.p50 = day_hist_.percentile(0.50);
    d.p95 = day_hist_.percentile(0.95);
    d.p99 = day_hist_.percentile(0.99);
    day_hist_.clear();
    ++day_;
  }

  const AgentConfig& config_;
  const std::vector<LocalDay>& days_;
  std::map<storage::SeriesKey, RollupFigures>& out_;
  bool active_ = false;
  storage::SeriesKey key_;
  Policy policy_;
  RollupFigures fig_;
  std::vector<Times> times_;
  std::size_t day_ = 0;
  storage::LatencyHistogram day_hist_;
  std::int64_t samples_ = 0, satisfied_ = 0, tolerating_ = 0;
  std::array<core::Micros, 5> phase_sum_{};
};

}  // namespace

core::Result<std::map<storage::SeriesKey, RollupFigures>> scanMonthRollups(
    const AgentConfig& config, storage::SqliteResultStore& store,
    const std::vector<LocalDay>& days) {
  std::map<storage::SeriesKey, RollupFigures> out;
  if (days.empty()) return out;
  SeriesPass pass(config, days, out);
  core::Status scanned =
      store.scanRollups(days.front().from, days.back().to, [&pass](const storage::RollupHour& row) {
        pass.add(row);
        return true;
      });
  if (!scanned) return scanned.error();
  pass.finish();
  return out;
}

}  // namespace shopwatch::agent::report::detail
