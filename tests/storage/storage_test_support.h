#pragma once
// Scripted runs use designated initializers that name only what a scenario varies.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
// Helpers for the storage tests: scripted records, temporary directories, helper processes.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "shopwatch/core/clock.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage::test {

using namespace std::chrono_literals;

// An hour-aligned instant (1.8e9 s is a multiple of 3600).
inline const core::SystemTime kT0 = core::SystemTime{std::chrono::seconds{1'800'000'000}};

inline SeriesKey series(const std::string& check, const std::string& step = "") {
  return SeriesKey{core::CheckKey{"acme", "production", check}, step};
}

struct Run {
  std::string check = "home";
  std::string step;
  std::int64_t run_id = 0;
  core::SystemTime scheduled = kT0;
  core::Micros interval = 60s;
  bool success = true;
  core::FailureReason reason = core::FailureReason::None;
  bool confirm = false;
  bool confirm_pending = false;
  bool in_maintenance = false;
  core::Micros duration = 120ms;
  bool saturated = false;
};

inline core::RunRecord record(const Run& run) {
  core::RunRecord r;
  r.key = core::CheckKey{"acme", "production", run.check};
  r.step = run.step;
  r.run_id = run.run_id;
  r.confirm = run.confirm;
  r.confirm_pending = run.confirm_pending;
  r.in_maintenance = run.in_maintenance;
  r.interval = run.interval;
  r.scheduled = run.scheduled;
  r.result.started = run.scheduled + (run.confirm ? 0us : 1500us);
  r.result.success = run.success;
  r.result.failure = run.success ? core::FailureReason::None
                                 : (run.reason == core::FailureReason::None ? core::FailureReason::Timeout
                                                                             : run.reason);
  r.result.message = run.success ? "" : "request timed out after 10s";
  r.result.status_code = run.success ? 200 : 0;
  r.result.duration = run.duration;
  r.result.phases = core::Phases{1200us, 3400us, 15000us, run.duration / 2, 2000us};
  r.result.http_version = "1.1";
  r.result.cert_not_after = core::SystemTime{std::chrono::seconds{1'830'000'000}};
  r.result.bytes = 48213;
  r.result.saturated = run.saturated;
  return r;
}

// A fresh directory under /tmp, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "shopwatch-storage-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace shopwatch::storage::test
