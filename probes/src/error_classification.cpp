#include "error_classification.h"

#include <cerrno>

namespace shopwatch::probes::detail {

using core::FailureReason;

std::string timeoutMessage(const TransferProgress& p) {
  std::string msg = "timed out after " + core::formatDuration(p.timeout);
  if (!p.connected) return msg + " connecting to " + p.target;
  if (p.tls && !p.tls_done) return msg + " in the TLS handshake with " + p.target;
  if (!p.headers_done) return msg + " waiting for the response from " + p.target;
  return msg + " reading the body from " + p.target + " (" + std::to_string(p.bytes) +
         " bytes received)";
}

TransferError classifyCurlError(CURLcode code, const std::string& err, long os_errno,
                                const TransferProgress& p) {
  const std::string& target = p.target;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return {FailureReason::Dns, "cannot resolve " + target + ": " + err};
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {FailureReason::Dns, "cannot resolve proxy: " + err};
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED)
        return {FailureReason::Connect, "connect to " + target + " refused"};
      if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH) {
        return {FailureReason::Connect, "connect to " + target + ": network unreachable"};
      }
      return {FailureReason::Connect, "connect to " + target + " failed: " + err};
    case CURLE_OPERATION_TIMEDOUT:
      return {FailureReason::Timeout, timeoutMessage(p)};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return {FailureReason::Tls, "TLS with " + target + " failed: " + err};
    case CURLE_GOT_NOTHING:
      return {FailureReason::Protocol, "empty reply from " + target};
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      if (p.headers_done) {
        return {FailureReason::Protocol, "response from " + target + " broken after " +
                                             std::to_string(p.bytes) + " body bytes: " + err};
      }
      return {FailureReason::Protocol, "response from " + target + " broken: " + err};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
      return {FailureReason::Protocol, "malformed response from " + target + ": " + err};
    default:
      return {FailureReason::Internal,
              "curl error " + std::to_string(static_cast<int>(code)) + ": " + err};
  }
}

}  // namespace shopwatch::probes::detail
