#pragma once
/// Streaming writer of the per-check series (text exposition format 0.0.4) over CheckStateTable
/// snapshots (DESIGN.md, "Metrics contract"). Families, in this order, each with one HELP and TYPE and
/// all its series contiguous, labels shop, env, check:
///   probe_success, probe_duration_seconds, probe_http_duration_seconds{phase}, probe_http_status_code,
///   probe_http_content_length, probe_http_redirects, probe_http_ssl, probe_http_version,
///   probe_ssl_earliest_cert_expiry (only when a certificate expiry is known),
///   probe_dns_lookup_time_seconds                   — only checks with an accounted result;
///   shopwatch_check_runs_total{result="success"|"failure"} — every check (0 before its first run);
///   shopwatch_check_failures_total{reason}          — reasons seen at least once;
///   shopwatch_check_last_run_timestamp_seconds      — checks that have run;
///   shopwatch_check_duration_seconds (histogram)    — checks with `histogram: true`;
///   shopwatch_step_success, shopwatch_step_duration_seconds, shopwatch_step_phase_seconds{phase},
///   shopwatch_step_status_code — journeys, labels shop, env, check, step: per step that has run
///   (a step the latest run skipped keeps its previous values; a step never run has none).
/// Steps never appear in probe_*: probe_success{check} is one series per journey (its success and
/// total duration; its probe_http_* show the failing step's response, or the last run step's when
/// it passed, phases summed over the run steps — CheckStateTable::record).
/// A family with no series is left out entirely.

#include <string>
#include <vector>

#include "shopwatch/agent/status/check_state_table.h"

namespace shopwatch::agent::status {

/// Appends the per-check families for `checks` to `out`.
void writeCheckMetrics(const std::vector<CheckSnapshot>& checks, std::string& out);

/// Snapshot of `table` (without full results) + writeCheckMetrics.
void writeCheckMetrics(const CheckStateTable& table, std::string& out);

/// Appends a sample value as the text format wants it: shortest round-trip decimal, "+Inf", "-Inf",
/// "NaN".
void appendSampleValue(std::string& out, double value);

}  // namespace shopwatch::agent::status
