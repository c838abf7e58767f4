#pragma once
// The edges of a sink's pause (401/403), which raise and resolve the internal alert
// (OutboxWorkerOptions::on_pause_change). Pure bookkeeping over a sink's stats; the worker holds
// its lock around these and reports what they return after letting go of it.
#include <optional>
#include <string>

#include "shopwatch/agent/backlog/outbox_worker.h"

namespace shopwatch::agent::backlog::detail {

/// A 401/403: the stats to report when the sink was not paused before, else nullopt.
inline std::optional<SinkStats> notePause(SinkStats& stats, bool& answered, int code,
                                          std::string error, core::SystemTime now) {
  const bool was = stats.paused;
  answered = true;
  stats.paused = true;
  stats.pause_code = code;
  stats.pause_error = std::move(error);
  if (was) return std::nullopt;
  stats.paused_since = now;
  return stats;
}

/// Any other answer (an HTTP status): the stats to report after a pause, or at the sink's first
/// answer since the worker started; else nullopt. No answer (code 0) changes nothing.
inline std::optional<SinkStats> noteAnswer(SinkStats& stats, bool& answered, int code) {
  if (code <= 0) return std::nullopt;
  const bool report = stats.paused || !answered;
  answered = true;
  if (!report) return std::nullopt;
  stats.paused = false;
  stats.paused_since.reset();
  stats.pause_code = 0;
  stats.pause_error.clear();
  return stats;
}

}  // namespace shopwatch::agent::backlog::detail
