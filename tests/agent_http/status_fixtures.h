#pragma once
/// Specs and results shared by the agent_http status tests.

#include <memory>
#include <optional>
#include <string>

#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/accounting.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::testing {

inline std::shared_ptr<core::Check> makeSpec(const std::string& shop, const std::string& check,
                                             bool histogram = false, const std::string& env = "production") {
  auto spec = std::make_shared<core::Check>();
  spec->key = core::CheckKey{shop, env, check};
  spec->http()->request.url = "http://127.0.0.1:1/" + check;
  spec->histogram = histogram;
  return spec;
}

/// Records a run as the runtime does: a RunRecord judged by core::judgeRun. `confirm`: the run is a
/// confirm re-check; `confirm_enabled`: the check's `confirm` when the run was dispatched (unset: the
/// table's current spec; true for an unknown key).
inline bool recordRun(agent::status::CheckStateTable& table, const core::CheckKey& key,
                      const core::ProbeResult& result, bool confirm,
                      std::optional<bool> confirm_enabled = std::nullopt) {
  if (!confirm_enabled) {
    const auto found = table.find(key);
    confirm_enabled = found ? found->meta->spec->schedule.confirm : true;
  }
  core::RunRecord run;
  run.key = key;
  run.confirm = confirm;
  run.confirm_pending = core::awaitsConfirm(result, confirm, *confirm_enabled);
  run.result = result;
  return table.record(run, core::judgeRun(run));
}

inline core::ProbeResult passingResult(std::int64_t started_s = 1'800'000'000, int duration_ms = 120) {
  core::ProbeResult r;
  r.started = core::SystemTime{std::chrono::seconds{started_s}};
  r.success = true;
  r.status_code = 200;
  r.duration = std::chrono::milliseconds{duration_ms};
  r.phases.resolve = std::chrono::microseconds{1500};
  r.phases.connect = std::chrono::microseconds{2500};
  r.phases.tls = std::chrono::milliseconds{30};
  r.phases.processing = std::chrono::milliseconds{70};
  r.phases.transfer = std::chrono::milliseconds{16};
  r.http_version = "1.1";
  r.cert_not_after = core::SystemTime{std::chrono::seconds{1'900'000'000}};
  r.bytes = 5120;
  r.content_length = 5120;
  r.ssl = true;
  r.final_url = "https://shop.test/";
  return r;
}

inline core::ProbeResult failingResult(core::FailureReason reason, std::int64_t started_s = 1'800'000'060) {
  core::ProbeResult r;
  r.started = core::SystemTime{std::chrono::seconds{started_s}};
  r.success = false;
  r.failure = reason;
  r.message = "status 503";
  r.status_code = 503;
  r.duration = std::chrono::milliseconds{40};
  r.http_version = "2";
  r.final_url = "http://127.0.0.1:1/x";
  r.assertions.push_back({"status", false, "status 503"});
  return r;
}

}  // namespace shopwatch::testing
