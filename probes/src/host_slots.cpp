#include "host_slots.h"

#include <utility>

namespace shopwatch::probes::detail {

void HostSlots::enqueue(std::unique_ptr<EngineRun> run) {
  auto& slot = hosts_[run->host_key];
  dirty_.push_back(run->host_key);
  slot.waiting.push_back(std::move(run));
}

void HostSlots::release(const std::string& host_key) {
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) return;
  --it->second.active;
  dirty_.push_back(host_key);
}

void HostSlots::startReady(const std::function<void(std::unique_ptr<EngineRun>)>& start) {
  while (!dirty_.empty()) {
    std::string key = std::move(dirty_.back());
    dirty_.pop_back();
    auto it = hosts_.find(key);
    if (it == hosts_.end()) continue;
    // `start` may end a run at once (and so release a slot of this host): no references held.
    while (true) {
      auto found = hosts_.find(key);
      if (found == hosts_.end()) break;
      auto& slot = found->second;
      if (slot.waiting.empty() || slot.active >= slot.waiting.front()->host_limit) break;
      auto run = std::move(slot.waiting.front());
      slot.waiting.pop_front();
      ++slot.active;
      start(std::move(run));
    }
    auto done = hosts_.find(key);
    if (done != hosts_.end() && done->second.active == 0 && done->second.waiting.empty()) {
      hosts_.erase(done);
    }
  }
}

std::vector<std::unique_ptr<EngineRun>> HostSlots::takeWaiting() {
  std::vector<std::unique_ptr<EngineRun>> out;
  for (auto& [key, slot] : hosts_) {
    while (!slot.waiting.empty()) {
      out.push_back(std::move(slot.waiting.front()));
      slot.waiting.pop_front();
    }
  }
  std::erase_if(hosts_, [](const auto& kv) { return kv.second.active == 0; });
  return out;
}

}  // namespace shopwatch::probes::detail
