#include "service_notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <spdlog/spdlog.h>

namespace shopwatch::agent::runtime {

namespace {

// sd_notify() is a no-op (returns 0) without NOTIFY_SOCKET; a failure to send is not worth more
// than a debug line — systemd then times the start out or restarts us, which is the signal.
void notify(const std::string& message) {
  if (const int rc = sd_notify(0, message.c_str()); rc < 0) {
    spdlog::debug("sd_notify failed: error {}", -rc);
  }
}

std::uint64_t monotonicMicros() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000U +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000U;
}

std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

bool HeartbeatGate::observe(std::uint64_t value, std::chrono::steady_clock::time_point now) {
  if (!seen_ || last_value_ != value) {
    seen_ = true;
    last_value_ = value;
    last_change_ = now;
  }
  still_for_ = now - last_change_;
  return still_for_ <= max_still_;
}

ServiceNotifier::~ServiceNotifier() { stopWatchdog(); }

void ServiceNotifier::ready(const std::string& status) const {
  notify("READY=1\nSTATUS=" + oneLine(status));
}

void ServiceNotifier::reloading() const {
  notify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + std::to_string(monotonicMicros()));
}

void ServiceNotifier::stopping() {
  notify("STOPPING=1\nSTATUS=stopping");
  stopWatchdog();
}

void ServiceNotifier::status(const std::string& status) const { notify("STATUS=" + oneLine(status)); }

std::optional<std::chrono::microseconds> ServiceNotifier::startWatchdog(Heartbeat heartbeat) {
  std::uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is our pid.
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0 || watchdog_.joinable()) return std::nullopt;
  const std::chrono::microseconds interval{usec};
  spdlog::info("systemd watchdog: {} ms, pinging every {} ms while the scheduler loop runs",
               usec / 1000, usec / 2000);
  watchdog_ = std::jthread([this, interval, heartbeat = std::move(heartbeat)](std::stop_token stop) {
    watch(stop, interval, heartbeat);
  });
  return interval;
}

void ServiceNotifier::stopWatchdog() {
  if (!watchdog_.joinable()) return;
  watchdog_.request_stop();
  cv_.notify_all();
  watchdog_.join();
}

void ServiceNotifier::watch(std::stop_token stop, std::chrono::microseconds interval,
                            const Heartbeat& heartbeat) {
  HeartbeatGate gate(interval);
  bool withheld = false;
  while (!stop.stop_requested()) {
    const bool alive = gate.observe(heartbeat(), std::chrono::steady_clock::now());
    if (alive) {
      notify("WATCHDOG=1");
      if (withheld) spdlog::warn("systemd watchdog: the scheduler loop runs again, pinging again");
      withheld = false;
    } else if (!withheld) {
      withheld = true;
      spdlog::error(
          "systemd watchdog: the scheduler loop has not run for {} ms, withholding the ping "
          "(systemd restarts a hung agent)",
          std::chrono::duration_cast<std::chrono::milliseconds>(gate.stillFor()).count());
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, interval / 2, [] { return false; });
  }
}

}  // namespace shopwatch::agent::runtime
