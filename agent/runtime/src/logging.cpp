#include "shopwatch/agent/runtime/logging.h"

#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

void configureLogging(const std::string& level) {
  auto logger = spdlog::get("shopwatch");
  if (!logger) logger = spdlog::stderr_logger_mt("shopwatch");
  // journald timestamps every line itself and shows the level as priority; doubling it is noise.
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
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
