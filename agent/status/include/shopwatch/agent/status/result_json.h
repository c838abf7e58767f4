#pragma once
/// The ONE definition of a probe result's JSON object: `shopwatch probe --json` prints it and
/// /api/v1/checks embeds it as `last`. Keys:
///   success (bool), failure (reason string or null), message (string), status_code (int),
///   duration_seconds (float), phases {resolve, connect, tls, processing, transfer} (float seconds),
///   http_version (string), tls_cert_not_after (RFC 3339 or null), redirects (int), bytes (int),
///   content_length (int, -1 unknown), ssl (bool), final_url (string),
///   assertions [{name, passed, detail}], queue_wait_seconds, saturated, cancelled (only when true);
///   journeys: failed_step (string or null) and steps [the step's result object + name, skipped,
///   cleanup (only when true)]; and with `with_time`: time (RFC 3339 of result.started,
///   microsecond fraction).
/// Every string passes through core::redact(secrets). Invalid UTF-8 is replaced by U+FFFD.

#include <string>
#include <vector>

#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/probe_result.h"

namespace shopwatch::agent::status {

/// The result object as JSON text; indent < 0: one line, otherwise pretty-printed with that indent.
std::string probeResultJson(const core::ProbeResult& result, const std::vector<std::string>& secrets,
                            int indent = -1, bool with_time = false);

/// The /api/v1/checks body: a JSON array ordered by (shop, env, check) of
///   {shop, env, check, url (redacted), method, interval_seconds, timeout_seconds, histogram,
///    awaiting_confirm, runs {success, failure}, last_run (RFC 3339 or null),
///    last (the result object with `time`, or null if no accounted run yet),
///    kind ("http" | "journey")}; journeys also carry steps (the config's step names in order),
///    cleanup (the cleanup steps' names) and journey_timeout_seconds, and their url/method are the
///    first step's.
std::string checksJson(const std::vector<CheckSnapshot>& checks, int indent = -1);
/// Snapshot of `table` with full results + checksJson.
std::string checksJson(const CheckStateTable& table, int indent = -1);

}  // namespace shopwatch::agent::status
