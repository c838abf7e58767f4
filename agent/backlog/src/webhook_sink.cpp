#include "shopwatch/agent/backlog/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog {
namespace {

using Json = nlohmann::ordered_json;

/// Absent facts are null in the payload, never "" (a receiver tests one thing).
Json textOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json timeOrNull(const std::optional<core::SystemTime>& t) {
  return t ? Json(core::formatRfc3339(*t)) : Json(nullptr);
}

std::string toHex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::string unixSeconds(core::SystemTime t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

std::string webhookPayload(const OutboxAction& action, const IncidentFacts& facts,
                           std::string_view client, core::SystemTime sent_at) {
  Json incident;
  incident["fingerprint"] = facts.fingerprint;
  incident["episode"] = facts.episode;
  incident["rule"] = facts.rule;
  incident["shop"] = facts.shop;
  incident["env"] = facts.env;
  incident["check"] = facts.check;
  incident["step"] = textOrNull(facts.step);
  incident["severity"] = facts.severity;
  incident["previous_severity"] = textOrNull(facts.previous_severity);
  incident["expr"] = facts.expr;
  incident["value"] = textOrNull(facts.value_text);
  incident["threshold"] = textOrNull(facts.threshold_text);
  incident["peak"] = textOrNull(facts.peak_text);
  incident["since"] = core::formatRfc3339(facts.since);
  incident["resolved_at"] = timeOrNull(facts.resolved_at);
  incident["slo_budget"] = textOrNull(facts.slo_budget_text);
  incident["status_url"] = textOrNull(facts.status_url);

  Json evidence;
  evidence["failure"] = textOrNull(facts.failure);
  evidence["failed_step"] = textOrNull(facts.failed_step);
  evidence["status_code"] = facts.status_code > 0 ? Json(facts.status_code) : Json(nullptr);
  evidence["message"] = textOrNull(facts.message);
  evidence["phases"] = textOrNull(facts.phases);
  evidence["body_snippet"] = textOrNull(facts.body_snippet);

  Json doc;
  doc["version"] = kWebhookSchemaVersion;
  doc["event"] = std::string(actionKindName(action.kind));
  doc["incident"] = std::move(incident);
  doc["evidence"] = std::move(evidence);
  doc["client"] = facts.client.empty() ? std::string(client) : facts.client;
  doc["occurred_at"] = core::formatRfc3339(facts.at);
  doc["sent_at"] = core::formatRfc3339(sent_at);
  doc["action_id"] = action.id;
  // Replace invalid UTF-8 (a body snippet cut mid-character) instead of throwing.
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string webhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &length) == nullptr) {
    return "";
  }
  return "sha256=" + toHex(digest, length);
}

SendResult sendResultFromReply(const HttpReply& reply, core::SystemTime now) {
  SendResult out;
  out.http_code = reply.status;
  out.request_codes.push_back(reply.status);
  const int code = reply.status;
  if (code >= 200 && code < 300) {
    out.status = SendStatus::Done;
    return out;
  }
  if (code == 0) {
    out.status = SendStatus::Retry;
    out.error = reply.sent ? "sent, but no answer: " + reply.error : reply.error;
    return out;
  }
  std::string snippet = reply.body.substr(0, 300);
  out.error = "HTTP " + std::to_string(code) + (snippet.empty() ? "" : ": " + snippet);
  if (code == 408 || code == 429 || code >= 500) {
    out.status = SendStatus::Retry;
    out.retry_after = parseRetryAfter(reply, now);
  } else if (code == 401 || code == 403) {
    out.status = SendStatus::Pause;
  } else {
    // 3xx included: redirects are never followed, so the URL is wrong until someone fixes it.
    out.status = SendStatus::Dead;
    if (const auto it = reply.headers.find("location"); it != reply.headers.end()) {
      out.error += " (redirects to " + it->second + ")";
    }
  }
  return out;
}

WebhookSink::WebhookSink(WebhookSettings settings, std::string client,
                         std::unique_ptr<HttpClient> http, const core::Clock* clock)
    : settings_(std::move(settings)),
      client_(std::move(client)),
      http_(http ? std::move(http) : std::make_unique<HttpClient>()),
      clock_(clock != nullptr ? clock : &core::SystemClock::instance()) {}

WebhookSink::~WebhookSink() = default;

SendResult WebhookSink::send(const OutboxAction& action, const IncidentFacts& facts,
                             const std::optional<Ticket>& /*ticket*/, bool /*outcome_unknown*/) {
  // A re-delivery after an unknown outcome is simply sent again: Idempotency-Key lets the receiver
  // drop it, so there is nothing to look up first.
  const core::SystemTime now = clock_->now();
  const std::string timestamp = unixSeconds(now);
  HttpCall call;
  call.method = "POST";
  call.url = settings_.url;
  call.timeout = settings_.timeout;
  call.body = webhookPayload(action, facts, client_, now);
  call.headers = {
      {"Content-Type", "application/json"},
      {"X-Shopwatch-Event", std::string(actionKindName(action.kind))},
      {"X-Shopwatch-Timestamp", timestamp},
      {"Idempotency-Key", facts.fingerprint + ":" + std::to_string(action.id)},
  };
  if (!settings_.secret.empty()) {
    call.headers.emplace_back("X-Shopwatch-Signature",
                              webhookSignature(settings_.secret, timestamp, call.body));
  }
  const HttpReply reply = http_->perform(call);
  SendResult out = sendResultFromReply(reply, clock_->now());
  out.sent_without_answer = action.kind == ActionKind::Open && reply.sent && reply.status == 0;
  return out;
}

}  // namespace shopwatch::agent::backlog
