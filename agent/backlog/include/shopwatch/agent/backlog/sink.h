#pragma once
/// BacklogSink: one place incidents are filed (Jira, Redmine, webhook, Alertmanager). The outbox worker calls a
/// sink with one action at a time, in order per incident; the sink talks HTTP (blocking, on the outbox
/// thread, with its own timeouts) and says how it went. Sinks never touch the database: the worker
/// records the outcome (and the ticket the sink reports) through the store's writer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/backlog/incident.h"
#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::backlog {

/// The internal alert raised while a sink is paused (401/403): rule `backlog-sink-paused` on
/// shopwatch/agent/<sink name>, critical, filed into the other sinks and shown in /api/v1/alerts.
inline constexpr std::string_view kSinkPausedRule = "backlog-sink-paused";

/// Performance findings ([F]) are filed as improvements under the rule `insights/<finding id>`
/// (e.g. insights/slow-ttfb) on the finding's shop/env/check/step: same fingerprint, outbox and
/// dedup as incidents. They get no digest comments while open.
inline constexpr std::string_view kInsightsRulePrefix = "insights/";
inline bool isImprovementRule(std::string_view rule) { return rule.starts_with(kInsightsRulePrefix); }

/// IncidentFacts::kind values.
inline constexpr std::string_view kIncidentKind = "incident";
inline constexpr std::string_view kImprovementKind = "improvement";

/// What a ticket says, fixed when the action was queued (serialised as OutboxAction::facts_json).
struct IncidentFacts {
  std::string client;
  std::string fingerprint;
  std::string rule;
  std::string shop, env, check, step;
  std::string severity;            ///< info | warning | critical
  std::string previous_severity;   ///< Escalate: what it was
  std::string expr;                ///< "availability < 100%"
  std::string value_text;          ///< "93.3%" (as formatKpiValue writes it), "" without data
  std::string threshold_text;
  std::string peak_text;
  std::int64_t episode = 1;
  core::SystemTime since{};        ///< firing since (episode start)
  core::SystemTime at{};           ///< when this action's transition happened
  std::optional<core::SystemTime> resolved_at;
  // Evidence of the latest failing run (from the check state table; empty when unknown).
  std::string failure;             ///< reason vocabulary: http_status, timeout, …
  std::string failed_step;
  int status_code = 0;
  std::string message;             ///< redacted
  std::string phases;              ///< "resolve 1ms, connect 2ms, tls 30ms, processing 812ms, transfer 3ms"
  std::string body_snippet;        ///< redacted, at most 2 KB
  std::string status_url;          ///< link to the agent's API for this check
  std::string slo_budget_text;     ///< Resolve on an SLO alert: budget consumed
  // What an improvement ([F], kind "improvement") says instead of the evidence of a failing run.
  std::string kind{kIncidentKind};  ///< incident | improvement
  /// The Jira issue type / Redmine tracker to file under instead of the sink's ("": the sink's).
  std::string issue_type;
  std::string finding_summary;     ///< what to improve, one sentence
  std::string saving_text;         ///< "0.42 s per page view, 120 KB"
  std::string evidence_text;       ///< the finding's evidence, one "key: value" per line
  std::string close_after_text;    ///< "7d": closed once the finding has been gone this long
  std::optional<core::SystemTime> last_seen;  ///< Resolve: when the finding was last reported

  bool improvement() const { return kind == kImprovementKind; }
};
std::string factsToJson(const IncidentFacts& facts);
core::Result<IncidentFacts> factsFromJson(std::string_view json);

/// The ticket a sink keeps for an incident (persisted per incident and sink).
struct Ticket {
  std::string key;   ///< "SHOP-42" (Jira), "" for sinks without tickets
  std::string id;    ///< Jira's numeric id (stable across moves)
  std::string url;   ///< browse link
  std::int64_t episode = 0;  ///< the episode the ticket was last opened/reopened for
};

enum class SendStatus {
  Done,     ///< delivered (2xx)
  Retry,    ///< network error, timeout, 429, 5xx: retry after max(retry_after, backoff)
  Pause,    ///< 401/403: pause the whole sink, raise the internal alert, keep the queue
  Dead,     ///< 400/422 or another permanent refusal: dead-letter, log the error
};

struct SendResult {
  SendStatus status = SendStatus::Done;
  int http_code = 0;                      ///< last HTTP status (0: no answer)
  std::optional<core::Micros> retry_after;
  std::string error;                      ///< plain words (Jira's errorMessages included)
  std::optional<Ticket> ticket;           ///< the ticket after this action (created, reopened, replaced)
  /// Open only: the request was sent but no answer came (the worker marks outcome_unknown).
  bool sent_without_answer = false;
  /// Every HTTP request made, for shopwatch_backlog_requests_total{sink,code} (code 0: no answer).
  std::vector<int> request_codes;
};

/// What `shopwatch backlog check` found for one sink, in plain words.
struct SinkCheckReport {
  std::vector<std::string> ok;        ///< "credentials accepted (ops@agency.example)"
  std::vector<std::string> problems;  ///< "issue type \"Incident\" does not exist in SHOP (have: Bug, Task)"
};

/// A ticket found in a tracker by its fingerprint (`shopwatch backlog rebuild`).
struct FoundTicket {
  std::string fingerprint;    ///< shopwatch-<32 hex>
  Ticket ticket;
  bool done = false;          ///< resolved / closed
  std::string property_json;  ///< Jira: the `shopwatch` issue property ("" when missing or elsewhere)
};

class BacklogSink {
 public:
  virtual ~BacklogSink() = default;
  virtual std::string_view name() const = 0;  ///< "jira", "redmine", "webhook", "alertmanager"
  /// Delivers one action. `ticket`: what is recorded for this incident (empty before the first Open);
  /// `outcome_unknown`: a previous Open attempt was sent without an answer — find before creating.
  virtual SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                          const std::optional<Ticket>& ticket, bool outcome_unknown) = 0;
  /// Called about every 30 s while the worker is idle (Alertmanager re-sends firing alerts well within
  /// resolve_timeout). `firing`: the facts of every open incident filed with this sink.
  /// Returns the HTTP status of every request it made (0: no answer), for
  /// shopwatch_backlog_requests_total{sink,code}.
  virtual std::vector<int> refresh(const std::vector<IncidentFacts>& /*firing*/) { return {}; }
};

}  // namespace shopwatch::agent::backlog
