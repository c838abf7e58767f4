#include "shopwatch/core/clock.h"

namespace shopwatch::core {

SystemTime SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}
SteadyTime SystemClock::steadyNow() const { return std::chrono::steady_clock::now(); }
const SystemClock& SystemClock::instance() {
  static const SystemClock kClock;
  return kClock;
}

FakeClock::FakeClock(SystemTime start) : wall_(start), steady_(SteadyTime{} + std::chrono::hours{1}) {}
SystemTime FakeClock::now() const {
  std::lock_guard lock(mu_);
  return wall_;
}
SteadyTime FakeClock::steadyNow() const {
  std::lock_guard lock(mu_);
  return steady_;
}
void FakeClock::advance(std::chrono::microseconds by) {
  std::lock_guard lock(mu_);
  wall_ += by;
  steady_ += by;
}
void FakeClock::set(SystemTime to) {
  std::lock_guard lock(mu_);
  steady_ += (to - wall_);
  wall_ = to;
}

}  // namespace shopwatch::core
