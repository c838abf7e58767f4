#pragma once
/// The Alertmanager sink ("alertmanager"): pushes incidents as alerts to `<url>/api/v2/alerts`, so
/// the agency's existing Alertmanager routes them (this *replaces* a Prometheus alerting rule on
/// probe_success; docs/webhook.md). Open, Escalate and Digest send the alert firing (endsAt = now +
/// 3 × resend_every); Resolve and Retire send it resolved (endsAt = the resolved time). refresh()
/// re-sends every firing alert once resend_every has passed since its last send, so Alertmanager
/// never times it out, and keeps re-sending a resolved alert for kResolvedResendFor after it
/// resolved.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

/// How long a resolved alert keeps being re-sent (Alertmanager's API docs advise re-sending
/// resolved alerts for a while, so a restarted or clustered Alertmanager learns about the
/// resolution).
inline constexpr core::Micros kResolvedResendFor = std::chrono::minutes{5};

class AlertmanagerSink final : public BacklogSink {
 public:
  /// `client`: agent.client (the `client` label) when the facts carry none. `http`: nullptr makes a
  /// fresh client. `clock`: nullptr means the system clock; it must outlive the sink. Thread-safe
  /// (one internal lock), though the outbox thread is its only caller.
  AlertmanagerSink(AlertmanagerSettings settings, std::string client,
                   std::unique_ptr<HttpClient> http = nullptr, const core::Clock* clock = nullptr);
  ~AlertmanagerSink() override;
  AlertmanagerSink(const AlertmanagerSink&) = delete;
  AlertmanagerSink& operator=(const AlertmanagerSink&) = delete;
  AlertmanagerSink(AlertmanagerSink&&) = delete;
  AlertmanagerSink& operator=(AlertmanagerSink&&) = delete;

  std::string_view name() const override { return "alertmanager"; }
  /// One POST of the incident's alert (plus, when its labels changed since the last send — a new
  /// severity — the old label set as resolved, so Alertmanager does not keep both). Status mapping
  /// as the webhook's (sendResultFromReply). Never returns a ticket.
  SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown) override;
  /// Re-sends, in one POST, every alert of `firing` not sent for resend_every and every resolved
  /// alert within kResolvedResendFor of its resolution not sent for resend_every. Incidents missing
  /// from `firing` are no longer refreshed as firing (their endsAt lets them lapse). A failed POST
  /// is retried on the next call. Returns the POST's status (none when nothing was due).
  std::vector<int> refresh(const std::vector<IncidentFacts>& firing) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The alert object of the v2 API for `facts` (JSON text): labels alertname (the rule), shop, env,
/// check, step (omitted when empty), severity, client, fingerprint; annotations summary,
/// description, value, threshold, status_url (empty ones omitted); startsAt (facts.since); endsAt
/// when given; generatorURL (status_url) when set.
std::string alertmanagerAlert(const IncidentFacts& facts, std::string_view client,
                              std::optional<core::SystemTime> ends_at);

}  // namespace shopwatch::agent::backlog
