#pragma once
/// Ports of servers that bound port 0 themselves, read back from what they log. Tests never pick a
/// "free" port up front (bind, close, reuse races under parallel ctest): the agent runs with
/// `listen: 127.0.0.1:0` and logs `endpoint http://IP:PORT/metrics`; Prometheus runs with
/// `--web.listen-address=127.0.0.1:0` and logs `msg="Listening on" address=IP:PORT`.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace shopwatch::testing {

/// What the agent logs before its bound address ("agent started: N checks, endpoint http://...").
inline constexpr std::string_view kAgentEndpointMarker = "endpoint http://";
/// What Prometheus logs before its bound address (the configured one is logged earlier, with
/// another message).
inline constexpr std::string_view kPrometheusListenMarker = "msg=\"Listening on\" address=";

/// The port of the first "HOST:PORT" (HOST an IPv4 literal or "[v6]") right after `marker` in `log`
/// whose port is not 0; nullopt when there is none (yet).
std::optional<std::uint16_t> listenPortAfter(std::string_view log, std::string_view marker);

/// Polls the file `log` (every 20 ms, up to `timeout`) for listenPortAfter(contents, marker).
std::optional<std::uint16_t> waitForListenPort(const std::filesystem::path& log,
                                               std::string_view marker,
                                               std::chrono::milliseconds timeout);

}  // namespace shopwatch::testing
