#pragma once
// A real SqliteResultStore in a temporary directory with a few hours of runs for fillLast24h:
// acme/home every 10 min from kT0 + 7 h to kT0 + 10 h 20 min, durations 100…600 ms, one failure
// (confirm disabled: it counts as downtime) at kT0 + 8 h 20 min; acme/checkout's step rows
// (ignored).

#include <catch2/catch.hpp>
#include <memory>

#include "shopwatch/storage/sqlite_result_store.h"
#include "storage_test_support.h"

namespace shopwatch::report_html_test {

using storage::test::kT0;

struct StatusStore {
  storage::test::TempDir dir;
  core::FakeClock clock{kT0 + std::chrono::hours{10} + std::chrono::minutes{30}};
  std::unique_ptr<storage::SqliteResultStore> store;

  core::SystemTime now() const { return clock.now(); }
};

inline std::unique_ptr<StatusStore> makeStatusStore() {
  using namespace std::chrono_literals;
  auto s = std::make_unique<StatusStore>();
  storage::StoreOptions o;
  o.path = s->dir.path() / "agent.db";
  o.clock = &s->clock;
  auto opened = storage::SqliteResultStore::open(o);
  REQUIRE(opened);
  s->store = std::move(*opened);
  std::int64_t id = 1;
  for (auto t = kT0 + 7h; t <= kT0 + 10h + 20min; t += 10min, ++id) {
    storage::test::Run run;
    run.run_id = id;
    run.scheduled = t;
    run.interval = 600s;
    run.duration = std::chrono::milliseconds{100 * (1 + (id - 1) % 6)};
    if (t == kT0 + 8h + 20min) run.success = false;
    REQUIRE(s->store->enqueue(storage::test::record(run)));
    storage::test::Run step = run;
    step.check = "checkout";
    step.step = "cart";
    step.success = true;
    REQUIRE(s->store->enqueue(storage::test::record(step)));
  }
  REQUIRE(s->store->flush());
  return s;
}

}  // namespace shopwatch::report_html_test
