#pragma once
// ServiceNotifier: the agent's side of systemd's Type=notify protocol (sd_notify(3)) — readiness,
// reload and stop notifications, a one-line status, and the watchdog keep-alive (WatchdogSec=).
// Without NOTIFY_SOCKET (not started by systemd, or a test) every notification is a no-op.
//
// The watchdog is pinged (WATCHDOG=1) from its own thread at half the interval systemd asked for
// (sd_watchdog_enabled(3): WATCHDOG_USEC, WATCHDOG_PID), but only while a liveness heartbeat keeps
// moving (the scheduler loop's poll count): when it has stood still for longer than the interval,
// pings stop and systemd restarts the hung process.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace shopwatch::agent::runtime {

/// Decides whether a heartbeat counter shows life: it is alive while the counter changed within the
/// last `max_still` (the first observation counts as a change). Pure logic over the times passed in.
class HeartbeatGate {
 public:
  explicit HeartbeatGate(std::chrono::steady_clock::duration max_still) : max_still_(max_still) {}
  /// Records `value` observed at `now`; true while alive.
  bool observe(std::uint64_t value, std::chrono::steady_clock::time_point now);
  /// How long the counter has stood still as of the last observe().
  std::chrono::steady_clock::duration stillFor() const { return still_for_; }

 private:
  std::chrono::steady_clock::duration max_still_;
  bool seen_ = false;
  std::uint64_t last_value_ = 0;
  std::chrono::steady_clock::time_point last_change_{};
  std::chrono::steady_clock::duration still_for_{0};
};

class ServiceNotifier {
 public:
  /// Returns a counter that moves while the process is healthy; called from the watchdog thread.
  using Heartbeat = std::function<std::uint64_t()>;

  ServiceNotifier() = default;
  ~ServiceNotifier();  ///< stops the watchdog thread
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;
  ServiceNotifier(ServiceNotifier&&) = delete;
  ServiceNotifier& operator=(ServiceNotifier&&) = delete;

  /// READY=1 with STATUS=`status` (after start, and after each reload).
  void ready(const std::string& status) const;
  /// RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC now), as systemd 253's Type=notify-reload wants.
  void reloading() const;
  /// STOPPING=1; also stops the watchdog thread (systemd stops watching once the service stops).
  void stopping();
  /// STATUS=`status` alone.
  void status(const std::string& status) const;

  /// Starts pinging when systemd asked for a watchdog for this process; returns the interval it asked
  /// for (nullopt: no watchdog, nothing started). Call once.
  std::optional<std::chrono::microseconds> startWatchdog(Heartbeat heartbeat);
  /// Stops and joins the watchdog thread. Idempotent.
  void stopWatchdog();

 private:
  void watch(std::stop_token stop, std::chrono::microseconds interval, const Heartbeat& heartbeat);

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread watchdog_;
};

}  // namespace shopwatch::agent::runtime
