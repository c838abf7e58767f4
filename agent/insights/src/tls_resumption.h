#pragma once
// The TLS resumption probe of the response audits ([F], `no-tls-resumption`): does the page's
// HTTPS server resume a TLS session on a new connection, or does every connection pay a full
// handshake? Private to agent/insights.
//
// Unlike the rest of the audit fetch this does not run on the agent's probe engine: it opens two
// extra connections of its own (libcurl easy interface, blocking the calling thread — the insights
// thread) per audited HTTPS page per audit_interval, so the engine's per-host limits do not apply
// to them.

#include <functional>
#include <optional>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/http_request.h"

namespace shopwatch::agent::insights::detail {

/// For an https:// `page` only (else nullopt): two sequential HEAD requests to `page.url`, each on
/// a fresh connection (never reused), sharing one TLS session cache; true when the second
/// connection's handshake resumed the session the first one got (SSL_session_reused). The first
/// transfer reads the response headers before it ends, so a TLS 1.3 session ticket (sent after the
/// handshake) has been processed by then. TLS 1.2 session tickets are offered like a browser does
/// (libcurl turns them off by default), besides session ids.
///
/// Sent with the page request's TLS options (verify, ca_file, client certificate and key,
/// server_name as the engine applies it: the name in the URL, the connection to the configured
/// host), `resolve` overrides (else libcurl's resolver), proxy (else no proxy, not even from the
/// environment), IP version and user agent; no headers, body or credentials. `timeout` bounds each
/// transfer. `stopping` (may be empty) is polled while a transfer runs and aborts it.
///
/// nullopt when either transfer fails (no response, TLS error, timeout, stopped), when the TLS
/// backend is not OpenSSL, or when curl rejects an option: the audit then says nothing.
/// curl_global_init must have run. Never throws.
std::optional<bool> tlsSessionResumed(const core::HttpRequest& page, core::Micros timeout,
                                      const std::function<bool()>& stopping = {});

}  // namespace shopwatch::agent::insights::detail
