#pragma once
// Per-host concurrency limits: runs wait here until their host (host:port) has a free slot.
// Engine thread only.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine_run.h"

namespace shopwatch::probes::detail {

class HostSlots {
 public:
  /// Queues `run` behind the others of its host (run->host_key, limit run->host_limit).
  void enqueue(std::unique_ptr<EngineRun> run);
  /// A run of `host_key` ended: its slot is free again.
  void release(const std::string& host_key);
  /// Hands every run whose host has a free slot to `start`, oldest first per host.
  void startReady(const std::function<void(std::unique_ptr<EngineRun>)>& start);
  /// Whether some host may start a run now.
  bool hasReady() const { return !dirty_.empty(); }
  /// Removes and returns every waiting run.
  std::vector<std::unique_ptr<EngineRun>> takeWaiting();
  /// No run waiting and none holding a slot.
  bool empty() const { return hosts_.empty(); }

 private:
  struct Slot {
    int active = 0;
    std::deque<std::unique_ptr<EngineRun>> waiting;
  };
  std::unordered_map<std::string, Slot> hosts_;
  std::vector<std::string> dirty_;  // hosts that may start a run
};

}  // namespace shopwatch::probes::detail
