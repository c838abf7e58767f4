#include "reload_notes.h"

#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

void warnRestartOnlyChanges(const AgentConfig& previous, const AgentConfig& next, bool listen_fixed,
                            const std::string& listening_on) {
  if (previous.agent.listen != next.agent.listen && !listen_fixed) {
    spdlog::warn("agent.listen changed to {}; restart to apply (still on {})", next.agent.listen,
                 listening_on);
  }
  if (previous.agent.database != next.agent.database) {
    spdlog::warn("agent.database changed to {}; restart to apply", next.agent.database);
  }
  if (previous.agent.store_buffer != next.agent.store_buffer) {
    spdlog::warn("agent.store_buffer changed to {}; restart to apply (still {})", next.agent.store_buffer,
                 previous.agent.store_buffer);
  }
  if (previous.retention.raw != next.retention.raw) {
    spdlog::warn("retention.raw changed to {}; restart to apply (still {})",
                 core::formatDuration(next.retention.raw), core::formatDuration(previous.retention.raw));
  }
  if (previous.retention.rollups != next.retention.rollups) {
    spdlog::warn("retention.rollups changed to {}; restart to apply (still {})",
                 core::formatDuration(next.retention.rollups),
                 core::formatDuration(previous.retention.rollups));
  }
}

}  // namespace shopwatch::agent::runtime
