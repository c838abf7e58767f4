#include "shopwatch/agent/config/rules_summary.h"

#include <array>
#include <cstdio>

#include "shopwatch/agent/config/rule_set.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent {
namespace {

// A number with at most `decimals` decimals, trailing zeros dropped: 99.5, 216, 43.2.
std::string trimmed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string out = buffer;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::string targetText(const rules::Target& target) {
  return target.str() + " (" + target.key.env + ")";
}

core::Micros intervalOf(const rules::RuleSet& set, const core::CheckKey& key) {
  for (const auto& check : set.checks) {
    if (check.key == key) return check.interval;
  }
  return core::Micros{0};
}

std::string twoDigits(int value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d", value);
  return buffer;
}

}  // namespace

std::string formatRecurrence(const rules::Recurrence& r) {
  static constexpr std::array<const char*, 7> kDays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};
  static constexpr std::array<const char*, 4> kNth = {"first", "second", "third", "fourth"};
  const std::string time = twoDigits(r.minutes / 60) + ":" + twoDigits(r.minutes % 60);
  const char* day = r.weekday < kDays.size() ? kDays[r.weekday] : "?";
  switch (r.kind) {
    case rules::Recurrence::Kind::Daily:
      return "daily " + time;
    case rules::Recurrence::Kind::Weekly:
      return std::string(day) + " " + time;
    case rules::Recurrence::Kind::MonthDay:
      return "day " + std::to_string(r.day) + " " + time;
    case rules::Recurrence::Kind::NthWeekday:
      break;
  }
  const char* nth = r.nth == -1 ? "last" : (r.nth >= 1 && r.nth <= 4 ? kNth[r.nth - 1] : "?");
  return std::string(nth) + " " + day + " " + time;
}

std::vector<RuleSummary> ruleSummaries(const AgentConfig& config) {
  const rules::RuleSet set = ruleSetOf(config);
  std::vector<RuleSummary> out;
  for (const auto& rule : config.rules) {
    RuleSummary summary;
    summary.name = rule.name;
    summary.expr = rule.expr.text;
    summary.window = core::formatDuration(rule.window);
    summary.severity = std::string(rules::severityName(rule.severity));
    for (const auto& target : targetsOf(set, rule.target)) {
      const core::Micros interval = intervalOf(set, target.key);
      summary.targets.push_back(RuleTargetSummary{
          targetText(target), core::formatDuration(effectiveFor(rule, interval)),
          rule.for_duration.has_value(), core::formatDuration(effectiveClearFor(rule, interval)),
          rule.clear_for.has_value()});
    }
    out.push_back(std::move(summary));
  }
  return out;
}

std::vector<SloSummary> sloSummaries(const AgentConfig& config) {
  const rules::RuleSet set = ruleSetOf(config);
  std::vector<SloSummary> out;
  for (const auto& slo : config.slos) {
    SloSummary summary;
    summary.name = slo.name;
    summary.objective = trimmed(slo.objective * 100, 3) + "%";
    summary.period = core::formatDuration(slo.period);
    const double minutes =
        std::chrono::duration<double, std::ratio<60>>(slo.period).count() * (1 - slo.objective);
    summary.budget = trimmed(minutes, 1) + " min";
    if (slo.latency_threshold) summary.latency = core::formatDuration(*slo.latency_threshold);
    for (const auto& target : targetsOf(set, slo.target))
      summary.targets.push_back(targetText(target));
    out.push_back(std::move(summary));
  }
  return out;
}

std::vector<MaintenanceSummary> maintenanceSummaries(const AgentConfig& config,
                                                     core::SystemTime now) {
  std::vector<MaintenanceSummary> out;
  for (const auto& spec : config.maintenance) {
    MaintenanceSummary summary;
    summary.name = spec.name;
    for (const auto& shop : spec.shops) summary.shops += (summary.shops.empty() ? "" : ", ") + shop;
    if (spec.shops.empty()) summary.shops = "all shops";
    if (spec.every) {
      summary.schedule = "every " + formatRecurrence(*spec.every) + " " + spec.timezone;
    } else if (spec.start) {
      summary.schedule = "once at " + core::formatRfc3339(*spec.start);
    }
    summary.duration = core::formatDuration(spec.duration);
    summary.reason = spec.reason;
    summary.next = "none";
    // The window in progress counts: it started before `now` and has not ended.
    const rules::MaintenanceCalendar calendar({spec}, {});
    const core::SystemTime from = now - spec.duration;
    for (const auto& occurrence :
         calendar.occurrences("", from, now + std::chrono::hours{24 * 400})) {
      if (occurrence.end <= now) continue;
      summary.next =
          core::formatRfc3339(occurrence.start) + " to " + core::formatRfc3339(occurrence.end);
      break;
    }
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace shopwatch::agent
