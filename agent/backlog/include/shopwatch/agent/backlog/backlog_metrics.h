#pragma once
/// The backlog's families on /metrics (DESIGN.md, "Metrics contract"; text format 0.0.4):
/// shopwatch_outbox_pending, shopwatch_outbox_oldest_age_seconds, shopwatch_outbox_dead_letters,
/// shopwatch_incidents_open (gauges), shopwatch_backlog_requests_total{sink,code} (counter) and
/// shopwatch_sink_up{sink} (gauge).

#include <string>

#include "shopwatch/agent/backlog/outbox_worker.h"

namespace shopwatch::agent::backlog {

/// Appends the families to `out`, each with HELP and TYPE once; a family without series (no sink
/// configured, no request made yet) is left out.
void writeBacklogMetrics(const OutboxStats& stats, std::string& out);

}  // namespace shopwatch::agent::backlog
