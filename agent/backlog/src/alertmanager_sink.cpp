#include "shopwatch/agent/backlog/alertmanager_sink.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "shopwatch/agent/backlog/webhook_sink.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::backlog {
namespace {

using Json = nlohmann::ordered_json;

void putIfSet(Json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

std::string targetText(const IncidentFacts& f) {
  std::string out = f.shop + "/" + f.check;
  if (!f.step.empty()) out += "/" + f.step;
  return out + " (" + f.env + ")";
}

std::string describe(const IncidentFacts& f) {
  std::string out = f.expr;
  if (!f.value_text.empty()) out += ": value " + f.value_text;
  if (!f.threshold_text.empty()) out += " (threshold " + f.threshold_text + ")";
  out += ", since " + core::formatRfc3339(f.since);
  if (f.resolved_at) out += ", resolved " + core::formatRfc3339(*f.resolved_at);
  if (!f.peak_text.empty()) out += ", peak " + f.peak_text;
  if (!f.failure.empty()) {
    out += ". Last failure: " + f.failure;
    if (!f.failed_step.empty()) out += " in step " + f.failed_step;
    if (f.status_code > 0) out += ", HTTP " + std::to_string(f.status_code);
    if (!f.message.empty()) out += ": " + f.message;
  }
  if (!f.phases.empty()) out += ". Phases: " + f.phases;
  return out;
}

Json labelsOf(const IncidentFacts& f, std::string_view client) {
  Json labels;
  labels["alertname"] = f.rule;
  labels["shop"] = f.shop;
  labels["env"] = f.env;
  labels["check"] = f.check;
  putIfSet(labels, "step", f.step);
  labels["severity"] = f.severity;
  labels["client"] = f.client.empty() ? std::string(client) : f.client;
  labels["fingerprint"] = f.fingerprint;
  return labels;
}

Json alertJson(const IncidentFacts& f, std::string_view client,
               std::optional<core::SystemTime> ends_at) {
  Json annotations = Json::object();
  annotations["summary"] = f.rule + ": " + targetText(f);
  annotations["description"] = describe(f);
  putIfSet(annotations, "value", f.value_text);
  putIfSet(annotations, "threshold", f.threshold_text);
  putIfSet(annotations, "status_url", f.status_url);
  Json alert;
  alert["labels"] = labelsOf(f, client);
  alert["annotations"] = std::move(annotations);
  alert["startsAt"] = core::formatRfc3339(f.since, true);
  if (ends_at) alert["endsAt"] = core::formatRfc3339(*ends_at, true);
  putIfSet(alert, "generatorURL", f.status_url);
  return alert;
}

bool isFiring(ActionKind k) {
  return k == ActionKind::Open || k == ActionKind::Escalate || k == ActionKind::Digest;
}

}  // namespace

std::string alertmanagerAlert(const IncidentFacts& facts, std::string_view client,
                              std::optional<core::SystemTime> ends_at) {
  return alertJson(facts, client, ends_at).dump(-1, ' ', false, Json::error_handler_t::replace);
}

struct AlertmanagerSink::Impl {
  /// One alert as Alertmanager knows it, keyed by its label set (Alertmanager's identity): a new
  /// severity is a new label set, and the old one must be resolved explicitly.
  struct Tracked {
    IncidentFacts facts;
    bool resolved = false;
    core::SystemTime ends_at{};  ///< resolved: the resolution time
    std::optional<core::SystemTime> last_sent;
    std::optional<core::SystemTime> resolution_sent;  ///< first delivery of the resolution
  };

  AlertmanagerSettings settings;
  std::string client;
  std::unique_ptr<HttpClient> http;
  const core::Clock* clock;
  std::mutex mu;
  std::map<std::string, Tracked> alerts;  // labels JSON → alert

  std::string labelsKey(const IncidentFacts& f) const { return labelsOf(f, client).dump(); }

  core::SystemTime firingEnd(core::SystemTime now) const { return now + 3 * settings.resend_every; }

  Json wireAlert(const Tracked& t, core::SystemTime now) const {
    return alertJson(t.facts, client, t.resolved ? t.ends_at : firingEnd(now));
  }

  SendResult post(const Json& batch) {
    HttpCall call;
    call.method = "POST";
    std::string base = settings.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    call.url = base + "/api/v2/alerts";
    call.timeout = settings.timeout;
    call.headers = {{"Content-Type", "application/json"}};
    call.body = batch.dump(-1, ' ', false, Json::error_handler_t::replace);
    return sendResultFromReply(http->perform(call), clock->now());
  }

  /// Firing entries of `fingerprint` under other labels than `keep`: marked resolved now, their
  /// keys returned so the caller sends them along.
  std::vector<std::string> supersede(const std::string& fingerprint, const std::string& keep,
                                     core::SystemTime now) {
    std::vector<std::string> out;
    for (auto& [key, t] : alerts) {
      if (key == keep || t.resolved || t.facts.fingerprint != fingerprint) continue;
      t.resolved = true;
      t.ends_at = now;
      out.push_back(key);
    }
    return out;
  }

