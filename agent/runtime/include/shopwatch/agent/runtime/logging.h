#pragma once
/// spdlog set-up shared by the agent's commands.

#include <string>

namespace shopwatch::agent::runtime {

/// Makes the default spdlog logger write to stderr: plain "level: message" lines when stderr is
/// journald (stderrIsJournal(); journald adds its own timestamps), otherwise
/// "2026-01-31T12:00:00.123 level: message". `level`: trace|debug|info|warn|error (unknown: info).
/// Call once, early, from main's thread.
void configureLogging(const std::string& level = "info");

/// Whether stderr is the journald stream systemd connected: JOURNAL_STREAM is set and equals
/// "<st_dev>:<st_ino>" of fd 2 (decimal), as systemd.exec(5) documents.
bool stderrIsJournal();

/// Changes the level of the default logger (on reload). Thread-safe.
void setLogLevel(const std::string& level);

}  // namespace shopwatch::agent::runtime
