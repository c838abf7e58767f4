#include "maintenance_registry.h"

#include <algorithm>
#include <condition_variable>

#include <spdlog/spdlog.h>

#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

constexpr auto kMaxWindow = std::chrono::hours{24 * 31};
// How long an API call waits for the writer. A degraded store keeps the job queued (jobs are never
// dropped), so past this the window is answered as created and commits when the database recovers.
constexpr auto kPersistWait = std::chrono::seconds{3};

struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  core::Status outcome;
};

}  // namespace

MaintenanceRegistry::MaintenanceRegistry(const core::Clock& clock, storage::SqliteResultStore* store)
    : clock_(clock), store_(store) {}

core::Status MaintenanceRegistry::load() {
  if (store_ == nullptr) return {};
  const auto now = clock_.now();
  std::vector<rules::AdHocWindow> loaded;
  std::int64_t max_id = 0;
  auto st = store_->read([&](storage::Db& db) -> core::Status {
    auto windows = persistence::loadWindows(db, now);
    if (!windows) return windows.error();
    auto id = persistence::maxWindowId(db);
    if (!id) return id.error();
    loaded = std::move(*windows);
    max_id = *id;
    return {};
  });
  if (!st) return st;
  std::lock_guard lock(mu_);
  adhoc_ = std::move(loaded);
  next_id_ = max_id + 1;
  rebuildLocked();
  return {};
}

void MaintenanceRegistry::setConfig(std::vector<rules::MaintenanceSpec> specs,
                                    std::set<std::string> shops) {
  Listener listener;
  std::shared_ptr<const rules::MaintenanceCalendar> cal;
  {
    std::lock_guard lock(mu_);
    specs_ = std::move(specs);
    shops_ = std::move(shops);
    rebuildLocked();
    listener = listener_;
    cal = calendar_;
  }
  if (listener) listener(cal);
}

void MaintenanceRegistry::setListener(Listener listener) {
  std::shared_ptr<const rules::MaintenanceCalendar> cal;
  {
    std::lock_guard lock(mu_);
    listener_ = std::move(listener);
    cal = calendar_;
  }
  if (listener_) listener_(cal);
}

std::shared_ptr<const rules::MaintenanceCalendar> MaintenanceRegistry::calendar() const {
  std::lock_guard lock(mu_);
  return calendar_;
}

std::vector<rules::MaintenanceOccurrence> MaintenanceRegistry::activeAt(core::SystemTime t) const {
  auto cal = calendar();
  std::vector<rules::MaintenanceOccurrence> out;
  for (auto& o : cal->occurrences("", t, t + core::Micros{1})) {
    if (o.start <= t && t < o.end) out.push_back(std::move(o));
  }
  return out;
}

void MaintenanceRegistry::rebuildLocked() {
  const auto now = clock_.now();
  // Ended API windows no longer matter for the calendar (runs are judged when they complete).
  std::erase_if(adhoc_, [&](const rules::AdHocWindow& w) { return w.end <= now - std::chrono::hours{1}; });
  calendar_ = std::make_shared<const rules::MaintenanceCalendar>(specs_, adhoc_);
}

core::Status MaintenanceRegistry::persist(
    std::function<std::unique_ptr<storage::WriteJob>(std::function<void(const core::Status&)>)> make) {
  if (store_ == nullptr) return {};
  auto waiter = std::make_shared<Waiter>();
  auto job = make([waiter](const core::Status& outcome) {
    std::lock_guard lock(waiter->mu);
    waiter->done = true;
    waiter->outcome = outcome;
    waiter->cv.notify_all();
  });
  if (!store_->submit(std::move(job))) {
    return core::makeError(core::ErrorCode::Unavailable, "the database is not writable (store stopped)");
  }
  std::unique_lock lock(waiter->mu);
  if (!waiter->cv.wait_for(lock, kPersistWait, [&] { return waiter->done; })) {
    spdlog::warn("maintenance: the database is slow or unavailable; the change is queued and will be "
                 "written when it recovers");
    return {};
  }
  return waiter->outcome;
}