  void markSent(const std::vector<std::string>& keys, core::SystemTime now) {
    for (const auto& key : keys) {
      auto it = alerts.find(key);
      if (it == alerts.end()) continue;
      it->second.last_sent = now;
      if (it->second.resolved && !it->second.resolution_sent) it->second.resolution_sent = now;
    }
  }
};

AlertmanagerSink::AlertmanagerSink(AlertmanagerSettings settings, std::string client,
                                   std::unique_ptr<HttpClient> http, const core::Clock* clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  impl_->client = std::move(client);
  impl_->http = http ? std::move(http) : std::make_unique<HttpClient>();
  impl_->clock = clock != nullptr ? clock : &core::SystemClock::instance();
}

AlertmanagerSink::~AlertmanagerSink() = default;

SendResult AlertmanagerSink::send(const OutboxAction& action, const IncidentFacts& facts,
                                  const std::optional<Ticket>& /*ticket*/,
                                  bool /*outcome_unknown*/) {
  std::lock_guard lock(impl_->mu);
  const core::SystemTime now = impl_->clock->now();
  const std::string key = impl_->labelsKey(facts);
  Impl::Tracked next;
  next.facts = facts;
  if (!isFiring(action.kind)) {
    next.resolved = true;
    next.ends_at = facts.resolved_at ? *facts.resolved_at
                                     : (facts.at.time_since_epoch().count() > 0 ? facts.at : now);
  }
  if (auto it = impl_->alerts.find(key); it != impl_->alerts.end()) {
    next.last_sent = it->second.last_sent;
    // The resolution of the same episode, sent again, keeps its re-send window.
    if (next.resolved && it->second.resolved && it->second.facts.episode == facts.episode) {
      next.resolution_sent = it->second.resolution_sent;
    }
  }
  // Supersede under a copy: a failed POST must leave the tracked state as it was.
  auto saved = impl_->alerts;
  std::vector<std::string> keys = impl_->supersede(facts.fingerprint, key, now);
  impl_->alerts[key] = next;
  keys.push_back(key);
  Json batch = Json::array();
  for (const auto& k : keys) batch.push_back(impl_->wireAlert(impl_->alerts[k], now));
  SendResult out = impl_->post(batch);
  if (out.status != SendStatus::Done) {
    impl_->alerts = std::move(saved);
    return out;
  }
  impl_->markSent(keys, now);
  return out;
}

std::vector<int> AlertmanagerSink::refresh(const std::vector<IncidentFacts>& firing) {
  std::lock_guard lock(impl_->mu);
  const core::SystemTime now = impl_->clock->now();
  const core::Micros every = impl_->settings.resend_every;
  auto due = [&](const Impl::Tracked& t) { return !t.last_sent || now - *t.last_sent >= every; };

  auto saved = impl_->alerts;
  std::vector<std::string> keys;
  std::set<std::string> listed;
  for (const IncidentFacts& f : firing) {
    const std::string key = impl_->labelsKey(f);
    listed.insert(key);
    auto it = impl_->alerts.find(key);
    if (it != impl_->alerts.end() && it->second.resolved) {
      // Resolved by this sink for this episode: a stale list must not revive it.
      if (f.episode <= it->second.facts.episode) continue;
    }
    if (it != impl_->alerts.end() && !it->second.resolved && !due(it->second)) continue;
    for (auto& k : impl_->supersede(f.fingerprint, key, now)) keys.push_back(std::move(k));
    Impl::Tracked t;
    t.facts = f;
    if (it != impl_->alerts.end() && !it->second.resolved) t.last_sent = it->second.last_sent;
    impl_->alerts[key] = t;
    keys.push_back(key);
  }
  for (auto it = impl_->alerts.begin(); it != impl_->alerts.end();) {
    Impl::Tracked& t = it->second;
    if (t.resolved) {
      if (t.resolution_sent && now - *t.resolution_sent >= kResolvedResendFor) {
        it = impl_->alerts.erase(it);
        continue;
      }
      if (due(t) && std::find(keys.begin(), keys.end(), it->first) == keys.end()) {
        keys.push_back(it->first);
      }
    } else if (listed.count(it->first) == 0 && t.last_sent &&
               now >= impl_->firingEnd(*t.last_sent)) {
      // No longer open and lapsed in Alertmanager by its endsAt: forget it.
      it = impl_->alerts.erase(it);
      continue;
    }
    ++it;
  }
  if (keys.empty()) return {};
  Json batch = Json::array();
  for (const auto& k : keys) batch.push_back(impl_->wireAlert(impl_->alerts[k], now));
  SendResult posted = impl_->post(batch);
  if (posted.status != SendStatus::Done) {
    impl_->alerts = std::move(saved);
    return posted.request_codes;
  }
  impl_->markSent(keys, now);
  return posted.request_codes;
}

}  // namespace shopwatch::agent::backlog
