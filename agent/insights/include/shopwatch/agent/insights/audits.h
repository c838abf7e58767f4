#pragma once
/// Response audits ([F]): pure functions from one fetched page and its assets (page_audit.h) to
/// findings. No I/O, no clock (times come from the fetch), no config parsing: limits arrive as
/// AuditLimits. Thread-safe (no shared state). Output order is unspecified (rankFindings() orders).
///
/// The audits, each at most one finding per page (the page's key and step):
/// - `no-compression`: text responses (html, css, js, json, svg, plain, xml) of at least
///   `compress_min_bytes` wire bytes without a gzip/br/zstd/deflate content-encoding. saving_bytes:
///   bytes × the type's ratio (kCompressionRatio* below).
/// - `no-cache-headers`: static assets (stylesheet, script, image, font by kind or content type)
///   with no-store / no-cache, or no freshness at all, or a freshness lifetime below
///   `min_cache_lifetime` (max-age, else s-maxage, else Expires − Date, else Expires − fetched_at).
///   saving_bytes: those assets' bytes (a repeat view downloads them again).
/// - `no-http2`: a host that answered an HTTPS request with HTTP/1.x. Plain-http hosts are not
///   flagged: browsers speak HTTP/2 only over TLS, so the fix there is HTTPS first. saving_seconds:
///   Σ over such hosts of max(0, requests − parallel) / parallel × (page connect + tls) — the
///   extra connection set-ups a browser's `parallel` connections per host pay.
/// - `redirect-chain`: the page or an asset took at least one redirect. saving_seconds: for each,
///   hops × duration / (hops + 1) (the fetch's time split evenly over its hops).
/// - `page-weight`: page + fetched asset bytes above `page_weight_limit`; saving_bytes: the excess.
/// - `cookies-on-static`: static assets whose response sets a cookie. Evidence holds cookie names
///   only, never values. saving_bytes: the Set-Cookie header bytes those responses carried.
/// - `large-image`: images above `image_limit` bytes; saving_bytes: Σ (bytes − image_limit).
/// - `slow-tls`: the page fetch's TLS phase above `slow_tls`; saving_seconds: tls − `tls_target`.
/// - `no-tls-resumption`: an HTTPS page whose server did not resume the TLS session of one
///   connection on the next (PageAudit::tls_session_resumed == false, measured by the audit
///   fetch): every new connection pays a full handshake. saving_seconds: max(0, tls −
///   `tls_target`) of the page fetch (a resumed handshake saves about a round trip and the key
///   exchange); emitted with saving 0 when the handshake is already fast (a server config fix).
/// - `cert-chain`: the page fetch failed on TLS/certificate verification, or the certificate
///   expires within `cert_warning` of the fetch (or has expired). No saving: it is an outage risk,
///   not a speed-up.
/// A failed page fetch (status 0) yields only `cert-chain` (when it applies). Failed assets are
/// skipped by every audit and listed in the `page-weight` evidence (`failed`).

#include <chrono>
#include <cstdint>
#include <vector>

#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/insights/page_audit.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::insights {

/// Estimated share of bytes gzip saves, per text family (conservative figures for markup/code).
inline constexpr double kCompressionRatioMarkup = 0.70;  ///< html, css, js, json, svg, xml
inline constexpr double kCompressionRatioPlain = 0.60;   ///< text/plain and other text/*

/// The audits' thresholds. Map from the config with
/// `AuditLimits{.page_weight_limit = s.page_weight_limit, .image_limit = s.image_limit}`.
struct AuditLimits {
  std::uint64_t page_weight_limit = 3 * 1024 * 1024;  ///< page + assets, wire bytes
  std::uint64_t image_limit = 300 * 1024;             ///< one image, wire bytes
  std::uint64_t compress_min_bytes = 1024;            ///< smaller text responses are not flagged
  std::chrono::seconds min_cache_lifetime = std::chrono::hours{24 * 7};
  core::Micros slow_tls = std::chrono::milliseconds{200};
  core::Micros tls_target = std::chrono::milliseconds{80};
  std::chrono::seconds cert_warning = std::chrono::hours{24 * 21};
  int parallel_per_host = 6;  ///< HTTP/1.x connections a browser opens per host
};

/// Every audit above over `audit`. Never throws on odd input (missing headers, failed assets,
/// unparsable dates count as "not sent").
std::vector<Finding> auditPage(const PageAudit& audit, const AuditLimits& limits = {});

}  // namespace shopwatch::agent::insights
