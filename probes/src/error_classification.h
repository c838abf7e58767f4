#pragma once
// CURLcode → FailureReason + message: the one place that names what went wrong in a transfer.

#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "shopwatch/core/duration.h"
#include "transfer.h"

namespace shopwatch::probes::detail {

/// How far a transfer got, for messages.
struct TransferProgress {
  std::string target;  ///< host:port
  bool tls = false;
  bool connected = false;     ///< TCP connected
  bool tls_done = false;      ///< handshake finished
  bool headers_done = false;  ///< the final response's headers arrived
  std::uint64_t bytes = 0;    ///< body bytes received
  core::Micros timeout{0};    ///< the limit a timeout message names
};

/// "timed out after 5s connecting to host:port" (… in the TLS handshake / waiting for the
/// response / reading the body (N bytes received)).
std::string timeoutMessage(const TransferProgress& progress);

/// `detail` is libcurl's error buffer (or its strerror); `os_errno` CURLINFO_OS_ERRNO.
TransferError classifyCurlError(CURLcode code, const std::string& detail, long os_errno,
                                const TransferProgress& progress);

}  // namespace shopwatch::probes::detail