core::Result<rules::AdHocWindow> MaintenanceRegistry::announce(const http::MaintenanceRequest& req) {
  const auto now = clock_.now();
  rules::AdHocWindow w;
  {
    std::lock_guard lock(mu_);
    const bool all = req.shops.empty() || (req.shops.size() == 1 && req.shops.front() == "all");
    if (!all) {
      for (const auto& shop : req.shops) {
        if (shop == "all") {
          return core::makeError(core::ErrorCode::Invalid, "\"all\" cannot be combined with shop names");
        }
        if (!shops_.contains(shop)) {
          return core::makeError(core::ErrorCode::Invalid, "unknown shop \"" + shop + "\"");
        }
      }
      w.shops = req.shops;
      std::sort(w.shops.begin(), w.shops.end());
      w.shops.erase(std::unique(w.shops.begin(), w.shops.end()), w.shops.end());
    }
    if (req.end <= req.start) return core::makeError(core::ErrorCode::Invalid, "end must be after start");
    if (req.end <= now) return core::makeError(core::ErrorCode::Invalid, "the window has already ended");
    if (req.end - req.start > kMaxWindow) {
      return core::makeError(core::ErrorCode::Invalid, "a window may last at most 31 days");
    }
    w.id = next_id_++;
  }
  w.start = req.start;
  w.end = req.end;
  w.reason = req.reason;
  w.created_by = req.actor.empty() ? "api" : req.actor;
  persistence::MaintenanceAudit audit{w.id, "announce", w.created_by, req.remote, now, req.reason};
  auto st = persist([&](auto done) { return persistence::makeAnnounceJob(w, audit, std::move(done)); });
  if (!st) {
    return core::makeError(core::ErrorCode::Unavailable,
                           "could not store the window: " + st.error().message);
  }
  Listener listener;
  std::shared_ptr<const rules::MaintenanceCalendar> cal;
  {
    std::lock_guard lock(mu_);
    adhoc_.push_back(w);
    rebuildLocked();
    listener = listener_;
    cal = calendar_;
  }
  spdlog::info("maintenance {} announced by {} ({}): {} .. {} for {}{}", w.id, w.created_by, req.remote,
               core::formatRfc3339(w.start), core::formatRfc3339(w.end),
               w.shops.empty() ? std::string{"every shop"} : fmt::format("{}", fmt::join(w.shops, ", ")),
               w.reason.empty() ? "" : ": " + w.reason);
  if (listener) listener(cal);
  return w;
}

core::Status MaintenanceRegistry::cancel(std::int64_t id, const std::string& actor,
                                         const std::string& remote) {
  const auto now = clock_.now();
  core::SystemTime new_end;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(adhoc_.begin(), adhoc_.end(), [&](const auto& w) { return w.id == id; });
    if (it == adhoc_.end() || it->end <= now) {
      return core::makeError(core::ErrorCode::NotFound, "no active or future window " + std::to_string(id));
    }
    new_end = std::max(it->start, now);
  }
  const std::string who = actor.empty() ? "api" : actor;
  persistence::MaintenanceAudit audit{id, "cancel", who, remote, now, ""};
  auto st = persist([&](auto done) { return persistence::makeCancelJob(id, new_end, audit, std::move(done)); });
  if (!st) return st;
  Listener listener;
  std::shared_ptr<const rules::MaintenanceCalendar> cal;
  {
    std::lock_guard lock(mu_);
    for (auto& w : adhoc_) {
      if (w.id == id) w.end = new_end;
    }
    // A future window cancelled before it began never happens.
    std::erase_if(adhoc_, [&](const rules::AdHocWindow& w) { return w.id == id && w.end <= w.start; });
    rebuildLocked();
    listener = listener_;
    cal = calendar_;
  }
  spdlog::info("maintenance {} cancelled by {} ({})", id, who, remote);
  if (listener) listener(cal);
  return {};
}

std::vector<rules::AdHocWindow> MaintenanceRegistry::windows() const {
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  std::vector<rules::AdHocWindow> out;
  for (const auto& w : adhoc_) {
    if (w.end > now) out.push_back(w);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  return out;
}

}  // namespace shopwatch::agent::runtime
