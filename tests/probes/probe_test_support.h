#pragma once
// Helpers shared by the probes tests: a plain HTTP check for a URL, and a completion collector.

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/probe_result.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::probes::test {

// curl_global_init belongs to main(); this test binary's "main" is Catch2's, so it happens here
// once.
inline bool curlReady() {
  static const bool kReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return kReady;
}

// A plain HTTP check's request timeout is the run's (agent/config sets both).
inline void setTimeout(core::Check& check, core::Micros timeout) {
  check.schedule.timeout = timeout;
  check.http()->request.timeout = timeout;
}

inline core::Check specFor(const std::string& url) {
  REQUIRE(curlReady());
  core::Check check;
  check.key = {"shop", "production", "check"};
  check.probe = core::HttpProbe{};
  check.http()->request.url = url;
  setTimeout(check, std::chrono::seconds{5});
  return check;
}

struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<core::ProbeResult> results;
  std::vector<std::thread::id> threads;  // the thread each completion ran on

  HttpProbeEngine::Completion callback() {
    return [this](core::ProbeResult r) {
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
      threads.push_back(std::this_thread::get_id());
      cv.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::seconds limit) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return results.size() >= n; });
  }
};

}  // namespace shopwatch::probes::test
