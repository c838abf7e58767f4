#pragma once
// Records the earliest notAfter of the certificate chain a server presents, from inside OpenSSL's
// verification, so it is known even when verification fails (blackbox_exporter cannot).

#include <curl/curl.h>

#include <optional>

#include "shopwatch/core/clock.h"

namespace shopwatch::probes::detail {

/// Where the verify callback writes; must outlive the TLS handshake of the transfer.
struct CertExpirySink {
  std::optional<core::SystemTime> earliest;
  /// When libcurl set up TLS for the connection, i.e. right after TCP connected: libcurl 7.88
  /// reports no connect time for a connection whose handshake then failed.
  std::optional<core::SteadyTime> handshake_started;
};

/// A CURLOPT_SSL_CTX_FUNCTION; CURLOPT_SSL_CTX_DATA must be a CertExpirySink*. Keeps curl's verify
/// mode and OpenSSL's verdict: only observes (and stamps handshake_started).
CURLcode installCertExpiryRecorder(CURL* easy, void* ssl_ctx, void* sink);

}  // namespace shopwatch::probes::detail
