// API maintenance windows and their audit trail: announce and cancel jobs on the store's writer,
// the loaders after a restart (read-write and read-only), ids that never repeat.
#include "shopwatch/agent/persistence/maintenance_store.h"

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>

#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/storage/sqlite_result_store.h"
#include "sqlite_peek.h"
#include "storage_test_support.h"

using namespace shopwatch;
using namespace shopwatch::agent::persistence;
using namespace shopwatch::storage;
using namespace shopwatch::storage::test;

namespace {

StoreOptions options(const TempDir& dir) {
  StoreOptions o;
  o.path = dir.path() / "agent.db";
  o.components = {alertStateComponent(), maintenanceComponent()};
  o.flush_interval = std::chrono::seconds{60};
  return o;
}

struct Outcomes {
  std::mutex mu;
  std::vector<core::Status> seen;
  std::function<void(const core::Status&)> callback() {
    return [this](const core::Status& st) {
      std::lock_guard lk(mu);
      seen.push_back(st);
    };
  }
  std::vector<core::Status> get() {
    std::lock_guard lk(mu);
    return seen;
  }
};

rules::AdHocWindow window(std::int64_t id, std::vector<std::string> shops, core::SystemTime start,
                          core::SystemTime end, std::string reason, std::string by) {
  return rules::AdHocWindow{id, std::move(shops), start, end, std::move(reason), std::move(by)};
}

MaintenanceAudit audit(std::string actor, std::string remote, core::SystemTime at,
                       std::string reason) {
  MaintenanceAudit a;
  a.actor = std::move(actor);
  a.remote = std::move(remote);
  a.at = at;
  a.reason = std::move(reason);
  return a;
}

struct Loaded {
  std::vector<rules::AdHocWindow> windows;
  std::int64_t max_id = -1;
  std::vector<MaintenanceAudit> audit;
};

Loaded load(SqliteResultStore& store, core::SystemTime after, core::SystemTime from,
            core::SystemTime to) {
  Loaded out;
  REQUIRE(store.read([&](Db& db) -> core::Status {
    auto w = loadWindows(db, after);
    if (!w) return w.error();
    auto id = maxWindowId(db);
    if (!id) return id.error();
    auto a = loadAudit(db, from, to);
    if (!a) return a.error();
    out = Loaded{std::move(*w), *id, std::move(*a)};
    return {};
  }));
  return out;
}

void checkWindow(const rules::AdHocWindow& a, const rules::AdHocWindow& b) {
  INFO("window " << a.id);
  CHECK(a.id == b.id);
  CHECK(a.shops == b.shops);
  CHECK(a.start == b.start);
  CHECK(a.end == b.end);
  CHECK(a.reason == b.reason);
  CHECK(a.created_by == b.created_by);
}

void checkAudit(const MaintenanceAudit& a, std::int64_t id, const std::string& action,
                const MaintenanceAudit& b) {
  INFO("audit of window " << a.window_id << " " << a.action);
  CHECK(a.window_id == id);
  CHECK(a.action == action);
  CHECK(a.actor == b.actor);
  CHECK(a.remote == b.remote);
  CHECK(a.at == b.at);
  CHECK(a.reason == b.reason);
}

}  // namespace

