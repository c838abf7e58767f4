#pragma once
// Shared pieces of the report tests: a temporary store holding a synthetic month, UTC instants,
// configs with SLA terms, jobs run on the store's writer.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "synthetic_month.h"

namespace shopwatch::report_test {

using namespace std::chrono_literals;

/// y-m-d h:min UTC.
inline core::SystemTime utc(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{m} /
                                  std::chrono::day{d}};
  return core::SystemTime{std::chrono::duration_cast<core::Micros>(day.time_since_epoch()) +
                          std::chrono::hours{h} + std::chrono::minutes{min}};
}

inline core::Micros secs(std::int64_t s) { return core::Micros{s * 1'000'000}; }

/// Temp directories named after this suite.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("shopwatch-report") {}
};

/// A store (with the incidents and maintenance components unless `bare`) whose clock stands at
/// `now`.
class MonthStore {
 public:
  explicit MonthStore(core::SystemTime now, bool bare = false) : clock_(now) {
    storage::StoreOptions o;
    o.path = dir_.path() / "agent.db";
    o.clock = &clock_;
    o.retention_raw = std::chrono::hours{24 * 400};
    if (!bare) {
      o.components = {agent::persistence::maintenanceComponent(),
                      agent::backlog::incidentsComponent()};
    }
    auto opened = storage::SqliteResultStore::open(std::move(o));
    if (!opened) std::abort();
    store_ = std::move(*opened);
  }
  storage::SqliteResultStore& store() { return *store_; }
  std::filesystem::path path() const { return dir_.path() / "agent.db"; }

 private:
  TempDir dir_;
  core::FakeClock clock_;
  std::unique_ptr<storage::SqliteResultStore> store_;
};

/// A job running `fn` on the writer; wait() returns its outcome.
class FnJob final : public storage::WriteJob {
 public:
  explicit FnJob(std::function<core::Status(storage::Db&)> fn) : fn_(std::move(fn)) {}
  core::Status apply(storage::Db& db) override { return fn_(db); }
  void done(const core::Status& outcome) override { promise_.set_value(outcome); }
  std::future<core::Status> result() { return promise_.get_future(); }

 private:
  std::function<core::Status(storage::Db&)> fn_;
  std::promise<core::Status> promise_;
};

/// Runs `fn` in a write transaction of the store; its outcome.
inline core::Status runJob(storage::SqliteResultStore& store,
                           std::function<core::Status(storage::Db&)> fn) {
  auto job = std::make_unique<FnJob>(std::move(fn));
  auto result = job->result();
  if (!store.submit(std::move(job)))
    return core::makeError(core::ErrorCode::Internal, "store stopped");
  return result.get();
}

/// Shop `acme` (production) and `globex` in `timezone`; no SLA terms.
inline agent::AgentConfig baseConfig(const std::string& timezone = "UTC") {
  agent::AgentConfig c;
  c.agent.client = "acme-agency";
  c.agent.timezone = timezone;
  c.shops.push_back(agent::ShopConfig{"acme", "production", "https://acme.example", 4});
  c.shops.push_back(agent::ShopConfig{"globex", "production", "https://globex.example", 4});
  return c;
}

inline agent::SlaTerms slaFor(const std::string& shop, double target, const std::string& text) {
  agent::SlaTerms t;
  t.shops = {shop};
  t.target = target;
  t.target_text = text;
  return t;
}

inline SyntheticSeries series(const std::string& check, const std::string& step = "",
                              const std::string& shop = "acme") {
  return SyntheticSeries{core::CheckKey{shop, "production", check}, step};
}

}  // namespace shopwatch::report_test
