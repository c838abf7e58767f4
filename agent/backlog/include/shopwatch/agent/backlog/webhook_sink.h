#pragma once
/// The webhook sink ("webhook"): POSTs each action as one JSON document of a documented, versioned
/// schema (docs/webhook.md, version 1) to `backlog.webhook.url`. With a secret, the request carries
/// `X-Shopwatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` next to
/// `X-Shopwatch-Timestamp: <unix seconds>`; `Idempotency-Key: <fingerprint>:<action id>` lets a
/// receiver drop re-deliveries (the outbox delivers at least once).

#include <memory>
#include <string>
#include <string_view>

#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/agent/config/backlog_settings.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::backlog {

/// The payload's schema version (the "version" key). Bumped only for incompatible changes.
inline constexpr int kWebhookSchemaVersion = 1;

class WebhookSink final : public BacklogSink {
 public:
  /// `client`: agent.client, used when the facts carry none. `http`: nullptr makes a fresh client.
  /// `clock`: nullptr means the system clock (sent_at, X-Shopwatch-Timestamp, Retry-After dates);
  /// it must outlive the sink. Not thread-safe: the outbox thread calls it.
  WebhookSink(WebhookSettings settings, std::string client,
              std::unique_ptr<HttpClient> http = nullptr, const core::Clock* clock = nullptr);
  ~WebhookSink() override;
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;
  WebhookSink(WebhookSink&&) = delete;
  WebhookSink& operator=(WebhookSink&&) = delete;

  std::string_view name() const override { return "webhook"; }
  /// One POST. 2xx Done; 429, 5xx and network errors Retry (with Retry-After); 401/403 Pause; any
  /// other status Dead. Never returns a ticket.
  SendResult send(const OutboxAction& action, const IncidentFacts& facts,
                  const std::optional<Ticket>& ticket, bool outcome_unknown) override;

 private:
  WebhookSettings settings_;
  std::string client_;
  std::unique_ptr<HttpClient> http_;
  const core::Clock* clock_;
};

/// The JSON document for one action (docs/webhook.md), compact, keys in schema order.
std::string webhookPayload(const OutboxAction& action, const IncidentFacts& facts,
                           std::string_view client, core::SystemTime sent_at);

/// "sha256=" + lowercase hex of HMAC-SHA256(secret, timestamp + "." + body).
std::string webhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body);

/// The status mapping shared by the webhook and Alertmanager sinks: 2xx Done; no answer, 408, 429
/// and 5xx Retry (retry_after from Retry-After relative to `now`); 401/403 Pause; other codes Dead.
/// Fills status, http_code, retry_after, error and request_codes (one entry).
SendResult sendResultFromReply(const HttpReply& reply, core::SystemTime now);

}  // namespace shopwatch::agent::backlog
