#include "shopwatch/agent/config/config_reference.h"

#include "check_appliers.h"
#include "load_state.h"
#include "shopwatch/core/redact.h"

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
  add("timeout", core::formatDuration(schedule.timeout));
  add("confirm", boolText(schedule.confirm));
  add("confirm_delay", core::formatDuration(schedule.confirm_delay));
  if (const core::HttpProbe* http = check.http()) {
    add("max_body", formatSize(http->request.max_body));
    add("follow_redirects", boolText(http->request.follow_redirects));
    add("expect.status", formatStatus(http->expect.status));
  }
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
  return out;
}

}  // namespace shopwatch::agent
