#include "shopwatch/agent/runtime/logging.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

bool stderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  // systemd.exec(5): JOURNAL_STREAM is "device:inode" of the stream, both decimal. A child whose
  // stderr was redirected inherits the variable, so only a match means journald reads our stderr.
  char expected[64];
  std::snprintf(expected, sizeof expected, "%lu:%lu", static_cast<unsigned long>(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  return std::strcmp(stream, expected) == 0;
}

void configureLogging(const std::string& level) {
  auto logger = spdlog::get("shopwatch");
  if (!logger) logger = spdlog::stderr_logger_mt("shopwatch");
  // journald timestamps every line itself and shows the level as priority; doubling it is noise.
  if (stderrIsJournal()) {
    logger->set_pattern("%l: %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l: %v");
  }
  spdlog::set_default_logger(logger);
  setLogLevel(level);
}

void setLogLevel(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") parsed = spdlog::level::info;
  spdlog::set_level(parsed);
}

}  // namespace shopwatch::agent::runtime
