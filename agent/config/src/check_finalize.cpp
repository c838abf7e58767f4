#include "check_finalize.h"

#include <algorithm>

namespace shopwatch::agent::detail {
namespace {

struct Place {
  YAML::Node node;
  std::string path;
};

}  // namespace

void finalizeCheck(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                   CheckDraft& draft, bool journey) {
  core::Schedule& schedule = draft.check.schedule;
  const KeyOrigin* interval = draft.origin("interval");
  const char* timeout_key = journey ? "journey_timeout" : "timeout";
  const core::Micros default_timeout = journey ? kDefaultJourneyTimeout : kDefaultTimeout;
  const KeyOrigin* timeout = draft.origin(timeout_key);
  const KeyOrigin* confirm_delay = draft.origin("confirm_delay");

  // A default must never make a config invalid (as Prometheus derives an unset scrape_timeout):
  // what nobody wrote is fitted to the interval; only written values can conflict.
  if (!timeout) {
    schedule.timeout = std::min(default_timeout, schedule.interval);
    if (schedule.timeout != default_timeout) draft.derived.emplace_back(timeout_key);
  }
  if (!confirm_delay) {
    schedule.confirm_delay = std::min(kDefaultConfirmDelay, schedule.interval / 2);
    if (schedule.confirm_delay != kDefaultConfirmDelay) draft.derived.emplace_back("confirm_delay");
  }
  draft.request().timeout = schedule.timeout;

  auto where = [&](const KeyOrigin* first, const KeyOrigin* second, const char* key) -> Place {
    if (first) return Place{first->node, first->path};
    if (second) return Place{second->node, second->path};
    return Place{node, ParseContext::child(path, key)};
  };
  const std::string& name = draft.check.key.check;
  const std::string check = name.empty() ? path : "`" + name + "`";
  // The scheduler and the store work in whole milliseconds; a sub-second interval is a typo in
  // practice (`500ms` for `500s`) and would hammer the shop.
  const bool interval_ok = schedule.interval >= std::chrono::seconds{1};
  if (!interval_ok) {
    Place at = where(interval, nullptr, "interval");
    ctx.report(at.node, at.path,
               "interval must be at least 1s, got " + core::formatDuration(schedule.interval) +
                   " for check " + check);
  }
  if (timeout && schedule.timeout < std::chrono::milliseconds{1}) {
    Place at = where(timeout, nullptr, timeout_key);
    ctx.report(at.node, at.path,
               std::string(timeout_key) + " must be at least 1ms, got " +
                   core::formatDuration(schedule.timeout) + " for check " + check);
  }
  if (interval_ok && schedule.timeout > schedule.interval) {
    Place at = where(timeout, interval, timeout_key);
    ctx.report(at.node, at.path,
               std::string(timeout_key) + " " + core::formatDuration(schedule.timeout) +
                   " exceeds interval " + core::formatDuration(schedule.interval) + " of check " +
                   check);
  }
  if (interval_ok && schedule.confirm && schedule.confirm_delay >= schedule.interval) {
    Place at = where(confirm_delay, interval, "confirm_delay");
    ctx.report(at.node, at.path,
               "confirm_delay " + core::formatDuration(schedule.confirm_delay) +
                   " must be shorter than interval " + core::formatDuration(schedule.interval) +
                   " of check " + check);
  }
  const core::TlsOptions& tls = draft.request().tls;
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    ctx.report(node, ParseContext::child(path, "tls.cert_file"),
               "tls.key_file needs tls.cert_file");
  }
}

CheckSources sourcesOf(const CheckDraft& draft) {
  CheckSources sources;
  for (const auto& [key, origin] : draft.origins) sources.keys.emplace(key, origin.source);
  for (const auto& key : draft.derived) sources.keys[key] = ValueSource::Derived;
  return sources;
}

}  // namespace shopwatch::agent::detail
