#pragma once
/// Incidents ([D], research/ticketing-slo.md §3–§4): one per rule and target, keyed by a fingerprint that
/// survives restarts and never contains values. An incident has episodes: each time its alert starts
/// firing a new episode begins; the backlog ticket may be reused (reopen) or replaced (a new, linked one).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/rules/alert.h"

namespace shopwatch::agent::backlog {

/// `shopwatch-` + the first 32 hex digits of sha256 of the identity
/// `v1|<client>|<shop>|<env>|<rule>|<check>|<step>` (lowercase; never values, thresholds or severity).
std::string incidentFingerprint(std::string_view client, std::string_view rule, const rules::Target& target);

enum class IncidentState { Open, Resolved };
std::string_view incidentStateName(IncidentState s);  ///< "open" | "resolved"

struct Incident {
  std::int64_t id = 0;        ///< row id
  std::string fingerprint;    ///< incidentFingerprint(); also the Jira label
  std::string rule;
  rules::Target target;
  rules::Severity severity = rules::Severity::Warning;
  IncidentState state = IncidentState::Open;
  std::int64_t episode = 1;                 ///< 1, 2, … (a new episode each time the alert fires again)
  core::SystemTime opened_at{};             ///< start of the current episode (alert.fired_at)
  std::optional<core::SystemTime> resolved_at;
  std::optional<double> peak;               ///< worst KPI value of the episode
  std::string expr;                         ///< the rule's expression
  double threshold = 0;
  std::optional<core::SystemTime> last_digest_at;  ///< last digest comment queued (comment_interval)
  std::vector<std::string> sinks;           ///< the sinks this incident is filed with (rules[].notify)
};

}  // namespace shopwatch::agent::backlog
