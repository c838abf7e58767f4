#pragma once
/// Clock: every scheduler and rule reads time through it, so tests can drive a fake clock and never sleep.

#include <chrono>
#include <mutex>

namespace shopwatch::core {

using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock time (what is stored and reported).
  virtual SystemTime now() const = 0;
  /// Monotonic time (what intervals and timeouts are measured with).
  virtual SteadyTime steadyNow() const = 0;
};

/// The real clocks. Thread-safe.
class SystemClock final : public Clock {
 public:
  SystemTime now() const override;
  SteadyTime steadyNow() const override;
  /// A process-wide instance.
  static const SystemClock& instance();
};

/// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = SystemTime{std::chrono::seconds{1'800'000'000}});
  SystemTime now() const override;
  SteadyTime steadyNow() const override;
  void advance(std::chrono::microseconds by);
  void set(SystemTime to);

 private:
  mutable std::mutex mu_;
  SystemTime wall_;
  SteadyTime steady_;
};

inline std::int64_t toMicros(SystemTime t) { return t.time_since_epoch().count(); }
inline SystemTime fromMicros(std::int64_t us) { return SystemTime{std::chrono::microseconds{us}}; }

}  // namespace shopwatch::core
