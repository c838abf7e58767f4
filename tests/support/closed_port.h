#pragma once
/// ClosedLoopbackPort: a port on 127.0.0.1 that refuses connections for as long as the object
/// lives. It holds a TCP socket bound to 127.0.0.1:0 that never listens, so the kernel answers
/// connection attempts with RST and no other test (in this or a parallel process) can take the port
/// meanwhile — unlike a port that was free a moment ago.

#include <cstdint>

namespace shopwatch::testing {

class ClosedLoopbackPort {
 public:
  ClosedLoopbackPort();  ///< throws std::runtime_error when no socket can be bound
  ~ClosedLoopbackPort();
  ClosedLoopbackPort(const ClosedLoopbackPort&) = delete;
  ClosedLoopbackPort& operator=(const ClosedLoopbackPort&) = delete;
  ClosedLoopbackPort(ClosedLoopbackPort&&) = delete;
  ClosedLoopbackPort& operator=(ClosedLoopbackPort&&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace shopwatch::testing
