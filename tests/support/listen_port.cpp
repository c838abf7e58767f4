#include "listen_port.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace shopwatch::testing {

std::optional<std::uint16_t> listenPortAfter(std::string_view log, std::string_view marker) {
  for (auto pos = log.find(marker); pos != std::string_view::npos;
       pos = log.find(marker, pos + 1)) {
    auto rest = log.substr(pos + marker.size());
    std::size_t host_end = 0;
    if (!rest.empty() && rest.front() == '[') {
      host_end = rest.find(']');
      if (host_end == std::string_view::npos) continue;
      ++host_end;
    } else {
      while (host_end < rest.size() &&
             (rest[host_end] == '.' || (rest[host_end] >= '0' && rest[host_end] <= '9'))) {
        ++host_end;
      }
    }
    if (host_end == 0 || host_end >= rest.size() || rest[host_end] != ':') continue;
    const auto digits = rest.substr(host_end + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end == digits.data() || port == 0 || port > 65535) continue;
    return static_cast<std::uint16_t>(port);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> waitForListenPort(const std::filesystem::path& log,
                                               std::string_view marker,
                                               std::chrono::milliseconds timeout) {
  // A child process writes the file while we read it: real time, no clock to fake.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::ifstream in(log, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (auto port = listenPortAfter(text.str(), marker)) return port;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

}  // namespace shopwatch::testing
