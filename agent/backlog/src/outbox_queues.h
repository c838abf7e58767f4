#pragma once
// The outbox worker's queues (one per incident and sink, in the order of their oldest action) and
// the current facts of an open incident, for digests and refresh().
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::detail {

using QueueKey = std::pair<std::int64_t, std::string>;  // incident id, sink

struct Queue {
  QueueKey key;
  std::vector<OutboxAction> actions;  // by id
};

/// Pending actions grouped by incident and sink, in the order of each queue's oldest action.
inline std::vector<Queue> groupQueues(std::vector<OutboxAction> actions) {
  std::vector<Queue> out;
  std::map<QueueKey, std::size_t> index;
  for (auto& a : actions) {
    QueueKey key{a.incident_id, a.sink};
    auto [it, fresh] = index.try_emplace(key, out.size());
    if (fresh) out.push_back(Queue{key, {}});
    out[it->second].actions.push_back(std::move(a));
  }
  return out;
}

/// The current facts of an open incident: `known`'s (open_facts()) when it lists the fingerprint,
/// else what the incident row keeps; episode, since and at from the row and `now`.
inline IncidentFacts factsOf(const Incident& inc, const std::vector<IncidentFacts>& known,
                             const std::string& client, core::SystemTime now) {
  IncidentFacts f;
  auto it = std::find_if(known.begin(), known.end(), [&](const IncidentFacts& k) {
    return k.fingerprint == inc.fingerprint;
  });
  if (it != known.end()) {
    f = *it;
  } else {
    f.client = client;
    f.rule = inc.rule;
    f.shop = inc.target.key.shop;
    f.env = inc.target.key.env;
    f.check = inc.target.key.check;
    f.step = inc.target.step;
    f.severity = std::string(rules::severityName(inc.severity));
    f.expr = inc.expr;
  }
  f.fingerprint = inc.fingerprint;
  f.episode = inc.episode;
  f.since = inc.opened_at;
  f.at = now;
  return f;
}

}  // namespace shopwatch::agent::backlog::detail
