// buildMonthReport: the month's shops and checks from the config and the store, their figures from
// rangeAggregate (totals) and one rollup pass (days, phases, Apdex), incidents and maintenance.
#include "shopwatch/agent/report/report_builder.h"

#include <algorithm>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "report_builder_parts.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::report {

namespace {

using detail::Counted;
using detail::Policy;
using detail::Times;

bool hasData(const storage::Aggregate& a) {
  return a.runs > 0 || a.confirm_runs > 0 || a.covered.count() > 0 || a.unmonitored.count() > 0;
}

bool isCanary(const std::string& shop, const std::string& env) {
  return shop == kCanaryShop && env == kCanaryEnv;
}

Times timesOf(const storage::Aggregate* a) {
  if (a == nullptr) return {};
  return Times{a->covered, a->maintenance, a->downtime, a->unmonitored};
}

/// What the builder looks checks up in.
struct Inputs {
  std::vector<LocalDay> days;
  std::vector<storage::Aggregate> aggregates;
  std::map<core::CheckKey, const storage::Aggregate*> check_agg;              ///< step "" series
  std::map<core::CheckKey, std::vector<const storage::Aggregate*>> step_agg;  ///< with data
  std::map<core::CheckKey, const core::Check*> configured;
  std::map<storage::SeriesKey, detail::RollupFigures> rollups;
  std::map<core::CheckKey, std::vector<ReportIncident>> incidents;
};

CheckReport buildCheck(const core::CheckKey& key, const Policy& policy, const Inputs& in) {
  CheckReport cr;
  cr.check = key.check;
  auto agg_it = in.check_agg.find(key);
  const storage::Aggregate* agg = agg_it == in.check_agg.end() ? nullptr : agg_it->second;
  auto step_it = in.step_agg.find(key);
  auto conf_it = in.configured.find(key);
  cr.journey = (conf_it != in.configured.end() && conf_it->second->journey() != nullptr) ||
               step_it != in.step_agg.end();
  if (policy.terms != nullptr) {
    const auto& names = policy.terms->checks;
    cr.in_sla = names.empty() || std::find(names.begin(), names.end(), key.str()) != names.end();
  }
  const Times times = timesOf(agg);
  const Counted counted = detail::countTimes(times, policy);
  cr.availability = counted.availability;
  cr.covered = times.covered;
  cr.downtime = counted.downtime;
  cr.maintenance = times.maintenance;
  cr.unmonitored = times.unmonitored;
  cr.error_budget_used = counted.error_budget_used;
  if (agg != nullptr) {
    cr.runs = agg->runs;
    cr.failed_runs = agg->failed;
    cr.p50 = agg->p50;
    cr.p95 = agg->p95;
    cr.p99 = agg->p99;
  }
  auto roll_it = in.rollups.find(storage::SeriesKey{key, ""});
  if (roll_it != in.rollups.end()) {
    const detail::RollupFigures& r = roll_it->second;
    cr.days = r.days;
    cr.phases = r.phases;
    if (r.apdex_samples > 0) cr.apdex = r.apdex_score / static_cast<double>(r.apdex_samples);
  } else {
    for (const LocalDay& d : in.days) {
      DayFigures day;
      day.date = d.date;
      cr.days.push_back(std::move(day));
    }
  }
  if (auto inc = in.incidents.find(key); inc != in.incidents.end()) {
    cr.incidents = inc->second;
    std::int64_t resolved = 0;
    core::Micros total{0};
    for (const ReportIncident& i : cr.incidents) {
      if (!i.end) continue;
      ++resolved;
      total += i.duration;
    }
    if (resolved > 0) cr.mttr = total / resolved;
  }
  if (step_it != in.step_agg.end()) {
    for (const storage::Aggregate* s : step_it->second) {
      cr.steps.push_back(StepFigures{s->series.step, s->runs, s->failed, s->p50, s->p95});
    }
    std::stable_sort(cr.steps.begin(), cr.steps.end(),
                     [](const StepFigures& a, const StepFigures& b) {
                       const auto pa = a.p95.value_or(core::Micros{-1});
                       const auto pb = b.p95.value_or(core::Micros{-1});
                       return pa != pb ? pa > pb : a.step < b.step;
                     });
  }
  return cr;
}

SlaSummary buildSla(const ShopReport& shop, const Policy& policy) {
  const SlaTerms& terms = *policy.terms;
  SlaSummary s;
  s.target = terms.target;
  s.target_text = terms.target_text;
  s.maintenance_policy = std::string(slaMaintenanceName(terms.maintenance));
  s.unmonitored_policy = std::string(slaUnmonitoredName(terms.unmonitored));
  s.apdex_t = terms.apdex_t;
  Times sum;
  for (const CheckReport& c : shop.checks) {
    if (!c.in_sla) continue;
    s.checks.push_back(shop.shop + "/" + c.check);
    // c.downtime is as counted; the raw downtime excludes maintenance counted as downtime.
    const core::Micros raw_down = terms.maintenance == SlaMaintenance::CountAsDowntime
                                      ? c.downtime - c.maintenance
                                      : c.downtime;
    sum += Times{c.covered, c.maintenance, raw_down, c.unmonitored};
  }
  const Counted counted = detail::countTimes(sum, policy);
  s.availability = counted.availability;
  if (counted.availability) s.met = *counted.availability >= terms.target;
  s.downtime = counted.downtime;
  s.maintenance = sum.maintenance;
  s.unmonitored = sum.unmonitored;
  s.error_budget_used = counted.error_budget_used;
  return s;
}

std::vector<std::string> worstDays(const ShopReport& shop) {
  std::map<std::string, core::Micros> by_date;
  for (const CheckReport& c : shop.checks) {
    if (shop.sla && !c.in_sla) continue;
    for (const DayFigures& d : c.days) by_date[d.date] += d.downtime;
  }
  std::vector<std::pair<std::string, core::Micros>> days;
  for (const auto& entry : by_date) {
    if (entry.second.count() > 0) days.push_back(entry);
  }
  std::stable_sort(days.begin(), days.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < days.size() && i < 3; ++i) out.push_back(days[i].first);
  return out;
}

}  // namespace

