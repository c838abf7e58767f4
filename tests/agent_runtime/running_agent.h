#pragma once
// An AgentRuntime started in process from a config file, listening on a free 127.0.0.1 port (the
// runtime end-to-end tests).

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/runtime/agent_runtime.h"
#include "test_helpers.h"

namespace shopwatch::testing {

struct RunningAgent {
  explicit RunningAgent(const std::filesystem::path& config_file,
                        std::chrono::milliseconds drain = std::chrono::milliseconds{3000}) {
    shopwatch::agent::runtime::RuntimeOptions options;
    options.listen_override = "127.0.0.1:0";
    options.drain_timeout = drain;
    agent = std::make_unique<shopwatch::agent::runtime::AgentRuntime>(options);
    auto loaded = shopwatch::agent::loadConfigFile(config_file.string());
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.format() + "\n";
    INFO(errors);
    REQUIRE(loaded.ok());
    auto st = agent->start(std::move(*loaded.config));
    REQUIRE(st.ok());
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(agent->port()) + path;
  }
  std::string metrics() const { return httpGet(url("/metrics")).body; }
  std::unique_ptr<shopwatch::agent::runtime::AgentRuntime> agent;
};

}  // namespace shopwatch::testing
