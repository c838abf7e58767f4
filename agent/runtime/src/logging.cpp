#include "shopwatch/agent/runtime/logging.h"

#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

namespace {

/// `%*`: the syslog priority prefix journald reads off the start of a stream line (sd-daemon.h).
class JournalPriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    const std::string_view prefix = journalPriorityPrefix(msg.level);
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriorityFlag>();
  }
};

}  // namespace

std::string_view journalPriorityPrefix(int spdlog_level) {
  switch (spdlog_level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return SD_DEBUG;
    case spdlog::level::info:
      return SD_INFO;
    case spdlog::level::warn:
      return SD_WARNING;
    case spdlog::level::err:
      return SD_ERR;
    case spdlog::level::critical:
      return SD_CRIT;
    default:
      return SD_NOTICE;
  }
}

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
  // journald timestamps every line itself (doubling it is noise) and takes the priority from a
  // leading "<N>" (sd-daemon(3)), which it strips from the message.
  if (stderrIsJournal()) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriorityFlag>('*').set_pattern("%*%l: %v");
    logger->set_formatter(std::move(formatter));
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