TEST_CASE("announced and cancelled windows and their audit trail survive a restart") {
  TempDir dir;
  const auto o = options(dir);
  const auto deploy = window(1, {"acme", "beta"}, kT0 + 1h, kT0 + 3h, "deploy 4.2", "ci");
  const auto all = window(2, {}, kT0 + 2h, kT0 + 2h + 30min, "database upgrade", "ops");
  const auto past = window(3, {"acme"}, kT0 - 2h, kT0 - 1h, "done already", "api");
  const auto a_deploy = audit("ci", "10.0.0.5:4711", kT0, "deploy 4.2");
  const auto a_all = audit("ops", "[::1]:5000", kT0 + 1min, "database upgrade");
  const auto a_past = audit("api", "127.0.0.1:6000", kT0 + 2min, "");
  const auto a_cancel = audit("ops", "10.0.0.9:1234", kT0 + 10min, "postponed");
  Outcomes announced;
  Outcomes cancelled;
  {
    auto opened = SqliteResultStore::open(o);
    REQUIRE(opened);
    auto& store = **opened;
    REQUIRE(store.submit(makeAnnounceJob(deploy, a_deploy, announced.callback())));
    REQUIRE(store.submit(makeAnnounceJob(all, a_all, announced.callback())));
    REQUIRE(store.submit(makeAnnounceJob(past, a_past, announced.callback())));
    // The future window is cancelled by moving its end to its start.
    REQUIRE(store.submit(makeCancelJob(1, kT0 + 1h, a_cancel, cancelled.callback())));
    // An unknown id writes nothing; an id announced twice is refused, not retried.
    REQUIRE(store.submit(makeCancelJob(99, kT0 + 11min, audit("ops", "x", kT0 + 11min, "typo"),
                                       cancelled.callback())));
    REQUIRE(store.submit(makeAnnounceJob(window(2, {"acme"}, kT0, kT0 + 1h, "again", "ci"),
                                         audit("ci", "y", kT0 + 12min, "again"),
                                         announced.callback())));
    REQUIRE(store.flush());
    CHECK_FALSE(store.stats().degraded);
    auto a = announced.get();
    REQUIRE(a.size() == 4);
    CHECK(a[0].ok());
    CHECK(a[1].ok());
    CHECK(a[2].ok());
    REQUIRE_FALSE(a[3].ok());
    CHECK(a[3].error().code != core::ErrorCode::Unavailable);
    CHECK_THAT(a[3].error().message,
               Catch::Contains("announce maintenance window 2") && Catch::Contains("UNIQUE"));
    auto c = cancelled.get();
    REQUIRE(c.size() == 2);
    CHECK(c[0].ok());
    REQUIRE_FALSE(c[1].ok());
    CHECK(c[1].error().code == core::ErrorCode::NotFound);
  }

  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto got = load(**opened, kT0, kT0 - 24h, kT0 + 24h);
  // Windows ending after kT0, by start: the cancelled one (ending at its start) and the one for
  // all.
  REQUIRE(got.windows.size() == 2);
  auto cancelled_deploy = deploy;
  cancelled_deploy.end = kT0 + 1h;
  checkWindow(got.windows[0], cancelled_deploy);
  checkWindow(got.windows[1], all);
  CHECK(got.windows[1].shops.empty());
  CHECK(got.max_id == 3);
  REQUIRE(got.audit.size() == 4);
  checkAudit(got.audit[0], 1, "announce", a_deploy);
  checkAudit(got.audit[1], 2, "announce", a_all);
  checkAudit(got.audit[2], 3, "announce", a_past);
  checkAudit(got.audit[3], 1, "cancel", a_cancel);

  // `after` is exclusive: a window ending exactly then is over.
  auto later = load(**opened, kT0 + 1h, kT0 + 10min, kT0 + 11min);
  REQUIRE(later.windows.size() == 1);
  CHECK(later.windows[0].id == 2);
  REQUIRE(later.audit.size() == 1);  // [from, to)
  CHECK(later.audit[0].action == "cancel");
  auto everything = load(**opened, core::SystemTime::min(), kT0, kT0 + 1min);
  CHECK(everything.windows.size() == 3);
  CHECK(everything.windows[0].id == 3);
  REQUIRE(everything.audit.size() == 1);
  CHECK(everything.audit[0].window_id == 1);

  // The created_at column is the announcement's time.
  {
    SqlitePeek db(o.path);
    CHECK(db.scalar("SELECT created_at FROM maintenance_window WHERE id=2") ==
          core::toMicros(kT0 + 1min));
  }
  (*opened)->stop();
  auto ro = SqliteResultStore::openReadOnly(o.path);
  REQUIRE(ro);
  auto read_only = load(**ro, kT0, kT0 - 24h, kT0 + 24h);
  CHECK(read_only.max_id == 3);
  CHECK(read_only.windows.size() == 2);
  CHECK(read_only.audit.size() == 4);
}

TEST_CASE("the highest window id stays known when windows are gone but their audit remains") {
  TempDir dir;
  const auto o = options(dir);
  auto opened = SqliteResultStore::open(o);
  REQUIRE(opened);
  auto& store = **opened;
  Outcomes outcomes;
  REQUIRE(store.submit(makeAnnounceJob(window(41, {"acme"}, kT0, kT0 + 1h, "r", "ci"),
                                       audit("ci", "r", kT0, "r"), outcomes.callback())));
  REQUIRE(store.flush());
  CHECK(load(store, kT0, kT0, kT0 + 1h).max_id == 41);
  {
    SqlitePeek db(o.path);
    db.exec("DELETE FROM maintenance_window");
  }
  auto got = load(store, kT0, kT0, kT0 + 1h);
  CHECK(got.windows.empty());
  CHECK(got.max_id == 41);
}
