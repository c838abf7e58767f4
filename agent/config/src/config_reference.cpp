#include "shopwatch/agent/config/config_reference.h"

#include "backlog_draft.h"
#include "insights_keys.h"
#include "check_appliers.h"
#include "journey_keys.h"
#include "load_state.h"
#include "shopwatch/core/redact.h"
#include "sla_keys.h"
#include "web_keys.h"

namespace shopwatch::agent {
namespace {

std::string formatSize(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024;
  if (bytes >= kKiB * kKiB * kKiB && bytes % (kKiB * kKiB * kKiB) == 0)
    return std::to_string(bytes / (kKiB * kKiB * kKiB)) + "GiB";
  if (bytes >= kKiB * kKiB && bytes % (kKiB * kKiB) == 0)
    return std::to_string(bytes / (kKiB * kKiB)) + "MiB";
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "KiB";
  return std::to_string(bytes) + "B";
}

std::string formatStatus(const std::vector<std::pair<int, int>>& ranges) {
  if (ranges.empty()) return "200-299";
  std::string out;
  for (const auto& [lo, hi] : ranges) {
    if (!out.empty()) out += ", ";
    out += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
  }
  return out;
}

const char* boolText(bool value) { return value ? "true" : "false"; }

}  // namespace

std::string_view describeSource(ValueSource source) {
  switch (source) {
    case ValueSource::Set:
      return "(set)";
    case ValueSource::FromDefaults:
      return "(from defaults)";
    case ValueSource::Derived:
      return "(derived from interval)";
    case ValueSource::Default:
      break;
  }
  return "(default)";
}

std::vector<EffectiveValue> effectiveValues(const AgentConfig& config, const core::Check& check) {
  static const CheckSources kNone;
  auto it = config.sources.find(check.key);
  const CheckSources& sources = it == config.sources.end() ? kNone : it->second;
  std::vector<EffectiveValue> out;
  auto add = [&](std::string key, std::string value) {
    const ValueSource source = sources.of(key);
    out.push_back(EffectiveValue{std::move(key), std::move(value), source});
  };
  const core::Schedule& schedule = check.schedule;
  if (const core::HttpProbe* http = check.http()) {
    add("url", core::redact(http->request.url, config.secrets));
    add("method", http->request.method);
  }
  add("interval", core::formatDuration(schedule.interval));
  add(check.journey() ? "journey_timeout" : "timeout", core::formatDuration(schedule.timeout));
  add("confirm", boolText(schedule.confirm));
  add("confirm_delay", core::formatDuration(schedule.confirm_delay));
  if (const core::HttpProbe* http = check.http()) {
    add("max_body", formatSize(http->request.max_body));
    add("follow_redirects", boolText(http->request.follow_redirects));
    add("expect.status", formatStatus(http->expect.status));
  }
  return out;
}

std::string_view bodyKindName(core::BodyKind kind) {
  switch (kind) {
    case core::BodyKind::Raw:
      return "body";
    case core::BodyKind::Form:
      return "form";
    case core::BodyKind::Json:
      return "json";
    case core::BodyKind::Graphql:
      return "graphql";
    case core::BodyKind::None:
      break;
  }
  return "none";
}

std::vector<StepSummary> journeySteps(const AgentConfig& config, const core::Check& check) {
  std::vector<StepSummary> out;
  const core::JourneyProbe* journey = check.journey();
  if (!journey) return out;
  auto add = [&](const core::JourneyStep& step, bool cleanup) {
    StepSummary summary;
    summary.name = step.name;
    summary.cleanup = cleanup;
    summary.method = step.request.method;
    summary.url = core::redact(step.request.url, config.secrets);
    summary.timeout = core::formatDuration(step.request.timeout);
    summary.body = std::string(bodyKindName(step.body_kind));
    for (const auto& x : step.extract) summary.extracts.push_back(x.variable);
    out.push_back(std::move(summary));
  };
  for (const auto& step : journey->steps) add(step, false);
  for (const auto& step : journey->cleanup) add(step, true);
  return out;
}

std::vector<KeyDoc> keyReference() {
  std::vector<KeyDoc> out;
  detail::topKeyTable().appendDocs(out);
  detail::agentKeyTable().appendDocs(out);
  detail::retentionKeyTable().appendDocs(out);
  detail::shopKeyTable().appendDocs(out);
  detail::checkKeyTable().appendDocs(out);
  detail::expectKeyTable().appendDocs(out);
  detail::jsonExpectationKeyTable().appendDocs(out);
  detail::tlsKeyTable().appendDocs(out);
  detail::authKeyTable().appendDocs(out);
  detail::basicAuthKeyTable().appendDocs(out);
  detail::stepKeyTable().appendDocs(out);
  detail::graphqlKeyTable().appendDocs(out);
  detail::extractKeyTable().appendDocs(out);
  detail::jsonFindKeyTable().appendDocs(out);
  detail::repeatUntilKeyTable().appendDocs(out);
  detail::skipIfKeyTable().appendDocs(out);
  detail::ruleKeyTable().appendDocs(out);
  detail::sloKeyTable().appendDocs(out);
  detail::sloLatencyKeyTable().appendDocs(out);
  detail::maintenanceKeyTable().appendDocs(out);
  detail::slaKeyTable().appendDocs(out);
  detail::insightsKeyTable().appendDocs(out);
  detail::backlogKeyTable().appendDocs(out);
  detail::jiraKeyTable().appendDocs(out);
  detail::jiraPriorityKeyTable().appendDocs(out);
  detail::redmineKeyTable().appendDocs(out);
  detail::redminePriorityKeyTable().appendDocs(out);
  detail::webhookKeyTable().appendDocs(out);
  detail::alertmanagerKeyTable().appendDocs(out);
  detail::webKeyTable().appendDocs(out);
  detail::tlsServerKeyTable().appendDocs(out);
  return out;
}

}  // namespace shopwatch::agent