core::Result<MonthReport> buildMonthReport(const AgentConfig& config,
                                           storage::SqliteResultStore& store,
                                           const ReportRequest& request) {
  MonthReport report;
  report.month = request.month.str();
  report.timezone = config.agent.timezone;
  report.client = config.agent.client;
  report.generated_at = request.now;
  auto window = monthInZone(request.month, config.agent.timezone);
  if (!window) return window.error();
  report.from = window->first;
  report.to = window->second;
  Inputs in;
  auto days = daysInZone(request.month, config.agent.timezone);
  if (!days) return days.error();
  in.days = std::move(*days);

  // The hourly pass (days, phases, Apdex) reads the same month as the totals: with parallel_reads
  // it runs meanwhile over its own read-only connection.
  // Declared before `hourly`, so it outlives the task (a future from std::async waits when destroyed).
  std::unique_ptr<storage::SqliteResultStore> second;
  std::future<core::Result<std::map<storage::SeriesKey, detail::RollupFigures>>> hourly;
  if (request.parallel_reads) {
    if (auto opened = storage::SqliteResultStore::openReadOnly(store.path()); opened) {
      second = std::move(*opened);
      hourly = std::async(std::launch::async, [&config, &in, s = second.get()] {
        return detail::scanMonthRollups(config, *s, in.days);
      });
    }
  }
  auto aggregates = store.rangeAggregate(report.from, report.to, request.now);
  if (!aggregates) {
    if (hourly.valid()) hourly.wait();
    return aggregates.error();
  }
  in.aggregates = std::move(*aggregates);

  // Shops: configured ones plus stored ones with data in the month (not the agent's canaries).
  std::set<std::pair<std::string, std::string>> shops;
  for (const ShopConfig& s : config.shops) shops.emplace(s.name, s.env);
  for (const auto& check : config.checks) in.configured[check->key] = check.get();
  for (const storage::Aggregate& a : in.aggregates) {
    if (!hasData(a) || isCanary(a.series.key.shop, a.series.key.env)) continue;
    shops.emplace(a.series.key.shop, a.series.key.env);
    if (a.series.step.empty()) {
      in.check_agg[a.series.key] = &a;
    } else {
      in.step_agg[a.series.key].push_back(&a);
    }
  }
  if (request.shop) {
    std::erase_if(shops, [&](const auto& s) { return s.first != *request.shop; });
    if (shops.empty()) {
      return core::makeError(core::ErrorCode::NotFound,
                             "no shop `" + *request.shop + "` in the config or the store");
    }
  }

  auto rollups = hourly.valid() ? hourly.get() : detail::scanMonthRollups(config, store, in.days);
  if (!rollups) return rollups.error();
  in.rollups = std::move(*rollups);
  auto incidents = detail::loadMonthIncidents(store, report.from, report.to, request.now);
  if (!incidents) return incidents.error();
  in.incidents = std::move(*incidents);
  auto maintenance =
      detail::loadMonthMaintenance(config, store, report.from, report.to, request.shop);
  if (!maintenance) return maintenance.error();
  report.maintenance = std::move(*maintenance);

  for (const auto& [shop_name, env] : shops) {
    ShopReport sr;
    sr.shop = shop_name;
    sr.env = env;
    const Policy policy = detail::policyFor(config, shop_name);
    std::set<std::string> names;
    for (const auto& entry : in.configured) {
      if (entry.first.shop == shop_name && entry.first.env == env) names.insert(entry.first.check);
    }
    for (const auto& entry : in.check_agg) {
      if (entry.first.shop == shop_name && entry.first.env == env) names.insert(entry.first.check);
    }
    for (const auto& entry : in.step_agg) {
      if (entry.first.shop == shop_name && entry.first.env == env) names.insert(entry.first.check);
    }
    for (const std::string& name : names) {
      sr.checks.push_back(buildCheck(core::CheckKey{shop_name, env, name}, policy, in));
    }
    if (policy.terms != nullptr) sr.sla = buildSla(sr, policy);
    sr.worst_days = worstDays(sr);
    report.shops.push_back(std::move(sr));
  }
  return report;
}

MonthReport filterShop(MonthReport report, const std::string& shop) {
  std::erase_if(report.shops, [&](const ShopReport& s) { return s.shop != shop; });
  std::erase_if(report.maintenance, [&](const ReportMaintenance& m) {
    return !m.shops.empty() && std::find(m.shops.begin(), m.shops.end(), shop) == m.shops.end();
  });
  std::erase_if(report.improvements, [&](const ReportImprovement& i) { return i.shop != shop; });
  return report;
}

}  // namespace shopwatch::agent::report
