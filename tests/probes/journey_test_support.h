#pragma once
// Helpers for the journey tests: a journey check built step by step, and request lookups.

#include <chrono>
#include <string>
#include <vector>

#include "fake_http_server.h"
#include "probe_test_support.h"
#include "shopwatch/core/check.h"

namespace shopwatch::probes::test {

inline core::JourneyStep stepFor(const std::string& name, const std::string& url,
                                 const std::string& method = "GET") {
  core::JourneyStep s;
  s.name = name;
  s.request.url = url;
  s.request.method = method;
  s.request.timeout = std::chrono::seconds{5};
  return s;
}

inline core::Check journeyCheck(std::vector<core::JourneyStep> steps,
                                std::vector<core::JourneyStep> cleanup = {}) {
  REQUIRE(curlReady());
  core::Check check;
  check.key = {"shop", "production", "checkout"};
  check.schedule.timeout = std::chrono::seconds{10};
  core::JourneyProbe journey;
  journey.steps = std::move(steps);
  journey.cleanup = std::move(cleanup);
  check.probe = std::move(journey);
  return check;
}

inline core::Extraction extraction(const std::string& variable, core::Extraction::Kind kind,
                                   const std::string& expression) {
  core::Extraction x;
  x.variable = variable;
  x.kind = kind;
  x.expression = expression;
  return x;
}

/// The last request the server saw for `path` (REQUIREs one).
inline testing::FakeRequest lastRequest(const testing::FakeHttpServer& server,
                                        const std::string& path) {
  testing::FakeRequest found;
  bool any = false;
  for (auto& r : server.requests()) {
    if (r.path == path) {
      found = r;
      any = true;
    }
  }
  REQUIRE(any);
  return found;
}

inline std::string headerOf(const testing::FakeRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

inline const core::StepResult& stepNamed(const core::ProbeResult& r, const std::string& name) {
  for (const auto& s : r.steps) {
    if (s.name == name) return s;
  }
  FAIL("no step " << name);
  return r.steps.front();
}

}  // namespace shopwatch::probes::test
