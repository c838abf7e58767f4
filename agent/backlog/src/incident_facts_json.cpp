// IncidentFacts as JSON (OutboxAction::facts_json): what a ticket is written from, fixed when the
// action was queued. Keys are the field names; times are µs since the epoch; empty strings and
// unset optionals are left out, and missing keys read back as the defaults (older rows stay
// readable).
#include <nlohmann/json.hpp>

#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog {

namespace {

using nlohmann::json;

// Every string field with its key, for writing and reading alike.
template <typename Facts, typename Fn>
void eachString(Facts& f, Fn&& fn) {
  fn("client", f.client);
  fn("fingerprint", f.fingerprint);
  fn("rule", f.rule);
  fn("shop", f.shop);
  fn("env", f.env);
  fn("check", f.check);
  fn("step", f.step);
  fn("severity", f.severity);
  fn("previous_severity", f.previous_severity);
  fn("expr", f.expr);
  fn("value_text", f.value_text);
  fn("threshold_text", f.threshold_text);
  fn("peak_text", f.peak_text);
  fn("failure", f.failure);
  fn("failed_step", f.failed_step);
  fn("message", f.message);
  fn("phases", f.phases);
  fn("body_snippet", f.body_snippet);
  fn("status_url", f.status_url);
  fn("slo_budget_text", f.slo_budget_text);
  fn("kind", f.kind);
  fn("issue_type", f.issue_type);
  fn("finding_summary", f.finding_summary);
  fn("saving_text", f.saving_text);
  fn("evidence_text", f.evidence_text);
  fn("close_after_text", f.close_after_text);
}

core::Error bad(std::string_view key, std::string_view want) {
  return core::makeError(core::ErrorCode::Invalid, "incident facts: \"" + std::string(key) +
                                                       "\" is not " + std::string(want));
}

}  // namespace

std::string factsToJson(const IncidentFacts& facts) {
  json j = json::object();
  eachString(facts, [&](const char* key, const std::string& value) {
    if (!value.empty()) j[key] = value;
  });
  j["episode"] = facts.episode;
  j["since"] = core::toMicros(facts.since);
  j["at"] = core::toMicros(facts.at);
  if (facts.resolved_at) j["resolved_at"] = core::toMicros(*facts.resolved_at);
  if (facts.last_seen) j["last_seen"] = core::toMicros(*facts.last_seen);
  if (facts.status_code != 0) j["status_code"] = facts.status_code;
  // Replace, not throw, on invalid UTF-8 (a body snippet may hold anything).
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<IncidentFacts> factsFromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return core::makeError(core::ErrorCode::Invalid, "incident facts: not a JSON object");
  IncidentFacts f;
  std::optional<core::Error> error;
  eachString(f, [&](const char* key, std::string& value) {
    auto it = j.find(key);
    if (it == j.end() || error) return;
    if (!it->is_string()) {
      error = bad(key, "a string");
      return;
    }
    value = it->get<std::string>();
  });
  if (error) return *error;
  auto integer = [&](const char* key) -> core::Result<std::optional<std::int64_t>> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::optional<std::int64_t>{};
    if (!it->is_number_integer()) return bad(key, "an integer");
    return std::optional<std::int64_t>{it->get<std::int64_t>()};
  };
  auto episode = integer("episode");
  if (!episode) return episode.error();
  auto since = integer("since");
  if (!since) return since.error();
  auto at = integer("at");
  if (!at) return at.error();
  auto resolved_at = integer("resolved_at");
  if (!resolved_at) return resolved_at.error();
  auto status_code = integer("status_code");
  if (!status_code) return status_code.error();
  auto last_seen = integer("last_seen");
  if (!last_seen) return last_seen.error();
  if (*episode) f.episode = **episode;
  if (*since) f.since = core::fromMicros(**since);
  if (*at) f.at = core::fromMicros(**at);
  if (*resolved_at) f.resolved_at = core::fromMicros(**resolved_at);
  if (*status_code) f.status_code = static_cast<int>(**status_code);
  if (*last_seen) f.last_seen = core::fromMicros(**last_seen);
  return f;
}

}  // namespace shopwatch::agent::backlog
