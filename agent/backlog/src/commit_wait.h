#pragma once
// Submitting a write job and waiting for its commit ("written before acted on"): the job's done()
// runs on the store's writer thread and hands the outcome to the waiting thread through a shared
// slot, which outlives a waiter that gave up.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "shopwatch/core/result.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::backlog::detail {

/// How long a waiter keeps waiting once `stopping()` says so (a degraded store may hold a job far
/// longer; the row then stays as it was and is dealt with again after the restart).
inline constexpr auto kStopGrace = std::chrono::seconds{5};

/// `make(done)` builds the job; returns its outcome, or Unavailable when the store is stopped or
/// the waiter gave up after stopping() turned true.
template <typename Make>
core::Status submitAndWait(storage::SqliteResultStore& store, Make make,
                           const std::function<bool()>& stopping) {
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<core::Status> outcome;
  };
  auto slot = std::make_shared<Slot>();
  auto job = make([slot](const core::Status& st) {
    std::lock_guard lk(slot->mu);
    slot->outcome = st;
    slot->cv.notify_all();
  });
  if (!store.submit(std::move(job)))
    return core::makeError(core::ErrorCode::Unavailable, "store stopped");
  std::unique_lock lk(slot->mu);
  std::optional<std::chrono::steady_clock::time_point> give_up;
  // Woken by done(); the timeout only lets a stopping waiter notice that it should give up.
  while (!slot->cv.wait_for(lk, std::chrono::milliseconds{200},
                            [&] { return slot->outcome.has_value(); })) {
    if (!stopping()) continue;
    const auto now = std::chrono::steady_clock::now();
    if (!give_up) give_up = now + kStopGrace;
    if (now >= *give_up)
      return core::makeError(core::ErrorCode::Unavailable, "stopped before the commit");
  }
  return *slot->outcome;
}

}  // namespace shopwatch::agent::backlog::detail
