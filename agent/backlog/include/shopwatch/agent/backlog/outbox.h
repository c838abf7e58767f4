#pragma once
/// The outbox (research/ticketing-slo.md §5): every backlog action is a durable row written in the same
/// transaction as the alert transition that causes it; one ordered queue per incident and sink; a worker
/// thread delivers with retries. Rows are never deleted before they are delivered or dead-lettered.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

enum class ActionKind {
  Open,      ///< the alert fired: create, or reopen / adopt the episode's ticket (the sink decides)
  Escalate,  ///< severity or scope changed while firing: one comment (and priority)
  Digest,    ///< still firing after comment_interval: one digest comment (coalescable)
  Resolve,   ///< the alert resolved: comment with start, end, duration, peak; transition if auto_resolve
  Retire,    ///< the rule or check left the config: "no longer monitored" comment and resolve
};
std::string_view actionKindName(ActionKind k);  ///< open | escalate | digest | resolve | retire
std::optional<ActionKind> parseActionKind(std::string_view text);

enum class ActionState { Pending, Done, Dead };
std::string_view actionStateName(ActionState s);  ///< pending | done | dead

struct OutboxAction {
  std::int64_t id = 0;           ///< row id: the order of actions
  std::int64_t incident_id = 0;
  std::string sink;              ///< "jira" | "webhook" | "alertmanager"
  ActionKind kind = ActionKind::Open;
  /// The facts at the time of the transition (JSON, see IncidentFacts in sink.h): what the ticket text
  /// is built from, so a late delivery still tells what happened when.
  std::string facts_json;
  core::SystemTime created_at{};
  std::int64_t attempts = 0;
  core::SystemTime next_attempt_at{};
  ActionState state = ActionState::Pending;
  std::string last_error;
  /// A create was sent but its answer never arrived (timeout, crash): resolve by label search first.
  bool outcome_unknown = false;
};

}  // namespace shopwatch::agent::backlog
