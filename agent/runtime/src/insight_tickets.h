#pragma once
// InsightTickets: performance findings ([F]) filed into the backlog as improvement items through the
// incident pipeline — the same planner, outbox and dedup as incidents — and closed once a finding
// has been gone for `insights.close_after`.
//
// A finding is filed like an internal alert: rule `insights/<finding id>` (backlog::
// kInsightsRulePrefix) on target shop/env/check/step, so its fingerprint is
// incidentFingerprint(client, "insights/<finding id>", target) — client, shop, env, check, step and
// finding, never values — and the planner's dedup holds. It goes to exactly the sink
// `insights.backlog` (backlog::FilingOverride), with severity = the finding's priority, and its
// facts say kind "improvement", the issue type (Jira issuetype / Redmine tracker), the summary, the
// estimated saving, the evidence and close_after.
//
// Per reconcile (one write job on the store's writer, so the decision and the planner's incident and
// outbox rows commit together, and a rolled-back attempt decides the same again):
// - a finding whose item is open: its last-seen time (and texts) are updated, whatever its priority;
// - a finding with priority ≥ min_priority and no open item: a Firing transition — a new incident,
//   or the next episode of a closed one (the sink reopens the issue within its reopen_window, else
//   files a new one linked to it);
// - an open item whose finding is absent: closed (an Ok transition) once now − last seen ≥
//   close_after; otherwise left open.
// Last-seen times live in the table `insight_ticket` (component "insight_tickets"): one row per open
// item, deleted when it closes. The incident row is the truth of "open": after a restart nothing is
// filed again and nothing is forgotten (an open item without a row counts from its opening).
//
// No `insights.backlog`, or one naming a sink that is not configured (logged once per
// configuration): reconcile does nothing.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::storage {
class SqliteResultStore;
}

namespace shopwatch::agent::runtime {

class BacklogRuntime;

/// The component to add to storage::StoreOptions::components (beside incidentsComponent()).
storage::StorageComponent insightTicketsComponent();

/// What InsightTickets files, from `insights:` (and `backlog:` for the configured sinks).
struct InsightTicketsSettings {
  std::string backlog;                          ///< the sink name ("jira", …); "" files nothing
  std::string issue_type;                       ///< "" : the sink's own issue type / tracker
  rules::Severity min_priority = rules::Severity::Warning;
  core::Micros close_after = std::chrono::hours{24 * 7};
  std::vector<std::string> configured_sinks;    ///< BacklogSettings::sinkNames()
};

class InsightTickets {
 public:
  /// Both must outlive this object; `backlog` is configured before configure() is called here.
  InsightTickets(storage::SqliteResultStore& store, BacklogRuntime& backlog);
  InsightTickets(const InsightTickets&) = delete;
  InsightTickets& operator=(const InsightTickets&) = delete;
  InsightTickets(InsightTickets&&) = delete;
  InsightTickets& operator=(InsightTickets&&) = delete;

  /// Start-up and reload (after BacklogRuntime::configure). Thread-safe.
  void configure(const AgentConfig& config);
  void configure(InsightTicketsSettings settings);

  /// After each full insights pass (every shop's ranked findings, `now` the pass's time): queues one
  /// write job that files, refreshes and closes items as described above, then wakes the outbox.
  /// Thread-safe, never blocks on the store (returns once the job is queued; store.flush() waits
  /// for it). Failures are logged.
  void reconcile(const std::vector<insights::Finding>& findings, core::SystemTime now);

 private:
  storage::SqliteResultStore& store_;
  BacklogRuntime& backlog_;
  mutable std::mutex mu_;
  InsightTicketsSettings settings_;
  bool usable_ = false;  // backlog set and configured
  std::string warned_;   // the last "not configured" warning logged
};

}  // namespace shopwatch::agent::runtime
