#pragma once
/// spdlog set-up shared by the agent's commands.

#include <string>
#include <string_view>

namespace shopwatch::agent::runtime {

/// Makes the default spdlog logger write to stderr: "<N>level: message" lines when stderr is
/// journald (stderrIsJournal(); journald adds its own timestamps and takes the syslog priority N —
/// journalPriorityPrefix() — off the line), otherwise
/// "2026-01-31T12:00:00.123 level: message". `level`: trace|debug|info|warn|error (unknown: info).
/// Call once, early, from main's thread.
void configureLogging(const std::string& level = "info");

/// Whether stderr is the journald stream systemd connected: JOURNAL_STREAM is set and equals
/// "<st_dev>:<st_ino>" of fd 2 (decimal), as systemd.exec(5) documents.
bool stderrIsJournal();

/// The sd-daemon(3) prefix for an spdlog level (spdlog::level::level_enum as int): trace and debug
/// "<7>", info "<6>", warn "<4>", err "<3>", critical "<2>".
std::string_view journalPriorityPrefix(int spdlog_level);

/// Changes the level of the default logger (on reload). Thread-safe.
void setLogLevel(const std::string& level);

}  // namespace shopwatch::agent::runtime
