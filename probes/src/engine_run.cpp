#include "engine_run.h"

#include <algorithm>
#include <chrono>

#include "shopwatch/core/redact.h"

namespace shopwatch::probes::detail {

const std::string& checkUrl(const core::Check& check) {
  static const std::string kNone;
  if (const auto* http = check.http()) return http->request.url;
  if (const auto* journey = check.journey(); journey && !journey->steps.empty()) {
    return journey->steps.front().request.url;
  }
  return kNone;
}

void finalizeResult(const EngineRun& run, core::ProbeResult& result, core::SystemTime wall_now) {
  const auto now = std::chrono::steady_clock::now();
  result.started = run.first_start ? run.started_wall : wall_now;
  result.queue_wait = std::max(core::Micros{0}, std::chrono::duration_cast<core::Micros>(
                                                    run.first_start.value_or(now) - run.submitted));
  result.saturated = run.saturated;
  if (run.check) {
    const auto& secrets = run.check->secrets;
    result.message = core::redact(result.message, secrets);
    result.final_url =
        core::redact(result.final_url.empty() ? checkUrl(*run.check) : result.final_url, secrets);
    for (auto& a : result.assertions) a.detail = core::redact(a.detail, secrets);
    if (result.captured && !secrets.empty()) {
      for (auto& url : result.captured->redirect_chain) url = core::redact(url, secrets);
      for (auto& header : result.captured->headers) {
        header.second = core::redact(header.second, secrets);
      }
    }
  }
  if (result.cancelled) {
    result.success = false;
    result.failure = core::FailureReason::None;
  }
  if (result.success) result.message.clear();
}

core::ProbeResult cancelledBeforeStart(const core::Check* check, core::SystemTime wall_now) {
  core::ProbeResult result;
  result.started = wall_now;
  result.cancelled = true;
  result.message = kCancelledText;
  if (check) result.final_url = core::redact(checkUrl(*check), check->secrets);
  return result;
}

}  // namespace shopwatch::probes::detail
