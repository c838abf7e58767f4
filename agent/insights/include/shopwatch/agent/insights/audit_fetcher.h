#pragma once
/// The audit fetcher ([F]): fetches a check's page the way a browser would — the page, then the
/// assets its HTML names — on the agent's probe engine, and returns the PageAudit the response
/// audits (audits.h) judge. The I/O half of the response audits.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shopwatch/agent/insights/page_audit.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::agent::insights {

struct AuditFetchOptions {
  /// Hosts besides the page's own whose assets may be fetched: "host" (any port) or "host:port"
  /// ("[v6]:port" for an IPv6 literal), compared case-insensitively and exactly (no wildcards).
  std::vector<std::string> asset_hosts;
  std::size_t max_assets = 60;
  std::uint64_t max_asset_bytes = 10ull * 1024 * 1024;  ///< decoded body of one asset
  core::Micros timeout = std::chrono::seconds{10};      ///< per request (each redirect hop of an asset)
  /// How an `asset_hosts` host (and the page's host, for its address class) is resolved before the
  /// address policy judges it; empty: the system resolver (getaddrinfo). Tests inject one.
  std::function<std::vector<std::string>(const std::string& host)> resolve_host;
};

/// Fetches `check`'s page and then the assets its HTML names on `engine` (the agent's engine:
/// per-host limits and saturation apply), and returns the PageAudit (key = check.key, step =
/// `step`). Blocks the caller; polls `stopping` (may be empty) at least every 100 ms and returns
/// early with what has completed when it says so (assets still in flight are left out; their
/// completions touch only shared state). Never throws.
///
/// The page: an HTTP check's request; a journey's step named `step`, else its first step (a step
/// whose URL holds run-time `${...}` variables cannot be fetched: the page's error says so, and
/// header values holding them are not sent). Sent as the check would (URL, headers, bearer token,
/// basic auth, TLS options, resolve overrides, proxy, IP version, user agent, redirects), with
/// the method forced to GET, no body, capture on, `Accept-Encoding: gzip, deflate, br` and a
/// browser's Accept unless the check sets its own, and `options.timeout`. Its assets are
/// extracted (probes/page_assets.h, against the final URL) only from a 2xx text/html or
/// application/xhtml+xml answer.
///
/// Address policy (a safety rule): an asset is fetched only when its host is the page's (the
/// host of the check's URL or of the page's final URL, any port) or listed in
/// `options.asset_hosts`; the others are listed in PageAudit::skipped_assets and never
/// contacted. A listed host must resolve only to public addresses unless the check's own host is
/// not public either (address_policy.h), and is fetched at the address it was judged at. An
/// HTTPS page that answered gets two more HEAD connections off the engine, one after the other,
/// to see whether the server resumes TLS sessions (tls_resumption.h; PageAudit::tls_session_resumed). Asset redirects are followed here, hop by hop (at most 10), under the same rule: a
/// redirect to a host not allowed is not followed (the asset fails with that error and the
/// target is listed as skipped). Assets are fetched with GET, `Accept-Encoding: gzip, deflate,
/// br`, the check's user agent, proxy and IP version, capture on, max_body = max_asset_bytes; the
/// check's TLS options and resolve overrides apply only on the page's own hosts; no
/// credentials are sent.
///
/// FetchedResource: url as requested (the page's redacted with check.secrets), status (0 when
/// `error` is set), http_version, headers and wire bytes of the final response, duration and
/// phases (an asset's summed over its hops), redirect_chain, cert_not_after (of the final hop),
/// fetched_at (the first request's start), error: the engine's message when no complete response
/// arrived (dns, connect, tls, timeout, protocol, body_too_large, redirects, cancelled), "" when
/// one did (whatever its status).
PageAudit fetchPageAudit(probes::HttpProbeEngine& engine, const core::Check& check,
                         const std::string& step, const AuditFetchOptions& options,
                         const std::function<bool()>& stopping);

}  // namespace shopwatch::agent::insights
