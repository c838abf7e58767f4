#pragma once
/// The grammar of `agent.listen` and `demo --listen`, used by config validation and by the server
/// that binds it, so that what `check-config` accepts, `run` starts.

#include <cstdint>
#include <string>
#include <string_view>

#include "shopwatch/core/result.h"

namespace shopwatch::core {

struct ListenAddress {
  std::string ip;      ///< an IP literal (no brackets); `localhost` becomes 127.0.0.1
  std::uint16_t port = 0;  ///< 0: any free port
  bool v6 = false;

  /// "127.0.0.1:9834" / "[::1]:9834".
  std::string str() const;
};

/// `IPv4:PORT`, `[IPv6]:PORT` or `localhost:PORT`. Other host names are rejected (they are not
/// resolved), with a message that says so.
Result<ListenAddress> parseListenAddress(std::string_view text);

}  // namespace shopwatch::core
