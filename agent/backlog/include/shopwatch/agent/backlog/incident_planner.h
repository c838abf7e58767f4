#pragma once
/// IncidentPlanner: turns alert transitions into incident rows and outbox actions (issue [D]
/// "Lifecycle", research/ticketing-slo.md §3–§5), inside the transaction that writes the
/// transitions (persistence::makeAlertTransitionJob's `extra` hook) — so an incident and its
/// actions commit with the state change that causes them, or not at all.
///
/// Per transition (one incident per rule and target, keyed by incidentFingerprint):
/// - → Firing from ok / pending / suppressed: open the incident (a resolved one starts a new
/// episode:
///   episode + 1, opened_at = fired_at) and queue an `open` action per sink;
/// - Firing → Firing with another severity: an `escalate` action per sink of the incident;
/// - → Ok while the incident is open: resolve it (resolved_at, peak from the record), `resolve`
/// actions;
/// - `removed` while open: resolve it, `retire` actions;
/// - anything else (pending, suppressed) files nothing.
/// Sinks: AgentConfig::notify[rule] when the rule is listed (an empty list files nothing, not even
/// an incident row), else every configured sink; names not configured are dropped. The sinks chosen
/// when an episode opens get its escalate/resolve/retire actions. The internal alert on a paused
/// sink goes to every other sink (unless notify lists it).

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/agent/backlog/incident.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"
#include "shopwatch/rules/alert.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::backlog {

struct PlannerConfig {
  std::string client;                                      ///< agent.client
  std::vector<std::string> sinks;                          ///< BacklogSettings::sinkNames()
  std::map<std::string, std::vector<std::string>> notify;  ///< AgentConfig::notify
  core::Micros comment_interval = std::chrono::hours{4};
};

/// Fills the evidence and links of a record's facts (failure, status, phases, body snippet,
/// status_url, slo_budget_text); the planner fills everything else. Runs on the store's writer
/// thread inside the transaction: keep it short, never touch the store from it.
using FactsProvider = std::function<void(const rules::AlertRecord&, IncidentFacts&)>;

/// How transitions that no rule made are filed (a performance finding as an improvement, [F]):
/// instead of AgentConfig::notify and the planner's FactsProvider.
struct FilingOverride {
  /// The sinks a new episode goes to: these, when configured (in the configured order); none of
  /// them configured files nothing. Later actions go to the episode's sinks as usual.
  std::vector<std::string> sinks;
  /// Fills the facts instead of the planner's FactsProvider (same rules: short, no store access).
  FactsProvider facts;
};

class IncidentPlanner {
 public:
  explicit IncidentPlanner(FactsProvider facts = {});
  IncidentPlanner(const IncidentPlanner&) = delete;
  IncidentPlanner& operator=(const IncidentPlanner&) = delete;
  IncidentPlanner(IncidentPlanner&&) = delete;
  IncidentPlanner& operator=(IncidentPlanner&&) = delete;

  /// Thread-safe; applies from the next apply() on (a reload).
  void configure(PlannerConfig config);
  PlannerConfig config() const;

  /// Writes the incidents and outbox rows the transitions cause, in order, on `db` (the writer's,
  /// inside the alert job's savepoint). Keeps no state across calls: everything is derived from the
  /// rows, so an attempt rolled back and retried writes the same. Errors are the database's.
  core::Status apply(storage::Db& db, const std::vector<rules::AlertTransition>& transitions) const;
  /// The same with `filing` choosing the sinks and facts (see FilingOverride).
  core::Status apply(storage::Db& db, const std::vector<rules::AlertTransition>& transitions,
                     const FilingOverride& filing) const;

  /// The facts for a record as the planner would queue them (at `at`), e.g. for
  /// OutboxWorkerOptions::open_facts. Episode and since come from the record (fired_at).
  IncidentFacts facts(const rules::AlertRecord& record, core::SystemTime at) const;

  /// The sinks a rule's incidents on `target` go to under `config`. The internal alert on a paused
  /// sink (kSinkPausedRule, check = the sink's name) never goes to the sink it is about.
  static std::vector<std::string> sinksFor(const PlannerConfig& config, const std::string& rule,
                                           const rules::Target& target);

 private:
  IncidentFacts buildFacts(const PlannerConfig& config, const rules::AlertRecord& record,
                           core::SystemTime at, const FilingOverride* filing = nullptr) const;
  core::Status applyAll(storage::Db& db, const std::vector<rules::AlertTransition>& transitions,
                        const FilingOverride* filing) const;
  core::Status applyOne(storage::Db& db, const PlannerConfig& config,
                        const rules::AlertTransition& t, const FilingOverride* filing) const;

  FactsProvider provider_;
  mutable std::mutex mu_;
  PlannerConfig config_;
};

}  // namespace shopwatch::agent::backlog
