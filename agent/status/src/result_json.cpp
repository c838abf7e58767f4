#include "shopwatch/agent/status/result_json.h"

#include <nlohmann/json.hpp>

#include "shopwatch/core/redact.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::status {

namespace {

using nlohmann::json;

double seconds(core::Micros d) { return static_cast<double>(d.count()) / 1e6; }

json resultObject(const core::ProbeResult& r, const std::vector<std::string>& secrets, bool with_time) {
  auto red = [&](const std::string& s) { return core::redact(s, secrets); };
  json j = json::object();
  j["success"] = r.success;
  if (r.success || r.failure == core::FailureReason::None) {
    j["failure"] = nullptr;
  } else {
    j["failure"] = std::string(core::toString(r.failure));
  }
  j["message"] = red(r.message);
  j["status_code"] = r.status_code;
  j["duration_seconds"] = seconds(r.duration);
  j["phases"] = {{"resolve", seconds(r.phases.resolve)},
                 {"connect", seconds(r.phases.connect)},
                 {"tls", seconds(r.phases.tls)},
                 {"processing", seconds(r.phases.processing)},
                 {"transfer", seconds(r.phases.transfer)}};
  j["http_version"] = red(r.http_version);
  j["tls_cert_not_after"] = r.cert_not_after ? json(core::formatRfc3339(*r.cert_not_after)) : json(nullptr);
  j["redirects"] = r.redirects;
  j["bytes"] = r.bytes;
  j["content_length"] = r.content_length;
  j["ssl"] = r.ssl;
  j["final_url"] = red(r.final_url);
  json assertions = json::array();
  for (const auto& a : r.assertions) {
    assertions.push_back({{"name", red(a.name)}, {"passed", a.passed}, {"detail", red(a.detail)}});
  }
  j["assertions"] = std::move(assertions);
  j["queue_wait_seconds"] = seconds(r.queue_wait);
  j["saturated"] = r.saturated;
  if (r.cancelled) j["cancelled"] = true;
  if (r.evidence) {
    json headers = json::object();
    for (const auto& [name, value] : r.evidence->headers) headers[red(name)] = red(value);
    j["evidence"] = {{"headers", std::move(headers)}, {"body_snippet", red(r.evidence->body_snippet)}};
  }
  if (!r.extracted.empty()) {
    json names = json::array();
    for (const auto& name : r.extracted) names.push_back(name);
    j["extracted"] = std::move(names);  // names only: values may be tokens
  }
  if (!r.steps.empty()) {
    j["failed_step"] = r.failed_step.empty() ? json(nullptr) : json(r.failed_step);
    json steps = json::array();
    for (const auto& step : r.steps) {
      json s = resultObject(step.result, secrets, false);
      s["name"] = step.name;
      s["skipped"] = step.skipped;
      if (step.cleanup) s["cleanup"] = true;
      steps.push_back(std::move(s));
    }
    j["steps"] = std::move(steps);
  }
  if (with_time) j["time"] = core::formatRfc3339(r.started, true);
  return j;
}

std::string dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string probeResultJson(const core::ProbeResult& result, const std::vector<std::string>& secrets,
                            int indent, bool with_time) {
  return dump(resultObject(result, secrets, with_time), indent);
}

std::string checksJson(const std::vector<CheckSnapshot>& checks, int indent) {
  json list = json::array();
  for (const auto& c : checks) {
    const auto& spec = *c.meta->spec;
    json j = json::object();
    j["shop"] = spec.key.shop;
    j["env"] = spec.key.env;
    j["check"] = spec.key.check;
    if (const core::HttpProbe* http = spec.http()) {
      j["kind"] = "http";
      j["url"] = core::redact(http->request.url, spec.secrets);
      j["method"] = http->request.method;
    } else if (const core::JourneyProbe* journey = spec.journey()) {
      j["kind"] = "journey";
      // A journey is shown by where it starts: its first step's request.
      if (!journey->steps.empty()) {
        j["url"] = core::redact(journey->steps.front().request.url, spec.secrets);
        j["method"] = journey->steps.front().request.method;
      } else {
        j["url"] = "";
        j["method"] = "";
      }
      json steps = json::array();
      for (const auto& step : journey->steps) steps.push_back(step.name);
      json cleanup = json::array();
      for (const auto& step : journey->cleanup) cleanup.push_back(step.name);
      j["steps"] = std::move(steps);
      j["cleanup"] = std::move(cleanup);
      j["journey_timeout_seconds"] = seconds(spec.schedule.timeout);
    }
    j["interval_seconds"] = seconds(spec.schedule.interval);
    j["timeout_seconds"] = seconds(spec.schedule.timeout);
    j["histogram"] = spec.histogram;
    j["awaiting_confirm"] = c.counters.awaiting_confirm;
    j["runs"] = {{"success", c.counters.runs_success}, {"failure", c.counters.runs_failure}};
    j["last_run"] = c.counters.last_run ? json(core::formatRfc3339(*c.counters.last_run, true)) : json(nullptr);
    j["last"] = c.result ? resultObject(*c.result, spec.secrets, true) : json(nullptr);
    list.push_back(std::move(j));
  }
  return dump(list, indent);
}

std::string checksJson(const CheckStateTable& table, int indent) {
  return checksJson(table.snapshot(true), indent);
}

}  // namespace shopwatch::agent::status
