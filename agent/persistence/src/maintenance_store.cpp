#include "shopwatch/agent/persistence/maintenance_store.h"

#include <string>
#include <utility>

#include "callback_job.h"

namespace shopwatch::agent::persistence {

namespace {

using storage::Db;
using storage::Statement;

// Shop names are identity names ([a-z0-9._-]), so a comma never occurs in one: "acme,beta", and ""
// for every shop.
std::string joinShops(const std::vector<std::string>& shops) {
  std::string out;
  for (const auto& s : shops) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> splitShops(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

core::Status insertAudit(Db& db, const MaintenanceAudit& a) {
  auto s = db.statement(
      "INSERT INTO maintenance_audit(window_id,action,actor,remote,at,reason) "
      "VALUES(?1,?2,?3,?4,?5,?6)");
  if (!s) return s.error();
  return (*s)
      ->bind(1, a.window_id)
      .bind(2, a.action)
      .bind(3, a.actor)
      .bind(4, a.remote)
      .bind(5, core::toMicros(a.at))
      .bind(6, a.reason)
      .run();
}

class AnnounceJob final : public detail::CallbackJob {
 public:
  AnnounceJob(rules::AdHocWindow window, MaintenanceAudit audit,
              std::function<void(const core::Status&)> done)
      : CallbackJob(std::move(done)), window_(std::move(window)), audit_(std::move(audit)) {
    audit_.window_id = window_.id;
    audit_.action = "announce";
  }

  core::Status apply(Db& db) override {
    const auto what = "announce maintenance window " + std::to_string(window_.id);
    // A plain INSERT: an id already used fails with a constraint error, which is this job's own
    // failure (done(error), never retried) — ids are never reused.
    auto s = db.statement(
        "INSERT INTO maintenance_window(id,shops,start_at,end_at,reason,created_by,created_at) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7)");
    if (!s) return detail::prefixed(s.error(), what);
    auto st = (*s)->bind(1, window_.id)
                  .bind(2, joinShops(window_.shops))
                  .bind(3, core::toMicros(window_.start))
                  .bind(4, core::toMicros(window_.end))
                  .bind(5, window_.reason)
                  .bind(6, window_.created_by)
                  .bind(7, core::toMicros(audit_.at))
                  .run();
    if (!st) return detail::prefixed(st.error(), what);
    if (auto a = insertAudit(db, audit_); !a) return detail::prefixed(a.error(), what);
    return {};
  }

 private:
  rules::AdHocWindow window_;
  MaintenanceAudit audit_;
};

class CancelJob final : public detail::CallbackJob {
 public:
  CancelJob(std::int64_t id, core::SystemTime new_end, MaintenanceAudit audit,
            std::function<void(const core::Status&)> done)
      : CallbackJob(std::move(done)), id_(id), new_end_(new_end), audit_(std::move(audit)) {
    audit_.window_id = id_;
    audit_.action = "cancel";
  }

  core::Status apply(Db& db) override {
    const auto what = "cancel maintenance window " + std::to_string(id_);
    auto s = db.statement("UPDATE maintenance_window SET end_at=?2 WHERE id=?1");
    if (!s) return detail::prefixed(s.error(), what);
    if (auto st = (*s)->bind(1, id_).bind(2, core::toMicros(new_end_)).run(); !st)
      return detail::prefixed(st.error(), what);
    if (db.changes() == 0) {
      return core::makeError(core::ErrorCode::NotFound,
                             "maintenance window " + std::to_string(id_) + " does not exist");
    }
    if (auto a = insertAudit(db, audit_); !a) return detail::prefixed(a.error(), what);
    return {};
  }

 private:
  std::int64_t id_;
  core::SystemTime new_end_;
  MaintenanceAudit audit_;
};

}  // namespace

storage::StorageComponent maintenanceComponent() {
  return storage::StorageComponent{"maintenance",
                                   {
                                       R"sql(
CREATE TABLE maintenance_window(
  id INTEGER PRIMARY KEY,          -- chosen by the agent; never reused
  shops TEXT NOT NULL,             -- comma-joined shop names; '' = every shop
  start_at INTEGER NOT NULL,       -- µs, as every time below
  end_at INTEGER NOT NULL,         -- cancelling moves it (to now, or to start_at)
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX maintenance_window_end ON maintenance_window(end_at);
CREATE TABLE maintenance_audit(
  id INTEGER PRIMARY KEY,          -- append order
  window_id INTEGER NOT NULL,
  action TEXT NOT NULL,            -- announce | cancel
  actor TEXT NOT NULL,
  remote TEXT NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX maintenance_audit_at ON maintenance_audit(at);
)sql",
                                   }};
}

std::unique_ptr<storage::WriteJob> makeAnnounceJob(rules::AdHocWindow window,
                                                   MaintenanceAudit audit,
                                                   std::function<void(const core::Status&)> done) {
  return std::make_unique<AnnounceJob>(std::move(window), std::move(audit), std::move(done));
}

std::unique_ptr<storage::WriteJob> makeCancelJob(std::int64_t id, core::SystemTime new_end,
                                                 MaintenanceAudit audit,
                                                 std::function<void(const core::Status&)> done) {
  return std::make_unique<CancelJob>(id, new_end, std::move(audit), std::move(done));
}

core::Result<std::vector<rules::AdHocWindow>> loadWindows(storage::Db& db, core::SystemTime after) {
  auto s = db.statement(
      "SELECT id,shops,start_at,end_at,reason,created_by FROM maintenance_window "
      "WHERE end_at>?1 ORDER BY start_at,id");
  if (!s) return detail::prefixed(s.error(), "load maintenance windows");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  q.bind(1, core::toMicros(after));
  std::vector<rules::AdHocWindow> out;
  for (;;) {
    auto row = q.step();
    if (!row) return detail::prefixed(row.error(), "load maintenance windows");
    if (!*row) return out;
    rules::AdHocWindow w;
    w.id = q.i64(0);
    w.shops = splitShops(q.text(1));
    w.start = core::fromMicros(q.i64(2));
    w.end = core::fromMicros(q.i64(3));
    w.reason = q.text(4);
    w.created_by = q.text(5);
    out.push_back(std::move(w));
  }
}

core::Result<std::int64_t> maxWindowId(storage::Db& db) {
  // The audit keeps every id ever announced, even if windows are pruned one day.
  auto s = db.statement(
      "SELECT max(coalesce((SELECT max(id) FROM maintenance_window),0),"
      "coalesce((SELECT max(window_id) FROM maintenance_audit),0))");
  if (!s) return detail::prefixed(s.error(), "read maintenance window ids");
  Statement::ResetOnExit reset(**s);
  auto row = (*s)->step();
  if (!row) return detail::prefixed(row.error(), "read maintenance window ids");
  return *row ? (*s)->i64(0) : 0;
}

core::Result<std::vector<MaintenanceAudit>> loadAudit(storage::Db& db, core::SystemTime from,
                                                      core::SystemTime to) {
  auto s = db.statement(
      "SELECT window_id,action,actor,remote,at,reason FROM maintenance_audit "
      "WHERE at>=?1 AND at<?2 ORDER BY at,id");
  if (!s) return detail::prefixed(s.error(), "load maintenance audit");
  auto& q = **s;
  Statement::ResetOnExit reset(q);
  q.bind(1, core::toMicros(from)).bind(2, core::toMicros(to));
  std::vector<MaintenanceAudit> out;
  for (;;) {
    auto row = q.step();
    if (!row) return detail::prefixed(row.error(), "load maintenance audit");
    if (!*row) return out;
    MaintenanceAudit a;
    a.window_id = q.i64(0);
    a.action = q.text(1);
    a.actor = q.text(2);
    a.remote = q.text(3);
    a.at = core::fromMicros(q.i64(4));
    a.reason = q.text(5);
    out.push_back(std::move(a));
  }
}

}  // namespace shopwatch::agent::persistence
