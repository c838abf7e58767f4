#include "shopwatch/core/listen_address.h"

#include "shopwatch/core/text.h"

namespace shopwatch::core {

std::string ListenAddress::str() const {
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

Result<ListenAddress> parseListenAddress(std::string_view text) {
  auto invalid = [](std::string message) { return makeError(ErrorCode::Invalid, std::move(message)); };
  ListenAddress out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find("]:");
    if (close == std::string_view::npos) return invalid("expected [IPv6]:PORT, e.g. [::1]:9834");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos || !isIpLiteral(host)) {
      return invalid("`" + std::string(host) + "` is not an IPv6 address");
    }
    out.v6 = true;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return invalid("expected HOST:PORT, e.g. 127.0.0.1:9834");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.empty()) return invalid("the host is missing (use 0.0.0.0:PORT to listen on every interface)");
    if (host.find(':') != std::string_view::npos) return invalid("write IPv6 addresses in brackets: [::1]:9834");
    if (asciiIEquals(host, "localhost")) host = "127.0.0.1";
    if (!isIpLiteral(host)) {
      return invalid("`" + std::string(host) +
                     "` is not an IP address (host names are not resolved; use an address such as "
                     "127.0.0.1 or 0.0.0.0)");
    }
  }
  unsigned value = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') digits = false;
    else value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!digits || value > 65535) return invalid("`" + std::string(port) + "` is not a port number (0-65535)");
  out.ip = std::string(host);
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace shopwatch::core
